package postgres

import (
	"context"
	"time"

	"github.com/parleyhq/parley"
)

var _ parley.TrustLevels = (*TrustStore)(nil)

// ReportStanding reads what deciding on a report needs: the comment's site and settings and
// the reporter's level and role there. The comment must be one the caller can see.
func (s *TrustStore) ReportStanding(ctx context.Context, commentID, userID string) (parley.ReportStanding, error) {
	var st parley.ReportStanding
	c, err := findVisibleComment(ctx, s.db.pool, commentID, false)
	if err != nil {
		return st, translate(err)
	}
	st.SiteID = c.SiteID
	if st.Settings, err = siteSettings(ctx, s.db.pool, c.SiteID); err != nil {
		return st, translate(err)
	}
	var level int16
	var admin bool
	var role string
	err = s.db.pool.QueryRow(ctx, `
		SELECT coalesce((SELECT level FROM trust_levels WHERE site_id = $1 AND user_id = users.id), 0),
		       users.admin,
		       coalesce((SELECT role FROM site_roles WHERE site_id = $1 AND user_id = users.id), 'COMMENTER')
		FROM users WHERE id = $2`, c.SiteID, userID).Scan(&level, &admin, &role)
	if err != nil {
		return st, translate(err)
	}
	st.Level, st.Role = parley.TrustLevel(level), parley.Role(role)
	if admin {
		st.Role = parley.RoleAdmin
	}
	return st, nil
}

// HighestTrustLevel returns the user's highest level over every site, 0 when none.
func (s *TrustStore) HighestTrustLevel(ctx context.Context, userID string) (parley.TrustLevel, error) {
	if !parley.IsID(userID) {
		return parley.TrustNew, nil
	}
	var level int16
	err := s.db.pool.QueryRow(ctx, `SELECT coalesce(max(level), 0) FROM trust_levels WHERE user_id = $1`, userID).Scan(&level)
	return parley.TrustLevel(level), translate(err)
}

// commentsSinceSQL counts a user's ($1) comments on a site ($2) since $3, at most $4. Naming
// every status lets the index be read from since in each status's range, rather than the
// user's whole history on the site filtered by time.
const commentsSinceSQL = `
		SELECT count(*) FROM (SELECT 1 FROM comments
			WHERE author_id = $1 AND site_id = $2 AND status IN ('PUBLISHED', 'PENDING', 'REJECTED', 'DELETED') AND created_at > $3
			LIMIT $4) AS c`

// CommentsSince counts the user's comments on the site written after since, at most limit,
// from the (author_id, site_id, status, created_at) index: one range per status, each
// starting at since, and no more than limit entries in all.
func (s *TrustStore) CommentsSince(ctx context.Context, siteID, userID string, since time.Time, limit int) (int, error) {
	var n int
	err := s.db.pool.QueryRow(ctx, commentsSinceSQL,
		userID, siteID, since, limit).Scan(&n)
	return n, translate(err)
}
