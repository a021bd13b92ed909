package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley"
)

// QueueService implements parley.QueueService.
type QueueService struct{ db *DB }

// NewQueueService returns a QueueService on db.
func NewQueueService(db *DB) *QueueService { return &QueueService{db: db} }

var _ parley.QueueService = (*QueueService)(nil)

// queueConditions are the queues' definitions; each matches one partial index of migration
// 0003, so a queue page is a range scan.
var queueConditions = map[parley.ModerationQueue]string{
	parley.QueuePending:     `status = 'PENDING'`,
	parley.QueueRejected:    `status = 'REJECTED'`,
	parley.QueueUnmoderated: `status = 'PUBLISHED' AND moderated_at IS NULL`,
	parley.QueueApproved:    `status = 'PUBLISHED' AND moderated_at IS NOT NULL`,
	parley.QueueReported:    `status = 'PUBLISHED' AND reported_at IS NOT NULL AND reported_at > coalesce(moderated_at, '-infinity')`,
}

// ModerationQueue returns a page of a queue, newest first.
func (s *QueueService) ModerationQueue(ctx context.Context, f parley.QueueFilter) (*parley.CommentPage, error) {
	cond, ok := queueConditions[f.Queue]
	if !ok {
		return nil, parley.FieldErrorf("queue", "Unknown queue %q.", f.Queue)
	}
	if f.First < 1 || f.First > parley.MaxPageSize {
		return nil, parley.FieldErrorf("first", "first must be between 1 and %d.", parley.MaxPageSize)
	}
	siteID, err := s.scope(ctx, f.SiteID, f.StoryID)
	if err != nil {
		return nil, err
	}
	args := []any{siteID, f.First + 1}
	if f.StoryID != "" {
		args = append(args, f.StoryID)
	}
	if f.After != nil {
		args = append(args, f.After.Time, f.After.ID)
	}
	comments, err := collectComments(s.db.pool.Query(ctx, queueSQL(cond, f.StoryID != "", f.After != nil), args...))
	if err != nil {
		return nil, translate(err)
	}
	return pageOf(comments, f.First), nil
}

// queueSQL builds a queue page's query from constant fragments only; values travel as
// arguments: $1 site, $2 limit, then the story and the cursor when given.
func queueSQL(cond string, byStory, after bool) string {
	sql := `SELECT ` + commentColumns + ` FROM comments WHERE site_id = $1 AND ` + cond
	n := 2
	if byStory {
		n++
		sql += ` AND story_id = $` + strconv.Itoa(n)
	}
	if after {
		sql += ` AND (created_at, id) < ($` + strconv.Itoa(n+1) + `, $` + strconv.Itoa(n+2) + `)`
	}
	return sql + ` ORDER BY created_at DESC, id DESC LIMIT $2`
}

// scope checks that the caller moderates the site (or the story's site) and returns the
// site's ID.
func (s *QueueService) scope(ctx context.Context, siteID, storyID string) (string, error) {
	if storyID != "" {
		story, err := findStory(ctx, s.db.pool, storyID)
		if err != nil {
			return "", err
		}
		if siteID != "" && siteID != story.SiteID {
			return "", parley.FieldErrorf("storyID", "The story belongs to another site.")
		}
		siteID = story.SiteID
	}
	if siteID == "" {
		return "", parley.FieldErrorf("siteID", "Say which site's queue: siteID or storyID.")
	}
	if _, err := findSite(ctx, s.db.pool, siteID, false); err != nil {
		return "", err
	}
	return siteID, translate(requireSiteRole(ctx, s.db.pool, siteID, parley.RoleModerator))
}

// maxCounted caps queue counts: past it a dashboard shows "10000+", and counting stops
// costing more than a page.
const maxCounted = 10000

// QueueCounts counts each queue, up to maxCounted, in one round trip.
func (s *QueueService) QueueCounts(ctx context.Context, siteID, storyID string) (map[parley.ModerationQueue]int, error) {
	siteID, err := s.scope(ctx, siteID, storyID)
	if err != nil {
		return nil, err
	}
	story := ``
	args := []any{siteID, maxCounted}
	if storyID != "" {
		story, args = ` AND story_id = $3`, append(args, storyID)
	}
	sql := `SELECT`
	for i, q := range parley.Queues {
		if i > 0 {
			sql += `,`
		}
		sql += ` (SELECT count(*) FROM (SELECT 1 FROM comments WHERE site_id = $1` + story + ` AND ` + queueConditions[q] + ` LIMIT $2) AS q)`
	}
	counts := make([]int, len(parley.Queues))
	dest := make([]any, len(counts))
	for i := range counts {
		dest[i] = &counts[i]
	}
	if err := s.db.pool.QueryRow(ctx, sql, args...).Scan(dest...); err != nil {
		return nil, translate(err)
	}
	out := map[parley.ModerationQueue]int{}
	for i, q := range parley.Queues {
		out[q] = counts[i]
	}
	return out, nil
}

