package postgres

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley"
)

// WithModerator makes the service ask m about every new or edited comment before writing it,
// and store m's decision and trail with the comment. Without one, every comment is published.
func (s *CommentService) WithModerator(m parley.Moderator) *CommentService {
	s.moderator = m
	return s
}

// Bounds of the author's history the pipeline reads: counts stop at the site's new-commenter
// threshold, and at least at minCountedHistory, which is all the stages need; the rejection
// rate looks at the last recentDecisions decided comments of the last 30 days.
const (
	minCountedHistory = 20
	recentDecisions   = 100
)

// moderate builds the submission for c and asks the moderator; with no moderator every
// comment passes and nothing is recorded (nil).
func (s *CommentService) moderate(ctx context.Context, q querier, action parley.SubmissionAction, c *parley.Comment,
	story *parley.Story, settings parley.SiteSettings, author *parley.User, previous *parley.Comment) (*parley.Moderation, error) {
	if s.moderator == nil {
		return nil, nil
	}
	sub := &parley.Submission{Action: action, Comment: c, Story: story, Settings: settings, Author: author, Previous: previous}
	var role string
	var sanctions []byte
	h := &sub.History
	// The author's standing on the site, sanctions included, in one round trip. An edit
	// compares its body with the author's other comments only: the comment itself is the
	// same text by definition.
	// Every count is bounded, and each reads the (author_id, site_id, created_at) index, so
	// the cost stays flat however many comments a prolific author has written.
	err := q.QueryRow(ctx, `
		SELECT coalesce((SELECT role FROM site_roles WHERE site_id = $1 AND user_id = $2), 'COMMENTER'),
			(SELECT count(*) FROM (SELECT 1 FROM comments WHERE author_id = $2 AND site_id = $1 AND status = 'PUBLISHED' LIMIT $5) AS p),
			(SELECT count(*) FROM (SELECT 1 FROM comments WHERE author_id = $2 AND site_id = $1 AND status = 'PENDING' LIMIT $5) AS p),
			(SELECT count(*) FROM (SELECT 1 FROM comments WHERE author_id = $2 AND site_id = $1 AND status = 'REJECTED' LIMIT $5) AS p),
			recent.rejected, recent.total,
			EXISTS (SELECT 1 FROM comments WHERE author_id = $2 AND site_id = $1 AND created_at > now() - interval '10 minutes'
				AND body_source = $3 AND id <> $4),
			(SELECT coalesce(json_agg(json_build_object('id', id, 'siteID', coalesce(site_id::text, ''), 'kind', kind,
				'message', message, 'createdAt', created_at, 'expiresAt', expires_at, 'acknowledgedAt', acknowledged_at)), '[]')
			 FROM user_sanctions WHERE user_id = $2 AND (site_id = $1 OR site_id IS NULL) AND revoked_at IS NULL
				AND (expires_at IS NULL OR expires_at > now()))
		FROM (
			SELECT count(*) FILTER (WHERE status = 'REJECTED') AS rejected, count(*) AS total
			FROM (SELECT status FROM comments
				WHERE author_id = $2 AND site_id = $1 AND status IN ('PUBLISHED', 'REJECTED') AND created_at > now() - interval '30 days'
				ORDER BY created_at DESC LIMIT $6) AS last
		) AS recent`,
		c.SiteID, author.ID, c.BodySource, c.ID, max(settings.PremodNewCommenters, minCountedHistory), recentDecisions).
		Scan(&role, &h.Published, &h.Pending, &h.Rejected, &h.RecentRejected, &h.RecentTotal, &h.SameBodyRecently, &sanctions)
	if err != nil {
		return nil, err
	}
	var active []struct {
		ID, SiteID, Kind, Message string
		CreatedAt                 time.Time
		ExpiresAt, AcknowledgedAt *time.Time
	}
	if err := json.Unmarshal(sanctions, &active); err != nil {
		return nil, err
	}
	for _, a := range active {
		h.Sanctions = append(h.Sanctions, &parley.Sanction{ID: a.ID, UserID: author.ID, SiteID: a.SiteID, Kind: parley.SanctionKind(a.Kind),
			Message: a.Message, CreatedAt: a.CreatedAt, ExpiresAt: a.ExpiresAt, AcknowledgedAt: a.AcknowledgedAt})
	}
	sub.Role = parley.Role(role)
	if author.Admin {
		sub.Role = parley.RoleAdmin
	}
	return s.moderator.Moderate(ctx, sub)
}

// recordModeration stores a decision inside the caller's transaction.
func recordModeration(ctx context.Context, tx pgx.Tx, commentID string, action parley.SubmissionAction, m *parley.Moderation) error {
	trail, err := json.Marshal(m.Trail)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `
		INSERT INTO comment_moderations (id, comment_id, action, decision, decided_by, trail) VALUES ($1, $2, $3, $4, $5, $6)`,
		newID(), commentID, string(action), string(m.Decision), m.DecidedBy, trail)
	return err
}

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
		SELECT id, comment_id, action, decision, decided_by, trail, created_at
		FROM comment_moderations WHERE comment_id = $1 ORDER BY created_at, id`, commentID)
	if err != nil {
		return nil, translate(err)
	}
	records, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*parley.ModerationRecord, error) {
		var m parley.ModerationRecord
		var action, decision string
		var trail []byte
		if err := r.Scan(&m.ID, &m.CommentID, &action, &decision, &m.DecidedBy, &trail, &m.CreatedAt); err != nil {
			return nil, err
		}
		m.Action, m.Decision = parley.SubmissionAction(action), parley.Decision(decision)
		return &m, json.Unmarshal(trail, &m.Trail)
	})
	return records, translate(err)
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
