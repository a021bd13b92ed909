package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley"
)

// exportNotes leaves out which moderator wrote a note, as exportSanctions does: that is the
// moderator's data, while what was written about the user is the user's.
func exportNotes(ctx context.Context, tx pgx.Tx, userID string, x *parley.UserExport) error {
	rows, err := tx.Query(ctx, `
		SELECT si.name, n.body, n.created_at FROM user_notes n JOIN sites si ON si.id = n.site_id
		WHERE n.user_id = $1 ORDER BY n.created_at, n.id`, userID)
	if err != nil {
		return err
	}
	x.Notes, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (*parley.ExportedNote, error) {
		var e parley.ExportedNote
		err := r.Scan(&e.SiteName, &e.Body, &e.CreatedAt)
		return &e, err
	})
	return err
}

// exportTokens reads the user's sessions and API tokens in one query; the hash column is
// never selected, so no export can be replayed as a credential.
func exportTokens(ctx context.Context, tx pgx.Tx, userID string, x *parley.UserExport) error {
	rows, err := tx.Query(ctx, `
		SELECT id, kind, name, created_at, expires_at, revoked_at, last_used_at FROM tokens
		WHERE user_id = $1 ORDER BY created_at, id`, userID)
	if err != nil {
		return err
	}
	x.Sessions, x.APITokens = []*parley.ExportedToken{}, []*parley.ExportedToken{}
	for rows.Next() {
		var e parley.ExportedToken
		var kind string
		if err := rows.Scan(&e.ID, &kind, &e.Name, &e.CreatedAt, &e.ExpiresAt, &e.RevokedAt, &e.LastUsedAt); err != nil {
			rows.Close()
			return err
		}
		if kind == "api" {
			x.APITokens = append(x.APITokens, &e)
		} else {
			x.Sessions = append(x.Sessions, &e)
		}
	}
	return rows.Err()
}
