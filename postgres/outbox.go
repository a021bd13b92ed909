package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley"
)

// OutboxStore implements parley.Outbox on the outbox table.
type OutboxStore struct{ db *DB }

// NewOutboxStore returns an OutboxStore on db.
func NewOutboxStore(db *DB) *OutboxStore { return &OutboxStore{db: db} }

var _ parley.Outbox = (*OutboxStore)(nil)

// Drain hands pending events to publish while holding their row locks, so that replicas
// draining at once never publish the same event concurrently (SKIP LOCKED), and marks what
// publish confirmed in the same transaction. A crash before the commit leaves the events
// pending: they are published again, which consumers absorb by deduplicating on event ID.
func (s *OutboxStore) Drain(ctx context.Context, limit int, publish func(context.Context, []parley.OutboxEvent) ([]string, error)) (int, error) {
	if limit < 1 {
		return 0, parley.FieldErrorf("limit", "limit must be at least 1.")
	}
	var marked int
	var publishErr error
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			SELECT id, kind, coalesce(site_id::text, ''), coalesce(story_id::text, ''), payload, created_at
			FROM outbox WHERE published_at IS NULL
			ORDER BY created_at, id
			LIMIT $1
			FOR UPDATE SKIP LOCKED`, limit)
		if err != nil {
			return err
		}
		events, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (parley.OutboxEvent, error) {
			var e parley.OutboxEvent
			err := r.Scan(&e.ID, &e.Kind, &e.SiteID, &e.StoryID, &e.Payload, &e.CreatedAt)
			return e, err
		})
		if err != nil || len(events) == 0 {
			return err
		}
		published, err := publish(ctx, events)
		publishErr = err
		if len(published) == 0 {
			return nil
		}
		res, err := tx.Exec(ctx, `UPDATE outbox SET published_at = now() WHERE id = ANY($1::uuid[])`, validIDs(published))
		if err != nil {
			return err
		}
		marked = int(res.RowsAffected())
		return nil
	})
	if err != nil {
		return 0, err
	}
	return marked, publishErr
}

// Backlog counts pending events and dates the oldest, through the pending index.
func (s *OutboxStore) Backlog(ctx context.Context) (int, time.Time, error) {
	var n int
	var oldest *time.Time
	err := s.db.pool.QueryRow(ctx, `SELECT count(*), min(created_at) FROM outbox WHERE published_at IS NULL`).Scan(&n, &oldest)
	if err != nil {
		return 0, time.Time{}, translate(err)
	}
	if oldest == nil {
		return 0, time.Time{}, nil
	}
	return n, *oldest, nil
}

// Prune deletes events published before a time; the outbox is a queue, not an archive.
func (s *OutboxStore) Prune(ctx context.Context, publishedBefore time.Time) (int, error) {
	res, err := s.db.pool.Exec(ctx, `DELETE FROM outbox WHERE published_at < $1`, publishedBefore)
	if err != nil {
		return 0, translate(err)
	}
	return int(res.RowsAffected()), nil
}
