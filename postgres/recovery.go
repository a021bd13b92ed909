package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley"
)

// RecoveryStore keeps account tokens (verification, password reset, email change) and
// applies what using one changes, each in one transaction with the token marked used.
type RecoveryStore struct{ db *DB }

// NewRecoveryStore returns the recovery store on db.
func NewRecoveryStore(db *DB) *RecoveryStore { return &RecoveryStore{db: db} }

var _ parley.RecoveryStore = (*RecoveryStore)(nil)

// FindUserByEmail implements parley.RecoveryStore.
func (s *RecoveryStore) FindUserByEmail(ctx context.Context, email string) (*parley.User, error) {
	u, err := scanUser(s.db.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE lower(email) = lower($1)`, email))
	if err != nil {
		return nil, translateNotFound(err, "User")
	}
	return u, nil
}

// IssueAccountTokens implements parley.RecoveryStore.
func (s *RecoveryStore) IssueAccountTokens(ctx context.Context, tokens []*parley.AccountToken, mails []*parley.Mail) error {
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		for i, t := range tokens {
			if _, err := tx.Exec(ctx, `
				INSERT INTO account_tokens (hash, user_id, purpose, email, change_id, expires_at)
				VALUES ($1, $2, $3, $4, $5, $6)`,
				t.Hash, t.UserID, t.Purpose, t.Email, nullID(t.ChangeID), t.ExpiresAt); err != nil {
				return err
			}
			if err := insertMail(ctx, tx, mails[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

// useToken marks a live token of one of purposes used and returns it.
func useToken(ctx context.Context, tx pgx.Tx, hash []byte, now time.Time, purposes ...string) (*parley.AccountToken, error) {
	var t parley.AccountToken
	var change *string
	err := tx.QueryRow(ctx, `
		UPDATE account_tokens SET used_at = $2
		WHERE hash = $1 AND purpose = ANY($3) AND used_at IS NULL AND expires_at > $2
		RETURNING user_id, purpose, email, change_id::text, expires_at`, hash, now, purposes).
		Scan(&t.UserID, &t.Purpose, &t.Email, &change, &t.ExpiresAt)
	if noRows(err) {
		return nil, parley.Errorf(parley.ENOTFOUND, "This link is unknown, was used already, or has expired; ask for a new one.")
	}
	if change != nil {
		t.ChangeID = *change
	}
	return &t, err
}

// ResetPassword implements parley.RecoveryStore.
func (s *RecoveryStore) ResetPassword(ctx context.Context, hash []byte, now time.Time, passwordHash string) (*parley.User, error) {
	var u *parley.User
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		t, err := useToken(ctx, tx, hash, now, parley.TokenResetPassword)
		if err != nil {
			return err
		}
		if u, err = scanUser(tx.QueryRow(ctx, `
			UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1 RETURNING `+userColumns, t.UserID, passwordHash, now)); err != nil {
			return err
		}
		// Whoever had the old password may hold a session: every one ends.
		if _, err := tx.Exec(ctx, `UPDATE tokens SET revoked_at = $2 WHERE user_id = $1 AND kind = 'session' AND revoked_at IS NULL`, t.UserID, now); err != nil {
			return err
		}
		// Replicas that keep the sessions' owners forget them with this event.
		if err := insertEvent(ctx, tx, parley.Event{Payload: parley.TokensRevoked{UserID: t.UserID}}); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE account_tokens SET used_at = $2 WHERE user_id = $1 AND purpose = 'reset' AND used_at IS NULL`, t.UserID, now)
		return err
	})
	return u, err
}

// VerifyEmail implements parley.RecoveryStore.
func (s *RecoveryStore) VerifyEmail(ctx context.Context, hash []byte, now time.Time) (*parley.User, error) {
	var u *parley.User
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		t, err := useToken(ctx, tx, hash, now, parley.TokenVerifyEmail)
		if err != nil {
			return err
		}
		u, err = scanUser(tx.QueryRow(ctx, `
			UPDATE users SET email_verified_at = coalesce(email_verified_at, $3)
			WHERE id = $1 AND lower(email) = lower($2) RETURNING `+userColumns, t.UserID, t.Email, now))
		if noRows(err) {
			return parley.Errorf(parley.ECONFLICT, "Your account's email address changed since this link was sent; ask for a new one.")
		} else if err != nil {
			return err
		}
		return releaseVerified(ctx, tx, u.ID)
	})
	return u, err
}

// ConfirmEmailChange implements parley.RecoveryStore.
func (s *RecoveryStore) ConfirmEmailChange(ctx context.Context, hash []byte, now time.Time) (*parley.User, bool, error) {
	var u *parley.User
	done := false
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		// Lock both halves in one order first, so two halves used at the same moment wait
		// for each other instead of deadlocking, and the second sees the first.
		if _, err := tx.Exec(ctx, `
			SELECT 1 FROM account_tokens
			WHERE change_id = (SELECT change_id FROM account_tokens WHERE hash = $1)
			ORDER BY hash FOR UPDATE`, hash); err != nil {
			return err
		}
		t, err := useToken(ctx, tx, hash, now, parley.TokenEmailChangeNew, parley.TokenEmailChangeOld)
		if err != nil {
			return err
		}
		var pending int
		if err := tx.QueryRow(ctx, `
			SELECT count(*) FROM account_tokens WHERE change_id = $1 AND used_at IS NULL`, t.ChangeID).Scan(&pending); err != nil {
			return err
		}
		if pending > 0 {
			u, err = scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, t.UserID))
			return err
		}
		done = true
		u, err = scanUser(tx.QueryRow(ctx, `
			UPDATE users SET email = $2, email_verified_at = $3, updated_at = $3 WHERE id = $1 RETURNING `+userColumns, t.UserID, t.Email, now))
		if err != nil {
			return err
		}
		return releaseVerified(ctx, tx, u.ID)
	})
	return u, done, err
}

// EmailVerified implements parley.RecoveryStore.
func (s *RecoveryStore) EmailVerified(ctx context.Context, userID string) (bool, error) {
	var ok bool
	err := s.db.pool.QueryRow(ctx, `SELECT email_verified_at IS NOT NULL FROM users WHERE id = $1`, userID).Scan(&ok)
	return ok, translateNotFound(err, "User")
}
