package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley"
)

// ReportService implements parley.ReportStore: reports, and the holds a site's rule asks for.
type ReportService struct{ db *DB }

// NewReportService returns a ReportService on db.
func NewReportService(db *DB) *ReportService { return &ReportService{db: db} }

var _ parley.ReportStore = (*ReportService)(nil)

// ReportComment records the caller's report and holds nothing; each user reports a comment
// once.
func (s *ReportService) ReportComment(ctx context.Context, in parley.ReportInput) (*parley.Comment, error) {
	return s.RecordReport(ctx, in, parley.DefaultReportWeight, nil)
}

// RecordReport records the caller's report with its weight and, when hold says so, holds the
// comment, in one transaction; each user reports a comment once. hold reads the summed weight
// of the comment's reports, taken under the comment's row lock so racing reports add up.
func (s *ReportService) RecordReport(ctx context.Context, in parley.ReportInput, weight parley.ReportWeight, hold parley.HoldRule) (*parley.Comment, error) {
	u, err := requireUser(ctx)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	if weight.Weight < 0 || weight.Weight != weight.Weight {
		return nil, parley.Errorf(parley.EINTERNAL, "report weight %v is not a weight", weight.Weight)
	}
	var c *parley.Comment
	err = s.db.inTx(ctx, func(tx pgx.Tx) error {
		c, err = findVisibleComment(ctx, tx, in.CommentID, false)
		if err != nil {
			return err
		}
		if c.AuthorID == u.ID {
			return parley.FieldErrorf("commentID", "You can't report your own comment; you can edit or delete it.")
		}
		if c.Status != parley.StatusPublished {
			return parley.FieldErrorf("commentID", "Only published comments can be reported.")
		}
		id := newID()
		if _, err := tx.Exec(ctx, `
			INSERT INTO reports (id, comment_id, user_id, reason, details, weight, weight_rule) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			id, c.ID, u.ID, string(in.Reason), in.Details, weight.Weight, weight.Rule); err != nil {
			return err
		}
		// The comment as the report leaves it, read under the row's lock: a rule judges what
		// stands, not what the first read saw.
		if c, err = scanComment(tx.QueryRow(ctx, `
			UPDATE comments SET report_count = report_count + 1, reported_at = now() WHERE id = $1
			RETURNING `+commentColumns, c.ID)); err != nil {
			return err
		}
		if hold != nil {
			settings, err := siteSettings(ctx, tx, c.SiteID)
			if err != nil {
				return err
			}
			var sum float64
			if err := tx.QueryRow(ctx, `SELECT coalesce(sum(weight), 0) FROM reports WHERE comment_id = $1`, c.ID).Scan(&sum); err != nil {
				return err
			}
			if why := hold(c, sum, settings); why != nil && c.Status == parley.StatusPublished {
				if err := holdComment(ctx, tx, c, *why); err != nil {
					return err
				}
			}
		}
		return insertEvent(ctx, tx, parley.Event{SiteID: c.SiteID, StoryID: c.StoryID, Payload: parley.CommentReported{
			ReportID: id, CommentID: c.ID, AuthorID: c.AuthorID, UserID: u.ID, Reason: in.Reason, Details: in.Details, ReportCount: c.ReportCount}})
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// holdComment holds a published comment for review, logged as a site's rule acting (no
// moderator) with why's reason and note.
func holdComment(ctx context.Context, tx pgx.Tx, c *parley.Comment, why parley.ActionReason) error {
	was := c.Status
	if err := tx.QueryRow(ctx, `UPDATE comments SET status = 'PENDING', version = version + 1 WHERE id = $1 RETURNING version, reply_count`,
		c.ID).Scan(&c.Version, &c.SharedReplyCount); err != nil {
		return err
	}
	c.Status, c.ReplyCount = parley.StatusPending, c.SharedReplyCount
	if err := restatus(ctx, tx, c, was); err != nil {
		return err
	}
	return logActionBy(ctx, tx, "", c, parley.ActionHold, why.Reason, why.Note, was)
}

// FindReports lists a comment's reports for the site's moderators.
func (s *ReportService) FindReports(ctx context.Context, commentID string) ([]*parley.Report, error) {
	c, err := findVisibleComment(ctx, s.db.pool, commentID, false)
	if err != nil {
		return nil, err
	}
	if err := requireSiteRole(ctx, s.db.pool, c.SiteID, parley.RoleModerator); err != nil {
		return nil, translate(err)
	}
	rows, err := s.db.pool.Query(ctx, `
		SELECT id, comment_id, user_id, reason, details, weight, weight_rule, created_at FROM reports
		WHERE comment_id = $1 ORDER BY created_at DESC, id DESC`, c.ID)
	if err != nil {
		return nil, translate(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*parley.Report, error) {
		var rep parley.Report
		var reason string
		err := r.Scan(&rep.ID, &rep.CommentID, &rep.UserID, &reason, &rep.Details, &rep.Weight, &rep.WeightRule, &rep.CreatedAt)
		rep.Reason = parley.ReportReason(reason)
		return &rep, err
	})
	return out, translate(err)
}
