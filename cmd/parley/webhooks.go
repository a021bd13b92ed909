package main

import (
	"context"
	"log/slog"
	"sync"

	"github.com/parleyhq/parley/webhook"
)

// runWebhookSender sends webhook deliveries until the returned stop is called. Every replica
// runs one; the delivery table's SKIP LOCKED claim shares the work among them.
func runWebhookSender(ctx context.Context, s *webhook.Sender, logger *slog.Logger) (stop func()) {
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := s.Run(runCtx); err != nil {
			logger.Error("webhook sender stopped", "error", err)
		}
	})
	return func() {
		cancel()
		wg.Wait()
	}
}

// webhookBatch is the most events the webhook consumer takes in one run.
const webhookBatch = 100
