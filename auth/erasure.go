package auth

import (
	"context"
	"log/slog"
	"time"

	"github.com/parleyhq/parley"
)

// RunEraser erases the accounts whose deletion grace has ended, once at start and then every
// interval, until ctx ends. Every replica runs one: the store erases each account in its own
// transaction and claims it with SKIP LOCKED, so racing replicas never erase one twice, and a
// failed run leaves the accounts it did not finish whole for the next one. now is the clock
// (time.Now when nil), so tests can move past a grace.
func RunEraser(ctx context.Context, d parley.AccountDeletions, every time.Duration, now func() time.Time, logger *slog.Logger) {
	if now == nil {
		now = time.Now
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		n, err := d.EraseDueAccounts(ctx, now())
		switch {
		case err != nil && ctx.Err() == nil:
			logger.ErrorContext(ctx, "erasing deleted accounts failed; the next run tries again", "erased", n, "error", err)
		case n > 0:
			logger.InfoContext(ctx, "deleted accounts erased after their grace", "erased", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
