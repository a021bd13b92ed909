package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley"
)

// releaseVerified publishes, inside the caller's transaction, the comments of userID held
// only because their address was not verified: pending comments whose last pipeline run
// (an edit's, else the first) was decided by the verified-email stage, with no person's
// decision and no rule's hold standing on them. Each goes through the moderators' status
// change: the counters and thread placeholders move, and an APPROVE without moderator is
// logged with its CommentModerated event, so live readers, notifications, counts and caches
// follow as they do for a moderator's approval.
func releaseVerified(ctx context.Context, tx pgx.Tx, userID string) error {
	rows, err := tx.Query(ctx, `
		SELECT c.id FROM comments c
		CROSS JOIN LATERAL (
			SELECT decided_by FROM comment_moderations
			WHERE comment_id = c.id ORDER BY action = 'EDIT' DESC, created_at DESC, id DESC LIMIT 1
		) p
		WHERE c.author_id = $1 AND c.status = 'PENDING' AND p.decided_by = $2
		  AND NOT EXISTS (
			SELECT 1 FROM moderator_actions
			WHERE comment_id = c.id AND action IN ('APPROVE', 'REJECT', 'HOLD') AND undone_at IS NULL)
		ORDER BY c.created_at, c.id
		FOR UPDATE OF c`, userID, parley.StageVerifiedEmail)
	if err != nil {
		return err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	for _, id := range ids {
		c, err := scanComment(tx.QueryRow(ctx, `
			UPDATE comments SET status = 'PUBLISHED', version = version + 1 WHERE id = $1 RETURNING `+commentColumns, id))
		if err != nil {
			return err
		}
		if err := restatus(ctx, tx, c, parley.StatusPending); err != nil {
			return err
		}
		if err := logActionBy(ctx, tx, "", c, parley.ActionApprove, parley.ReasonEmailVerified, "", parley.StatusPending); err != nil {
			return err
		}
	}
	return nil
}
