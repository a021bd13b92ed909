package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley"
)

var _ parley.CredentialStore = (*AccountStore)(nil)

// FindLiveTokens lists a user's live tokens of a kind, newest first; tokens_user_idx serves it.
func (s *AccountStore) FindLiveTokens(ctx context.Context, userID, kind string) ([]*parley.StoredToken, error) {
	rows, err := s.db.pool.Query(ctx, `
		SELECT id, user_id, kind, name, hash, created_at, expires_at, last_used_at FROM tokens
		WHERE user_id = $1 AND kind = $2 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())
		ORDER BY created_at DESC, id`, userID, kind)
	if err != nil {
		return nil, translate(err)
	}
	toks, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*parley.StoredToken, error) {
		var t parley.StoredToken
		err := r.Scan(&t.ID, &t.UserID, &t.Kind, &t.Name, &t.Hash, &t.CreatedAt, &t.ExpiresAt, &t.LastUsedAt)
		return &t, err
	})
	return toks, translate(err)
}

// RevokeTokenByID revokes one live token of a user, with its event (as RevokeToken); a token
// of someone else is not found.
func (s *AccountStore) RevokeTokenByID(ctx context.Context, userID, kind, id string) error {
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		res, err := tx.Exec(ctx, `
			UPDATE tokens SET revoked_at = now()
			WHERE id = $1 AND user_id = $2 AND kind = $3 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
			id, userID, kind)
		if err != nil {
			return translateNotFound(err, "Token")
		}
		if res.RowsAffected() == 0 {
			return notFound("Token")
		}
		return insertEvent(ctx, tx, parley.Event{Payload: parley.TokensRevoked{UserID: userID, TokenID: id}})
	})
}

// RevokeTokensOfKind revokes every live token of a kind of a user, in one statement, with
// one event for them all, so that every replica forgets the user's tokens.
func (s *AccountStore) RevokeTokensOfKind(ctx context.Context, userID, kind string) (int, error) {
	var n int
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		res, err := tx.Exec(ctx, `
			UPDATE tokens SET revoked_at = now()
			WHERE user_id = $1 AND kind = $2 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
			userID, kind)
		if err != nil {
			return translate(err)
		}
		if n = int(res.RowsAffected()); n == 0 {
			return nil
		}
		return insertEvent(ctx, tx, parley.Event{Payload: parley.TokensRevoked{UserID: userID}})
	})
	return n, err
}
