package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/parleyhq/parley/auth"
	"github.com/parleyhq/parley/postgres"
)

// eraseEvery is how often each replica looks for deleted accounts whose grace ended; an
// account is erased at most this long after its grace.
const eraseEvery = 5 * time.Minute

// runEraser erases deleted accounts once their grace ends, until stop is called. Every
// replica runs one; racing replicas erase each account once (see auth.RunEraser).
func runEraser(ctx context.Context, db *postgres.DB, logger *slog.Logger) (stop func()) {
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Go(func() { auth.RunEraser(runCtx, postgres.NewAccountStore(db), eraseEvery, nil, logger) })
	return func() {
		cancel()
		wg.Wait()
	}
}
