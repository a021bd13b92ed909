package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley"
)

var _ parley.HeldReplyStore = (*FederationStore)(nil)

const heldColumns = `id, origin, kind, parent_instance, parent_id, payload, held_at`

func scanHeld(r pgx.CollectableRow) (parley.HeldReply, error) {
	var h parley.HeldReply
	err := r.Scan(&h.ID, &h.Origin, &h.Kind, &h.ParentInstance, &h.ParentID, &h.Payload, &h.HeldAt)
	return h, err
}

// HoldReply stores a reply waiting for its parent.
func (s *FederationStore) HoldReply(ctx context.Context, h parley.HeldReply) error {
	_, err := s.db.pool.Exec(ctx, `
		INSERT INTO federation_held_replies (origin, kind, parent_instance, parent_id, payload)
		VALUES ($1, $2, $3, $4, $5)`, h.Origin, h.Kind, h.ParentInstance, h.ParentID, h.Payload)
	return translate(err)
}

// HeldReplies returns the replies held for a parent, oldest first.
func (s *FederationStore) HeldReplies(ctx context.Context, parentInstance, parentID string) ([]parley.HeldReply, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT `+heldColumns+` FROM federation_held_replies
		WHERE parent_instance = $1 AND parent_id = $2 ORDER BY id`, parentInstance, parentID)
	if err != nil {
		return nil, translate(err)
	}
	h, err := pgx.CollectRows(rows, scanHeld)
	return h, translate(err)
}

// OverdueReplies returns replies held since before, oldest first.
func (s *FederationStore) OverdueReplies(ctx context.Context, before time.Time, limit int) ([]parley.HeldReply, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT `+heldColumns+` FROM federation_held_replies
		WHERE held_at < $1 ORDER BY held_at, id LIMIT $2`, before, limit)
	if err != nil {
		return nil, translate(err)
	}
	h, err := pgx.CollectRows(rows, scanHeld)
	return h, translate(err)
}

// DropHeldReply deletes a held reply.
func (s *FederationStore) DropHeldReply(ctx context.Context, id int64) error {
	_, err := s.db.pool.Exec(ctx, `DELETE FROM federation_held_replies WHERE id = $1`, id)
	return translate(err)
}

// ApplyHeldReply locks the reply's row (skipping it when another release holds it), runs
// apply and deletes the row, in one transaction: a crash or an error in apply leaves the
// reply held for the next release.
func (s *FederationStore) ApplyHeldReply(ctx context.Context, id int64, apply func(parley.HeldReply) error) (bool, error) {
	ran := false
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+heldColumns+` FROM federation_held_replies WHERE id = $1 FOR UPDATE SKIP LOCKED`, id)
		if err != nil {
			return err
		}
		h, err := pgx.CollectExactlyOneRow(rows, scanHeld)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil // applied already, or being applied by another release
		}
		if err != nil {
			return err
		}
		ran = true
		if err := apply(h); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM federation_held_replies WHERE id = $1`, id)
		return err
	})
	return ran, err
}
