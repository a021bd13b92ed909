package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley"
)

// AccountStore implements parley.AccountStore: accounts, tokens and sign-in bookkeeping.
type AccountStore struct{ db *DB }

// NewAccountStore returns an AccountStore on db.
func NewAccountStore(db *DB) *AccountStore { return &AccountStore{db: db} }

var _ parley.AccountStore = (*AccountStore)(nil)

// CreateUser inserts a user with its password hash, with its event.
func (s *AccountStore) CreateUser(ctx context.Context, u *parley.User, passwordHash string) error {
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		created, err := scanUser(tx.QueryRow(ctx, `
			INSERT INTO users (id, username, email, password_hash, admin) VALUES ($1, $2, $3, $4, $5)
			RETURNING `+userColumns, newID(), u.Username, nullString(u.Email), passwordHash, u.Admin))
		if err != nil {
			return err
		}
		*u = *created
		return insertEvent(ctx, tx, parley.Event{Payload: parley.UserCreated{ID: u.ID, Username: u.Username}})
	})
}

// FindCredentials finds a user by email or username, case-insensitively.
func (s *AccountStore) FindCredentials(ctx context.Context, login string) (*parley.User, string, error) {
	var hash string
	var u parley.User
	err := s.db.pool.QueryRow(ctx, `
		SELECT `+userColumns+`, password_hash FROM users
		WHERE lower(email) = lower($1) OR lower(username) = lower($1)
		ORDER BY lower(email) = lower($1) DESC LIMIT 1`, login).
		Scan(&u.ID, &u.Username, &u.Email, &u.Admin, &u.CreatedAt, &u.SSOSiteID, &u.SSOSubject, &u.HasPassword, &u.Guest, &hash)
	if err != nil {
		return nil, "", translateNotFound(err, "User")
	}
	return &u, hash, nil
}

// UpsertSSOUser creates or updates the account linked to a site's SSO subject.
func (s *AccountStore) UpsertSSOUser(ctx context.Context, siteID, subject, email, username string) (*parley.User, error) {
	var u *parley.User
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		var inserted bool
		row := tx.QueryRow(ctx, `
			INSERT INTO users (id, username, email, sso_site_id, sso_subject) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (sso_site_id, sso_subject) WHERE sso_site_id IS NOT NULL
			DO UPDATE SET username = excluded.username, email = excluded.email, updated_at = now()
			RETURNING `+userColumns+`, xmax = 0`, newID(), username, nullString(email), siteID, subject)
		var created parley.User
		if err := row.Scan(&created.ID, &created.Username, &created.Email, &created.Admin, &created.CreatedAt,
			&created.SSOSiteID, &created.SSOSubject, &created.HasPassword, &created.Guest, &inserted); err != nil {
			return err
		}
		u = &created
		if !inserted {
			return nil
		}
		return insertEvent(ctx, tx, parley.Event{SiteID: siteID, Payload: parley.UserCreated{ID: u.ID, Username: u.Username}})
	})
	return u, err
}

// ClaimJTI records a token ID; a replay is ECONFLICT. Expired claims are swept as it goes.
func (s *AccountStore) ClaimJTI(ctx context.Context, siteID, jti string, expires time.Time) error {
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM sso_jtis WHERE site_id = $1 AND expires_at < now() - interval '1 hour'`, siteID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO sso_jtis (site_id, jti, expires_at) VALUES ($1, $2, $3)`, siteID, jti, expires)
		return err
	})
}

// SiteSSOSecret returns a site's SSO secret, "" when none is set.
func (s *AccountStore) SiteSSOSecret(ctx context.Context, siteID string) (string, error) {
	if !parley.IsID(siteID) {
		return "", notFound("Site")
	}
	var secret string
	err := s.db.pool.QueryRow(ctx, `SELECT sso_secret FROM sites WHERE id = $1`, siteID).Scan(&secret)
	return secret, translateNotFound(err, "Site")
}

// CreateToken stores a token by its hash.
func (s *AccountStore) CreateToken(ctx context.Context, t *parley.Token) error {
	t.ID = newID()
	err := s.db.pool.QueryRow(ctx, `
		INSERT INTO tokens (id, user_id, kind, name, hash, expires_at) VALUES ($1, $2, $3, $4, $5, $6)
		RETURNING created_at`, t.ID, t.UserID, t.Kind, t.Name, t.Hash, t.ExpiresAt).Scan(&t.CreatedAt)
	return translate(err)
}

// FindUserByTokenHash returns the owner of a live token and notes its use, at most once a
// minute so that reads do not turn into a write per request.
func (s *AccountStore) FindUserByTokenHash(ctx context.Context, hash []byte) (*parley.User, error) {
	u, err := scanUser(s.db.pool.QueryRow(ctx, `
		WITH t AS (
			SELECT id, user_id FROM tokens
			WHERE hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())
		), touched AS (
			UPDATE tokens SET last_used_at = now()
			WHERE id = (SELECT id FROM t) AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')
		)
		SELECT `+userColumns+` FROM users WHERE id = (SELECT user_id FROM t)`, hash))
	if err != nil {
		return nil, translateNotFound(err, "Token")
	}
	return u, nil
}

// RevokeToken revokes a live token, with its event: every replica that keeps the token's
// owner for a few seconds forgets it when the event reaches it.
func (s *AccountStore) RevokeToken(ctx context.Context, hash []byte) error {
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		var id, userID string
		err := tx.QueryRow(ctx, `UPDATE tokens SET revoked_at = now() WHERE hash = $1 AND revoked_at IS NULL
			RETURNING id, user_id`, hash).Scan(&id, &userID)
		if err != nil {
			return translateNotFound(err, "Token")
		}
		return insertEvent(ctx, tx, parley.Event{Payload: parley.TokensRevoked{UserID: userID, TokenID: id}})
	})
}

// CountSignInFailures counts a login's failures since a time.
func (s *AccountStore) CountSignInFailures(ctx context.Context, key string, since time.Time) (int, error) {
	var n int
	err := s.db.pool.QueryRow(ctx, `SELECT count(*) FROM sign_in_failures WHERE key = $1 AND created_at >= $2`, key, since).Scan(&n)
	return n, translate(err)
}

// RecordSignInFailure notes a failed sign-in, and forgets failures older than a day.
func (s *AccountStore) RecordSignInFailure(ctx context.Context, key string) error {
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM sign_in_failures WHERE key = $1 AND created_at < now() - interval '1 day'`, key); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO sign_in_failures (key) VALUES ($1)`, key)
		return err
	})
}

// ClearSignInFailures forgets a login's failures after a successful sign-in.
func (s *AccountStore) ClearSignInFailures(ctx context.Context, key string) error {
	_, err := s.db.pool.Exec(ctx, `DELETE FROM sign_in_failures WHERE key = $1`, key)
	return translate(err)
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// UpdatePasswordHash replaces a user's password hash, when hashing parameters were raised.
func (s *AccountStore) UpdatePasswordHash(ctx context.Context, userID, passwordHash string) error {
	_, err := s.db.pool.Exec(ctx, `UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1`, userID, passwordHash)
	return translate(err)
}

var _ parley.PasswordHashUpdater = (*AccountStore)(nil)
