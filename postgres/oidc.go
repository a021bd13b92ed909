package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley"
)

// OIDCStore implements parley.OIDCStore: providers, sign-ins in progress and links.
type OIDCStore struct{ db *DB }

// NewOIDCStore returns the OIDC store on db.
func NewOIDCStore(db *DB) *OIDCStore { return &OIDCStore{db: db} }

var _ parley.OIDCStore = (*OIDCStore)(nil)

// AddOIDCProvider implements parley.OIDCStore.
func (s *OIDCStore) AddOIDCProvider(ctx context.Context, p *parley.OIDCProvider) error {
	p.ID = newID()
	err := s.db.pool.QueryRow(ctx, `
		INSERT INTO oidc_providers (id, site_id, name, issuer, client_id, client_secret)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING created_at`,
		p.ID, nullID(p.SiteID), p.Name, p.Issuer, p.ClientID, p.ClientSecret).Scan(&p.CreatedAt)
	return translateNotFound(err, "Site")
}

// OIDCProvider implements parley.OIDCStore.
func (s *OIDCStore) OIDCProvider(ctx context.Context, id, siteID string) (*parley.OIDCProvider, error) {
	var p parley.OIDCProvider
	var site *string
	err := s.db.pool.QueryRow(ctx, `
		SELECT id, site_id::text, name, issuer, client_id, client_secret, created_at
		FROM oidc_providers WHERE id = $1 AND (site_id IS NULL OR site_id = $2) AND disabled_at IS NULL`, id, siteID).
		Scan(&p.ID, &site, &p.Name, &p.Issuer, &p.ClientID, &p.ClientSecret, &p.CreatedAt)
	if err != nil {
		return nil, translateNotFound(err, "Provider")
	}
	if site != nil {
		p.SiteID = *site
	}
	return &p, nil
}

// OIDCProviders implements parley.OIDCStore.
func (s *OIDCStore) OIDCProviders(ctx context.Context, siteID string) ([]*parley.OIDCProvider, error) {
	return collectProviders(s.db.pool.Query(ctx, `
		SELECT `+providerColumns+` FROM oidc_providers
		WHERE (site_id IS NULL OR site_id = $1) AND disabled_at IS NULL
		ORDER BY site_id IS NULL, created_at LIMIT $2`, siteID, parley.MaxOIDCProviders))
}

// providerColumns are a provider's settings without its secret.
const providerColumns = `id, coalesce(site_id::text, ''), name, issuer, client_id, disabled_at IS NOT NULL, created_at`

func scanProvider(row pgx.Row) (*parley.OIDCProvider, error) {
	var p parley.OIDCProvider
	return &p, row.Scan(&p.ID, &p.SiteID, &p.Name, &p.Issuer, &p.ClientID, &p.Disabled, &p.CreatedAt)
}

func collectProviders(rows pgx.Rows, err error) ([]*parley.OIDCProvider, error) {
	if err != nil {
		return nil, translate(err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*parley.OIDCProvider, error) { return scanProvider(row) })
	return list, translate(err)
}

// AllOIDCProviders implements parley.OIDCStore.
func (s *OIDCStore) AllOIDCProviders(ctx context.Context, siteID string) ([]*parley.OIDCProvider, error) {
	if siteID == "" {
		return collectProviders(s.db.pool.Query(ctx, `
			SELECT `+providerColumns+` FROM oidc_providers ORDER BY site_id NULLS FIRST, created_at LIMIT $1`, parley.MaxAdminOIDCProviders))
	}
	return collectProviders(s.db.pool.Query(ctx, `
		SELECT `+providerColumns+` FROM oidc_providers WHERE site_id IS NULL OR site_id = $1
		ORDER BY site_id IS NULL, created_at LIMIT $2`, siteID, parley.MaxAdminOIDCProviders))
}

// UpdateOIDCProvider implements parley.OIDCStore.
func (s *OIDCStore) UpdateOIDCProvider(ctx context.Context, u parley.OIDCProviderUpdate) (*parley.OIDCProvider, error) {
	var disabled *bool
	if u.Enabled != nil {
		d := !*u.Enabled
		disabled = &d
	}
	p, err := scanProvider(s.db.pool.QueryRow(ctx, `
		UPDATE oidc_providers SET name = coalesce($2, name), client_id = coalesce($3, client_id),
			client_secret = coalesce($4, client_secret),
			disabled_at = CASE WHEN $5::boolean IS NULL THEN disabled_at WHEN $5 THEN coalesce(disabled_at, now()) END
		WHERE id = $1 RETURNING `+providerColumns, validID(u.ID), u.Name, u.ClientID, u.ClientSecret, disabled))
	if err != nil {
		return nil, translateNotFound(err, "Provider")
	}
	return p, nil
}

// RemoveOIDCProvider implements parley.OIDCStore; links, pending links and flows go with it
// by their foreign keys.
func (s *OIDCStore) RemoveOIDCProvider(ctx context.Context, id string) error {
	tag, err := s.db.pool.Exec(ctx, `DELETE FROM oidc_providers WHERE id = $1`, validID(id))
	if err != nil {
		return translate(err)
	}
	if tag.RowsAffected() == 0 {
		return parley.Errorf(parley.ENOTFOUND, "Provider not found.")
	}
	return nil
}

// SaveOIDCFlow implements parley.OIDCStore. Expired flows are swept on the way, so the table
// holds only sign-ins that may still finish.
func (s *OIDCStore) SaveOIDCFlow(ctx context.Context, f *parley.OIDCFlow) error {
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM oidc_flows WHERE expires_at < now()`); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `
			INSERT INTO oidc_flows (state, provider_id, site_id, origin, nonce, code_verifier, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			f.State, f.ProviderID, f.SiteID, f.Origin, f.Nonce, f.CodeVerifier, f.ExpiresAt)
		return translate(err)
	})
}

