package postgres

import (
	"context"

	"github.com/parleyhq/parley"
)

// ViewerStateService reads what a signed-in reader's page adds to the anonymous one.
type ViewerStateService struct{ db *DB }

// NewViewerStateService returns the service on db.
func NewViewerStateService(db *DB) *ViewerStateService { return &ViewerStateService{db: db} }

var _ parley.ViewerStateService = (*ViewerStateService)(nil)

// viewerStateSQL answers in one statement, each part from an index: the viewer's hidden
// comments on the stories (comments_hidden_author_idx of migration 0020, the first found
// ends it), their role on the stories' sites (site_roles' key) and their reactions to the
// page's comments (reactions' key), whatever the length of the viewer's history. $1 is the
// viewer, $2 the stories' and sites' IDs, $3 the comments'.
const viewerStateSQL = `
	WITH s AS (SELECT id, site_id FROM stories WHERE id = ANY($2::text[]::uuid[]))
	SELECT
		EXISTS (SELECT 1 FROM comments WHERE author_id = $1 AND story_id IN (SELECT id FROM s) AND status <> 'PUBLISHED'),
		EXISTS (SELECT 1 FROM site_roles WHERE user_id = $1 AND role = 'MODERATOR'
			AND (site_id = ANY($2::text[]::uuid[]) OR site_id IN (SELECT site_id FROM s))),
		coalesce((SELECT array_agg(comment_id::text || ' ' || kind) FROM reactions
			WHERE comment_id = ANY($3::text[]::uuid[]) AND user_id = $1), '{}')`

// ViewerState implements parley.ViewerStateService.
func (s *ViewerStateService) ViewerState(ctx context.Context, ids, commentIDs []string) (*parley.ViewerState, error) {
	u := parley.UserFromContext(ctx)
	if u == nil {
		return nil, parley.Errorf(parley.EUNAUTHENTICATED, "Please sign in first.")
	}
	st := &parley.ViewerState{Moderates: u.Admin, Reacted: map[string][]string{}}
	var reacted []string
	err := s.db.pool.QueryRow(ctx, viewerStateSQL, u.ID, validIDs(ids), validIDs(commentIDs)).Scan(&st.Hidden, &st.Moderates, &reacted)
	if err != nil {
		return nil, translate(err)
	}
	st.Moderates = st.Moderates || u.Admin
	for _, r := range reacted {
		id, kind := r[:36], r[37:]
		st.Reacted[id] = append(st.Reacted[id], kind)
	}
	return st, nil
}
