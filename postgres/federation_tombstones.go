package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley"
)

// TombstoneStore implements parley.TombstoneStore on the tables of migration 0024.
type TombstoneStore struct{ db *DB }

// NewTombstoneStore returns a TombstoneStore on db.
func NewTombstoneStore(db *DB) *TombstoneStore { return &TombstoneStore{db: db} }

var _ parley.TombstoneStore = (*TombstoneStore)(nil)

// AddTombstone records the tombstone and its peers in one transaction.
func (s *TombstoneStore) AddTombstone(ctx context.Context, t parley.Tombstone, peerIDs []string) error {
	return translate(s.db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO federation_tombstones (id, object_type, object_id) VALUES ($1, $2, $3)
			ON CONFLICT (id) DO NOTHING`, t.ID, t.ObjectType, t.ObjectID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO federation_tombstone_peers (tombstone_id, peer_id)
			SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING`, t.ID, peerIDs)
		return err
	}))
}

// AckTombstone sets the acknowledgement of the named peer, once.
func (s *TombstoneStore) AckTombstone(ctx context.Context, tombstoneID, peer string, at time.Time) error {
	_, err := s.db.pool.Exec(ctx, `
		UPDATE federation_tombstone_peers tp SET acked_at = $3
		FROM federation_peers p
		WHERE p.id = tp.peer_id AND p.name = $2 AND tp.tombstone_id = $1 AND tp.acked_at IS NULL`, tombstoneID, peer, at)
	return translate(err)
}

const tombstoneCoverage = `
	SELECT t.id, t.object_type, t.object_id, t.created_at, count(tp.peer_id)::int, count(tp.acked_at)::int,
	       coalesce(array_agg(p.name ORDER BY p.name) FILTER (WHERE tp.acked_at IS NULL AND p.name IS NOT NULL), '{}')
	FROM federation_tombstones t
	LEFT JOIN federation_tombstone_peers tp ON tp.tombstone_id = t.id
	LEFT JOIN federation_peers p ON p.id = tp.peer_id`

func scanTombstone(r pgx.CollectableRow) (*parley.Tombstone, error) {
	var t parley.Tombstone
	err := r.Scan(&t.ID, &t.ObjectType, &t.ObjectID, &t.CreatedAt, &t.Peers, &t.Acknowledged, &t.Pending)
	return &t, err
}

// UnackedTombstones returns what an active peer has not acknowledged, last sent before before.
func (s *TombstoneStore) UnackedTombstones(ctx context.Context, before time.Time, limit int) ([]parley.Tombstone, error) {
	rows, err := s.db.pool.Query(ctx, tombstoneCoverage+`
		WHERE EXISTS (SELECT 1 FROM federation_tombstone_peers u JOIN federation_peers up ON up.id = u.peer_id
		              WHERE u.tombstone_id = t.id AND u.acked_at IS NULL AND up.state = 'ACTIVE' AND u.last_sent_at < $1)
		GROUP BY t.id ORDER BY t.created_at LIMIT $2`, before, limit)
	if err != nil {
		return nil, translate(err)
	}
	ts, err := pgx.CollectRows(rows, scanTombstone)
	out := make([]parley.Tombstone, 0, len(ts))
	for _, t := range ts {
		out = append(out, *t)
	}
	return out, translate(err)
}

// MarkTombstoneSent counts a sending to every peer yet to acknowledge.
func (s *TombstoneStore) MarkTombstoneSent(ctx context.Context, tombstoneID string, at time.Time) error {
	_, err := s.db.pool.Exec(ctx, `UPDATE federation_tombstone_peers SET attempts = attempts + 1, last_sent_at = $2
		WHERE tombstone_id = $1 AND acked_at IS NULL`, tombstoneID, at)
	return translate(err)
}

// Tombstones returns the newest tombstones with their coverage.
func (s *TombstoneStore) Tombstones(ctx context.Context, limit int) ([]*parley.Tombstone, error) {
	rows, err := s.db.pool.Query(ctx, tombstoneCoverage+` GROUP BY t.id ORDER BY t.created_at DESC, t.id LIMIT $1`, limit)
	if err != nil {
		return nil, translate(err)
	}
	ts, err := pgx.CollectRows(rows, scanTombstone)
	return ts, translate(err)
}
