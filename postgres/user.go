package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley"
)

// UserService implements parley.UserService.
type UserService struct{ db *DB }

// NewUserService returns a UserService on db.
func NewUserService(db *DB) *UserService { return &UserService{db: db} }

// A guest's username is the name they gave, and their email stays private to the store.
const userColumns = `id, CASE WHEN guest THEN guest_name ELSE username END, coalesce(email, ''), admin, created_at,
	coalesce(sso_site_id::text, ''), coalesce(sso_subject, ''), password_hash <> '', guest`

func scanUser(row pgx.Row) (*parley.User, error) {
	var u parley.User
	err := row.Scan(&u.ID, &u.Username, &u.Email, &u.Admin, &u.CreatedAt, &u.SSOSiteID, &u.SSOSubject, &u.HasPassword, &u.Guest)
	return &u, err
}

// FindUserByID returns a user. Any caller may read a user; the API hides private fields.
func (s *UserService) FindUserByID(ctx context.Context, id string) (*parley.User, error) {
	if !parley.IsID(id) {
		return nil, notFound("User")
	}
	u, err := scanUser(s.db.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	if err != nil {
		return nil, translateNotFound(err, "User")
	}
	return u, nil
}

// FindUsersByIDs returns the users it finds in one query.
func (s *UserService) FindUsersByIDs(ctx context.Context, ids []string) ([]*parley.User, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT `+userColumns+` FROM users WHERE id = ANY($1::uuid[])`, validIDs(ids))
	if err != nil {
		return nil, translate(err)
	}
	users, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*parley.User, error) { return scanUser(r) })
	return users, translate(err)
}

// SiteRole returns the user's role on a site.
func (s *UserService) SiteRole(ctx context.Context, siteID, userID string) (parley.Role, error) {
	if _, err := findSite(ctx, s.db.pool, siteID, false); err != nil {
		return "", err
	}
	u, err := s.FindUserByID(ctx, userID)
	if err != nil {
		return "", err
	}
	role, err := siteRole(ctx, s.db.pool, siteID, u)
	return role, translate(err)
}

// SiteRoles returns the roles of many users on many sites in one query, by the same rules
// as SiteRole; pairs whose site or user does not exist are left out.
func (s *UserService) SiteRoles(ctx context.Context, keys []parley.SiteUser) (map[parley.SiteUser]parley.Role, error) {
	sites, users := make([]string, 0, len(keys)), make([]string, 0, len(keys))
	for _, k := range keys {
		if parley.IsID(k.SiteID) && parley.IsID(k.UserID) {
			sites, users = append(sites, k.SiteID), append(users, k.UserID)
		}
	}
	out := make(map[parley.SiteUser]parley.Role, len(sites))
	if len(sites) == 0 {
		return out, nil
	}
	rows, err := s.db.pool.Query(ctx, `
		SELECT k.site_id, k.user_id, CASE WHEN users.admin THEN 'ADMIN' ELSE coalesce(site_roles.role, 'COMMENTER') END
		FROM unnest($1::uuid[], $2::uuid[]) AS k (site_id, user_id)
		JOIN sites ON sites.id = k.site_id
		JOIN users ON users.id = k.user_id
		LEFT JOIN site_roles ON site_roles.site_id = k.site_id AND site_roles.user_id = k.user_id`, sites, users)
	if err != nil {
		return nil, translate(err)
	}
	var k parley.SiteUser
	var role string
	_, err = pgx.ForEachRow(rows, []any{&k.SiteID, &k.UserID, &role}, func() error {
		out[k] = parley.Role(role)
		return nil
	})
	return out, translate(err)
}

// SetSiteRole grants a role on a site; only admins may.
func (s *UserService) SetSiteRole(ctx context.Context, siteID, userID string, role parley.Role) error {
	if err := requireAdmin(ctx); err != nil {
		return err
	}
	if !role.Valid() || role == parley.RoleAdmin {
		return parley.FieldErrorf("role", "Role must be COMMENTER, MEMBER or MODERATOR on a site.")
	}
	if !parley.IsID(siteID) || !parley.IsID(userID) {
		return notFound("Site or user")
	}
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `
			INSERT INTO site_roles (site_id, user_id, role) VALUES ($1, $2, $3)
			ON CONFLICT (site_id, user_id) DO UPDATE SET role = excluded.role`, siteID, userID, string(role))
		if err != nil {
			return err
		}
		return insertEvent(ctx, tx, parley.Event{SiteID: siteID,
			Payload: parley.UserRoleChanged{UserID: userID, Role: role}})
	})
}

// siteRole returns u's role on a site: ADMIN for admins, the granted role, or COMMENTER.
func siteRole(ctx context.Context, q querier, siteID string, u *parley.User) (parley.Role, error) {
	if u == nil {
		return "", nil
	}
	if u.Admin {
		return parley.RoleAdmin, nil
	}
	var role string
	err := q.QueryRow(ctx, `SELECT role FROM site_roles WHERE site_id = $1 AND user_id = $2`, siteID, u.ID).Scan(&role)
	if noRows(err) {
		return parley.RoleCommenter, nil
	} else if err != nil {
		return "", err
	}
	return parley.Role(role), nil
}

// requireSiteRole answers EUNAUTHENTICATED for anonymous callers and EFORBIDDEN for callers
// whose role on the site is below min.
func requireSiteRole(ctx context.Context, q querier, siteID string, min parley.Role) error {
	u := parley.UserFromContext(ctx)
	if u == nil {
		return parley.Errorf(parley.EUNAUTHENTICATED, "Please sign in first.")
	}
	role, err := siteRole(ctx, q, siteID, u)
	if err != nil {
		return err
	}
	if !role.AtLeast(min) {
		return parley.Errorf(parley.EFORBIDDEN, "Only the site's %ss may do that.", roleNoun(min))
	}
	return nil
}

func roleNoun(r parley.Role) string {
	switch r {
	case parley.RoleModerator:
		return "moderator"
	case parley.RoleAdmin:
		return "administrator"
	case parley.RoleMember:
		return "member"
	}
	return "commenter"
}

// requireUser returns the signed-in user or EUNAUTHENTICATED.
func requireUser(ctx context.Context) (*parley.User, error) {
	u := parley.UserFromContext(ctx)
	if u == nil {
		return nil, parley.Errorf(parley.EUNAUTHENTICATED, "Please sign in first.")
	}
	return u, nil
}

// requireAdmin answers EUNAUTHENTICATED or EFORBIDDEN unless the caller is an admin.
func requireAdmin(ctx context.Context) error {
	u, err := requireUser(ctx)
	if err != nil {
		return err
	}
	if !u.Admin {
		return parley.Errorf(parley.EFORBIDDEN, "Only administrators may do that.")
	}
	return nil
}

// validIDs drops strings that cannot be IDs, so one bad ID cannot fail a whole batch.
func validIDs(ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if parley.IsID(id) {
			out = append(out, id)
		}
	}
	return out
}
