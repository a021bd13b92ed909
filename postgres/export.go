package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley"
)

// ExportViewer reads everything held about the signed-in user in one read-only snapshot, so
// the parts agree with each other: one query per kind of record, whatever their number.
func (s *UserService) ExportViewer(ctx context.Context) (*parley.UserExport, error) {
	viewer, err := requireUser(ctx)
	if err != nil {
		return nil, err
	}
	tx, err := s.db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, translate(err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	x := &parley.UserExport{GeneratedAt: s.db.now().UTC()}
	if x.Account, err = scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, viewer.ID)); err != nil {
		return nil, translateNotFound(err, "User")
	}
	for _, read := range []func(context.Context, pgx.Tx, string, *parley.UserExport) error{
		exportComments, exportReactions, exportReports, exportMutes, exportSanctions, exportNotes, exportTokens,
	} {
		if err := read(ctx, tx, viewer.ID, x); err != nil {
			return nil, translate(err)
		}
	}
	return x, nil
}

func exportComments(ctx context.Context, tx pgx.Tx, userID string, x *parley.UserExport) error {
	rows, err := tx.Query(ctx, `
		SELECT c.id, st.url, st.title, si.name, c.body_source, c.status, c.created_at, c.edited_at,
			coalesce((SELECT array_agg(r.body_source ORDER BY r.created_at, r.id) FROM comment_revisions r WHERE r.comment_id = c.id), '{}')
		FROM comments c JOIN stories st ON st.id = c.story_id JOIN sites si ON si.id = c.site_id
		WHERE c.author_id = $1 ORDER BY c.created_at, c.id`, userID)
	if err != nil {
		return err
	}
	x.Comments, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (*parley.ExportedComment, error) {
		var c parley.ExportedComment
		err := r.Scan(&c.ID, &c.StoryURL, &c.StoryTitle, &c.SiteName, &c.BodySource, &c.Status, &c.CreatedAt, &c.EditedAt, &c.Revisions)
		return &c, err
	})
	return err
}

func exportReactions(ctx context.Context, tx pgx.Tx, userID string, x *parley.UserExport) error {
	rows, err := tx.Query(ctx, `SELECT comment_id, kind, created_at FROM reactions WHERE user_id = $1 ORDER BY created_at, comment_id, kind`, userID)
	if err != nil {
		return err
	}
	x.Reactions, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (*parley.ExportedReaction, error) {
		var e parley.ExportedReaction
		err := r.Scan(&e.CommentID, &e.Kind, &e.CreatedAt)
		return &e, err
	})
	return err
}

func exportReports(ctx context.Context, tx pgx.Tx, userID string, x *parley.UserExport) error {
	rows, err := tx.Query(ctx, `SELECT comment_id, reason, details, created_at FROM reports WHERE user_id = $1 ORDER BY created_at, id`, userID)
	if err != nil {
		return err
	}
	x.Reports, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (*parley.ExportedReport, error) {
		var e parley.ExportedReport
		err := r.Scan(&e.CommentID, &e.Reason, &e.Details, &e.CreatedAt)
		return &e, err
	})
	return err
}

func exportMutes(ctx context.Context, tx pgx.Tx, userID string, x *parley.UserExport) error {
	rows, err := tx.Query(ctx, `
		SELECT m.muted_id, CASE WHEN u.guest THEN u.guest_name ELSE u.username END, m.created_at FROM user_mutes m JOIN users u ON u.id = m.muted_id
		WHERE m.muter_id = $1 ORDER BY m.created_at, m.muted_id`, userID)
	if err != nil {
		return err
	}
	x.Mutes, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (*parley.ExportedMute, error) {
		var e parley.ExportedMute
		err := r.Scan(&e.UserID, &e.Username, &e.CreatedAt)
		return &e, err
	})
	return err
}

// exportSanctions leaves out which moderator imposed a sanction: that is the moderator's
// data, not the sanctioned user's.
func exportSanctions(ctx context.Context, tx pgx.Tx, userID string, x *parley.UserExport) error {
	rows, err := tx.Query(ctx, `
		SELECT s.kind, s.message, coalesce(si.name, ''), s.created_at, s.expires_at, s.revoked_at
		FROM user_sanctions s LEFT JOIN sites si ON si.id = s.site_id
		WHERE s.user_id = $1 ORDER BY s.created_at, s.id`, userID)
	if err != nil {
		return err
	}
	x.Sanctions, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (*parley.ExportedSanction, error) {
		var e parley.ExportedSanction
		err := r.Scan(&e.Kind, &e.Message, &e.SiteName, &e.CreatedAt, &e.ExpiresAt, &e.RevokedAt)
		return &e, err
	})
	return err
}
