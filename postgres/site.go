package postgres

import (
	"context"
	"encoding/json"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley"
)

// SiteService implements parley.SiteService.
type SiteService struct{ db *DB }

// NewSiteService returns a SiteService on db.
func NewSiteService(db *DB) *SiteService { return &SiteService{db: db} }

const siteColumns = `id, name, allowed_origins, settings, sso_secret <> '', created_at, updated_at`

func scanSite(row pgx.Row) (*parley.Site, error) {
	var s parley.Site
	var settings []byte
	if err := row.Scan(&s.ID, &s.Name, &s.AllowedOrigins, &settings, &s.SSOConfigured, &s.CreatedAt, &s.UpdatedAt); err != nil {
		return nil, err
	}
	// Settings added in later versions keep their defaults for sites stored before them.
	s.Settings = parley.DefaultSiteSettings()
	if err := json.Unmarshal(settings, &s.Settings); err != nil {
		return nil, err
	}
	return &s, nil
}

// FindSiteByID returns a site; its settings are public because the widget needs them.
func (s *SiteService) FindSiteByID(ctx context.Context, id string) (*parley.Site, error) {
	return findSite(ctx, s.db.pool, id, false)
}

func findSite(ctx context.Context, q querier, id string, forUpdate bool) (*parley.Site, error) {
	if !parley.IsID(id) {
		return nil, notFound("Site")
	}
	sql := `SELECT ` + siteColumns + ` FROM sites WHERE id = $1`
	if forUpdate {
		sql += ` FOR UPDATE`
	}
	site, err := scanSite(q.QueryRow(ctx, sql, id))
	if err != nil {
		return nil, translateNotFound(err, "Site")
	}
	return site, nil
}

// FindSites returns every site for admins and the sites a moderator moderates.
func (s *SiteService) FindSites(ctx context.Context) ([]*parley.Site, error) {
	u, err := requireUser(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.pool.Query(ctx, `
		SELECT `+siteColumns+` FROM sites
		WHERE $1 OR id IN (SELECT site_id FROM site_roles WHERE user_id = $2 AND role = 'MODERATOR')
		ORDER BY name, id`, u.Admin, u.ID)
	if err != nil {
		return nil, translate(err)
	}
	sites, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*parley.Site, error) { return scanSite(r) })
	return sites, translate(err)
}

// CreateSite creates a site with default settings; only admins may.
func (s *SiteService) CreateSite(ctx context.Context, in parley.CreateSiteInput) (*parley.Site, error) {
	if err := requireAdmin(ctx); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	settings, err := json.Marshal(parley.DefaultSiteSettings())
	if err != nil {
		return nil, err
	}
	var site *parley.Site
	err = s.db.inTx(ctx, func(tx pgx.Tx) error {
		site, err = scanSite(tx.QueryRow(ctx, `
			INSERT INTO sites (id, name, allowed_origins, settings) VALUES ($1, $2, $3, $4)
			RETURNING `+siteColumns, newID(), in.Name, in.AllowedOrigins, settings))
		if err != nil {
			return err
		}
		return insertEvent(ctx, tx, parley.Event{SiteID: site.ID, Payload: parley.SiteCreatedOf(site)})
	})
	return site, err
}

// UpdateSiteSettings changes a site; its moderators and admins may.
func (s *SiteService) UpdateSiteSettings(ctx context.Context, id string, upd parley.SiteSettingsUpdate) (*parley.Site, error) {
	var site *parley.Site
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		current, err := findSite(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if err := requireSiteRole(ctx, tx, id, parley.RoleModerator); err != nil {
			return err
		}
		next, err := upd.Apply(*current)
		if err != nil {
			return err
		}
		settings, err := json.Marshal(next.Settings)
		if err != nil {
			return err
		}
		site, err = scanSite(tx.QueryRow(ctx, `
			UPDATE sites SET name = $2, allowed_origins = $3, settings = $4,
				sso_secret = coalesce($5, sso_secret), updated_at = now()
			WHERE id = $1
			RETURNING `+siteColumns, id, next.Name, next.AllowedOrigins, settings, upd.SSOSecret))
		if err != nil {
			return err
		}
		return insertEvent(ctx, tx, parley.Event{SiteID: site.ID, Payload: parley.SiteUpdated(parley.SiteCreatedOf(site))})
	})
	return site, err
}

// IsAllowedOrigin reports whether any site allows origin.
func (s *SiteService) IsAllowedOrigin(ctx context.Context, origin string) (bool, error) {
	var ok bool
	err := s.db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM sites WHERE allowed_origins @> ARRAY[$1])`, origin).Scan(&ok)
	return ok, translate(err)
}
