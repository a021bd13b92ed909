package postgres

import (
	"context"
	"encoding/json"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley"
)

// FindModerations returns a comment's decisions for the site's moderators.
func (s *CommentService) FindModerations(ctx context.Context, commentID string) ([]*parley.ModerationRecord, error) {
	c, err := s.FindCommentByID(ctx, commentID)
	if err != nil {
		return nil, err
	}
	if err := requireSiteRole(ctx, s.db.pool, c.SiteID, parley.RoleModerator); err != nil {
		return nil, translate(err)
	}
	rows, err := s.db.pool.Query(ctx, `
		SELECT `+moderationColumns+`
		FROM comment_moderations WHERE comment_id = $1 ORDER BY created_at, id`, commentID)
	if err != nil {
		return nil, translate(err)
	}
	records, err := pgx.CollectRows(rows, scanModeration)
	return records, translate(err)
}

// moderationColumns are what scanModeration reads of comment_moderations.
const moderationColumns = `id, comment_id, action, decision, decided_by, trail, created_at`

// scanModeration reads a comment_moderations row of moderationColumns.
func scanModeration(r pgx.CollectableRow) (*parley.ModerationRecord, error) {
	var m parley.ModerationRecord
	var action, decision string
	var trail []byte
	if err := r.Scan(&m.ID, &m.CommentID, &action, &decision, &m.DecidedBy, &trail, &m.CreatedAt); err != nil {
		return nil, err
	}
	m.Action, m.Decision = parley.SubmissionAction(action), parley.Decision(decision)
	return &m, json.Unmarshal(trail, &m.Trail)
}

// RejectionReasons reads in one query why each rejected comment the caller wrote or moderates
// was rejected. The last decision stands: a person's, unless the pipeline judged an edit
// since, in which case the stage that rejected the edit gives the reason.
func (s *CommentService) RejectionReasons(ctx context.Context, commentIDs []string) (map[string]parley.RejectReason, error) {
	out := map[string]parley.RejectReason{}
	u := parley.UserFromContext(ctx)
	if u == nil {
		return out, nil
	}
	// A comment's first run (CREATE) precedes every person's decision on it; only an edit's
	// run can come after one. Its time is the database's, like the moderators' log, whereas
	// a CREATE run is stamped by this server's clock, so the two are never compared.
	rows, err := s.db.pool.Query(ctx, `
		SELECT c.id, h.action IS NOT NULL AND (p.action IS DISTINCT FROM 'EDIT' OR h.created_at > p.created_at),
			coalesce(h.reason, ''), coalesce(p.decision, ''), coalesce(p.decided_by, '')
		FROM comments c
		LEFT JOIN LATERAL (
			SELECT action, reason, created_at FROM moderator_actions
			WHERE comment_id = c.id AND action IN ('APPROVE', 'REJECT') AND undone_at IS NULL
			ORDER BY created_at DESC, id DESC LIMIT 1
		) h ON true
		LEFT JOIN LATERAL (
			SELECT action, decision, decided_by, created_at FROM comment_moderations
			WHERE comment_id = c.id ORDER BY action = 'EDIT' DESC, created_at DESC, id DESC LIMIT 1
		) p ON true
		WHERE c.id = ANY($1::uuid[]) AND c.status = 'REJECTED' AND (c.author_id = $2 OR $3
			OR c.site_id IN (SELECT site_id FROM site_roles WHERE user_id = $2 AND role = 'MODERATOR'))`,
		validIDs(commentIDs), u.ID, u.Admin)
	if err != nil {
		return nil, translate(err)
	}
	var id, reason, decision, stage string
	var byPerson bool
	_, err = pgx.ForEachRow(rows, []any{&id, &byPerson, &reason, &decision, &stage}, func() error {
		out[id] = rejectionReason(byPerson, reason, parley.Decision(decision), stage)
		return nil
	})
	return out, translate(err)
}

// rejectionReason names the reason of the decision that stands on a rejected comment. What
// has no reason from the list (a rejection that came with its author's ban) is OTHER.
func rejectionReason(byPerson bool, reason string, decision parley.Decision, stage string) parley.RejectReason {
	switch {
	case byPerson && parley.RejectReason(reason).Valid():
		return parley.RejectReason(reason)
	case !byPerson && decision == parley.DecisionReject:
		return parley.StageRejectReason(stage)
	}
	return parley.RejectOther
}
