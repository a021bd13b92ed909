package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// OutboxChannel is the channel migration 0030's trigger notifies when a transaction that
// wrote outbox rows commits.
const OutboxChannel = "parley_outbox"

// listenBackoff bounds the wait between attempts to reconnect the listening connection.
const (
	listenMinBackoff = 100 * time.Millisecond
	listenMaxBackoff = 5 * time.Second
)

// ListenOutbox calls wake whenever any replica commits events to the outbox, until ctx
// ends. It holds one connection of its own outside the pool (LISTEN belongs to a session)
// and reconnects with a growing pause when it is lost, calling wake after every
// (re)connection because notifications sent while it was away are gone. wake must not
// block. The relay's poll stays the fallback: this only makes other replicas' events
// reach this replica's relay sooner.
func (db *DB) ListenOutbox(ctx context.Context, wake func()) {
	backoff := listenMinBackoff
	for ctx.Err() == nil {
		connected, err := db.listen(ctx, wake)
		if ctx.Err() != nil {
			return
		}
		if connected {
			backoff = listenMinBackoff
		}
		db.logger.Warn("outbox listener lost its connection; reconnecting", "error", err, "after", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, listenMaxBackoff)
	}
}

// listen runs one listening session; connected reports whether LISTEN took effect.
func (db *DB) listen(ctx context.Context, wake func()) (connected bool, err error) {
	cfg := db.pool.Config().ConnConfig.Copy()
	cfg.Tracer = nil // a listener's statements are not queries of pages
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return false, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, `LISTEN `+OutboxChannel); err != nil {
		return false, err
	}
	wake()
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return true, err
		}
		wake()
	}
}