// TakeOIDCFlow implements parley.OIDCStore.
func (s *OIDCStore) TakeOIDCFlow(ctx context.Context, state string, now time.Time) (*parley.OIDCFlow, error) {
	var f parley.OIDCFlow
	err := s.db.pool.QueryRow(ctx, `
		DELETE FROM oidc_flows WHERE state = $1
		RETURNING state, provider_id::text, site_id::text, origin, nonce, code_verifier, expires_at`, state).
		Scan(&f.State, &f.ProviderID, &f.SiteID, &f.Origin, &f.Nonce, &f.CodeVerifier, &f.ExpiresAt)
	if err != nil {
		return nil, translateNotFound(err, "Sign-in")
	}
	if !f.ExpiresAt.After(now) {
		return nil, notFound("Sign-in")
	}
	return &f, nil
}

// OIDCLinkedUser implements parley.OIDCStore.
func (s *OIDCStore) OIDCLinkedUser(ctx context.Context, providerID, subject string) (*parley.User, error) {
	u, err := scanUser(s.db.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users
		WHERE id = (SELECT user_id FROM oidc_links WHERE provider_id = $1 AND subject = $2)`, providerID, subject))
	if err != nil {
		return nil, translateNotFound(err, "User")
	}
	return u, nil
}

// UserByEmail implements parley.OIDCStore.
func (s *OIDCStore) UserByEmail(ctx context.Context, email string) (*parley.User, error) {
	u, err := scanUser(s.db.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users
		WHERE lower(email) = lower($1) AND NOT guest`, email))
	if err != nil {
		return nil, translateNotFound(err, "User")
	}
	return u, nil
}

// CreateOIDCUser implements parley.OIDCStore. Candidate usernames are tried in one
// transaction each under a savepoint, so a taken name costs a retry and nothing is left behind.
func (s *OIDCStore) CreateOIDCUser(ctx context.Context, providerID, subject, email, base string) (*parley.User, error) {
	var u *parley.User
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		var name string
		for i := 0; ; i++ {
			name = base
			if i > 0 {
				name = fmt.Sprintf("%s%d", base, i+1)
			}
			var taken bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE lower(username) = lower($1))`, name).Scan(&taken); err != nil {
				return err
			}
			if !taken {
				break
			}
		}
		created, err := scanUser(tx.QueryRow(ctx, `
			INSERT INTO users (id, username, email, password_hash, email_verified_at) VALUES ($1, $2, $3, '', now())
			RETURNING `+userColumns, newID(), name, nullString(email)))
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO oidc_links (provider_id, subject, user_id) VALUES ($1, $2, $3)`,
			providerID, subject, created.ID); err != nil {
			return err
		}
		u = created
		return insertEvent(ctx, tx, parley.Event{Payload: parley.UserCreated{ID: u.ID, Username: u.Username}})
	})
	if err != nil {
		return nil, translate(err)
	}
	return u, nil
}

// SaveOIDCPendingLink implements parley.OIDCStore.
func (s *OIDCStore) SaveOIDCPendingLink(ctx context.Context, l *parley.OIDCPendingLink) error {
	_, err := s.db.pool.Exec(ctx, `
		INSERT INTO oidc_pending_links (hash, provider_id, subject, user_id, origin, email, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, l.Hash, l.ProviderID, l.Subject, l.UserID, l.Origin, l.Email, l.ExpiresAt)
	return translate(err)
}

// TakeOIDCPendingLink implements parley.OIDCStore: the pending link is deleted and the link
// written in one transaction.
func (s *OIDCStore) TakeOIDCPendingLink(ctx context.Context, hash []byte, now time.Time) (*parley.OIDCPendingLink, error) {
	var l parley.OIDCPendingLink
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			DELETE FROM oidc_pending_links WHERE hash = $1 AND expires_at > $2
			RETURNING hash, provider_id::text, subject, user_id::text, origin, email, expires_at`, hash, now).
			Scan(&l.Hash, &l.ProviderID, &l.Subject, &l.UserID, &l.Origin, &l.Email, &l.ExpiresAt)
		if err != nil {
			return translateNotFound(err, "Link request")
		}
		if _, err = tx.Exec(ctx, `INSERT INTO oidc_links (provider_id, subject, user_id) VALUES ($1, $2, $3)
			ON CONFLICT (provider_id, subject) DO NOTHING`, l.ProviderID, l.Subject, l.UserID); err != nil {
			return err
		}
		// The provider verified this address: if it is still the account's, so is the account's.
		res, err := tx.Exec(ctx, `
			UPDATE users SET email_verified_at = now()
			WHERE id = $1 AND $2 <> '' AND lower(email) = lower($2) AND email_verified_at IS NULL`, l.UserID, l.Email)
		if err != nil || res.RowsAffected() == 0 {
			return err
		}
		return releaseVerified(ctx, tx, l.UserID)
	})
	if err != nil {
		return nil, translate(err)
	}
	return &l, nil
}

// SiteAllowedOrigins implements parley.OIDCStore.
func (s *OIDCStore) SiteAllowedOrigins(ctx context.Context, siteID string) ([]string, error) {
	var origins []string
	err := s.db.pool.QueryRow(ctx, `SELECT allowed_origins FROM sites WHERE id = $1`, siteID).Scan(&origins)
	if err != nil {
		return nil, translateNotFound(err, "Site")
	}
	return origins, nil
}