// ApproveComment publishes a comment by a moderator's decision.
func (s *QueueService) ApproveComment(ctx context.Context, in parley.ModerateInput) (*parley.Comment, error) {
	in.Reason = ""
	return s.decide(ctx, in, parley.StatusPublished, parley.ActionApprove)
}

// RejectComment rejects a comment, with a reason, by a moderator's decision.
func (s *QueueService) RejectComment(ctx context.Context, in parley.ModerateInput) (*parley.Comment, error) {
	if err := in.ValidateReject(); err != nil {
		return nil, err
	}
	return s.decide(ctx, in, parley.StatusRejected, parley.ActionReject)
}

// decide applies a moderator's decision: the status, the counters it moves, the log entry
// and the event, in one transaction.
func (s *QueueService) decide(ctx context.Context, in parley.ModerateInput, status parley.CommentStatus, action string) (*parley.Comment, error) {
	var c *parley.Comment
	err := s.db.inTx(ctx, func(tx pgx.Tx) (err error) {
		c, err = s.apply(ctx, tx, in, status, action)
		return err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// apply makes one decision inside the caller's transaction, refusing it when the moderator
// judged another version of the comment than the one that stands.
func (s *QueueService) apply(ctx context.Context, tx pgx.Tx, in parley.ModerateInput, status parley.CommentStatus, action string) (*parley.Comment, error) {
	prev, err := s.forModerator(ctx, tx, in.CommentID)
	if err != nil {
		return nil, err
	}
	if in.Version != 0 && in.Version != prev.Version {
		return nil, parley.Errorf(parley.ECONFLICT,
			"This comment changed while you were deciding: its author edited it, or another moderator decided first. Look at it again.")
	}
	c, err := scanComment(tx.QueryRow(ctx, `
		UPDATE comments SET status = $2, moderated_at = now(), version = version + 1 WHERE id = $1 RETURNING `+commentColumns, prev.ID, string(status)))
	if err != nil {
		return nil, err
	}
	if prev.Status != c.Status {
		if err := restatus(ctx, tx, c, prev.Status); err != nil {
			return nil, err
		}
	}
	return c, logAction(ctx, tx, c, action, string(in.Reason), in.Note, prev.Status)
}

// FeatureComment picks a published comment to show first, or takes it back.
func (s *QueueService) FeatureComment(ctx context.Context, commentID string, featured bool) (*parley.Comment, error) {
	var c *parley.Comment
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		prev, err := s.forModerator(ctx, tx, commentID)
		if err != nil {
			return err
		}
		if prev.Status != parley.StatusPublished {
			return parley.FieldErrorf("commentID", "Only published comments can be featured.")
		}
		c, err = scanComment(tx.QueryRow(ctx, `UPDATE comments SET featured = $2 WHERE id = $1 RETURNING `+commentColumns, prev.ID, featured))
		if err != nil {
			return err
		}
		action := parley.ActionFeature
		if !featured {
			action = parley.ActionUnfeature
		}
		return logAction(ctx, tx, c, action, "", "", prev.Status)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// forModerator locks a comment for a decision by the caller, who must moderate its site.
func (s *QueueService) forModerator(ctx context.Context, tx pgx.Tx, commentID string) (*parley.Comment, error) {
	if _, err := requireUser(ctx); err != nil {
		return nil, err
	}
	c, err := findVisibleComment(ctx, tx, commentID, true)
	if err != nil {
		return nil, err
	}
	if err := requireSiteRole(ctx, tx, c.SiteID, parley.RoleModerator); err != nil {
		return nil, err
	}
	if c.Status == parley.StatusDeleted {
		return nil, parley.FieldErrorf("commentID", "Its author deleted this comment; there is nothing to moderate.")
	}
	return c, nil
}

// logAction records the caller's action as a moderator, and its event.
func logAction(ctx context.Context, tx pgx.Tx, c *parley.Comment, action, reason, note string, previous parley.CommentStatus) error {
	return logActionBy(ctx, tx, parley.UserIDFromContext(ctx), c, action, reason, note, previous)
}

// logActionBy records an action on a comment, and its event; moderator is "" for actions
// Parley took by a site's rules.
func logActionBy(ctx context.Context, tx pgx.Tx, moderator string, c *parley.Comment, action, reason, note string, previous parley.CommentStatus) error {
	id := newID()
	if _, err := tx.Exec(ctx, `
		INSERT INTO moderator_actions (id, site_id, comment_id, moderator_id, action, reason, note, previous_status)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		id, c.SiteID, c.ID, nullID(moderator), action, reason, note, string(previous)); err != nil {
		return err
	}
	return insertEvent(ctx, tx, parley.Event{SiteID: c.SiteID, StoryID: c.StoryID, Payload: parley.CommentModerated{
		ActionID: id, CommentID: c.ID, AuthorID: c.AuthorID, ModeratorID: moderator, Action: action,
		Reason: reason, PreviousStatus: previous, Status: c.Status, Featured: c.Featured}})
}

// BulkModerate applies one decision to many comments, all or none: a comment the moderator
// may not act on fails the whole batch, with its ID in the error.
func (s *QueueService) BulkModerate(ctx context.Context, ids []string, status parley.CommentStatus, reason parley.RejectReason, note string) ([]*parley.Comment, error) {
	if len(ids) == 0 || len(ids) > parley.MaxPageSize {
		return nil, parley.FieldErrorf("commentIDs", "Give 1 to %d comment IDs.", parley.MaxPageSize)
	}
	action := parley.ActionApprove
	if status == parley.StatusRejected {
		action = parley.ActionReject
		in := parley.ModerateInput{Reason: reason, Note: note}
		if err := in.ValidateReject(); err != nil {
			return nil, err
		}
		note = in.Note
	}
	out := make([]*parley.Comment, 0, len(ids))
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		for _, id := range ids {
			c, err := s.apply(ctx, tx, parley.ModerateInput{CommentID: id, Reason: reason, Note: note}, status, action)
			var perr *parley.Error
			if errors.As(err, &perr) {
				return &parley.Error{Code: perr.Code, Field: "commentIDs", Message: fmt.Sprintf("Comment %s: %s Nothing was changed.", id, perr.Message)}
			} else if err != nil {
				return err
			}
			out = append(out, c)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UndoModeration takes back the last decision a person made on a comment: its status goes
// back to what it was before, and the undo is logged too.
func (s *QueueService) UndoModeration(ctx context.Context, commentID string) (*parley.Comment, error) {
	var c *parley.Comment
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		cur, err := s.forModerator(ctx, tx, commentID)
		if err != nil {
			return err
		}
		var actionID, previous string
		err = tx.QueryRow(ctx, `
			SELECT id, previous_status FROM moderator_actions
			WHERE comment_id = $1 AND action IN ('APPROVE', 'REJECT') AND undone_at IS NULL
			ORDER BY created_at DESC, id DESC LIMIT 1 FOR UPDATE`, cur.ID).Scan(&actionID, &previous)
		if noRows(err) {
			return parley.FieldErrorf("commentID", "No decision on this comment is left to undo.")
		} else if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE moderator_actions SET undone_at = now() WHERE id = $1`, actionID); err != nil {
			return err
		}
		// Whether a person has decided is what the earlier decisions still standing say.
		c, err = scanComment(tx.QueryRow(ctx, `
			UPDATE comments SET status = $2, version = version + 1, moderated_at = (
				SELECT max(created_at) FROM moderator_actions
				WHERE comment_id = $1 AND action IN ('APPROVE', 'REJECT') AND undone_at IS NULL)
			WHERE id = $1 RETURNING `+commentColumns, cur.ID, previous))
		if err != nil {
			return err
		}
		if cur.Status != c.Status {
			if err := restatus(ctx, tx, c, cur.Status); err != nil {
				return err
			}
		}
		return logAction(ctx, tx, c, parley.ActionUndo, "", "", cur.Status)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// StageStats compares the stages' verdicts on new comments with the last standing decision
// a person made on each, for the site's moderators.
func (s *QueueService) StageStats(ctx context.Context, siteID string) ([]*parley.StageStats, error) {
	if _, err := s.scope(ctx, siteID, ""); err != nil {
		return nil, err
	}
	rows, err := s.db.pool.Query(ctx, `
		WITH human AS (
			SELECT DISTINCT ON (comment_id) comment_id, action FROM moderator_actions
			WHERE site_id = $1 AND action IN ('APPROVE', 'REJECT') AND undone_at IS NULL AND moderator_id IS NOT NULL
			ORDER BY comment_id, created_at DESC
		), verdicts AS (
			SELECT m.comment_id, st->>'stage' AS stage,
				st->'verdict'->>'decision' IN ('HOLD', 'REJECT') AND coalesce(st->>'error', '') = '' AS flagged
			FROM comment_moderations m
			JOIN human h ON h.comment_id = m.comment_id
			CROSS JOIN LATERAL jsonb_array_elements(m.trail) AS st
			WHERE m.action = 'CREATE'
		)
		SELECT v.stage, count(*),
			count(*) FILTER (WHERE v.flagged AND h.action = 'REJECT'),
			count(*) FILTER (WHERE v.flagged AND h.action = 'APPROVE'),
			count(*) FILTER (WHERE NOT v.flagged AND h.action = 'REJECT')
		FROM verdicts v JOIN human h USING (comment_id)
		GROUP BY v.stage ORDER BY v.stage`, siteID)
	if err != nil {
		return nil, translate(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*parley.StageStats, error) {
		var st parley.StageStats
		err := r.Scan(&st.Stage, &st.Decided, &st.TruePositives, &st.FalsePositives, &st.FalseNegatives)
		return &st, err
	})
	return out, translate(err)
}
