package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley"
)

// ReportService implements parley.ReportService.
type ReportService struct{ db *DB }

// NewReportService returns a ReportService on db.
func NewReportService(db *DB) *ReportService { return &ReportService{db: db} }

// ReportComment records the caller's report; each user reports a comment once.
func (s *ReportService) ReportComment(ctx context.Context, in parley.ReportInput) (*parley.Comment, error) {
	u, err := requireUser(ctx)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
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
			INSERT INTO reports (id, comment_id, user_id, reason, details) VALUES ($1, $2, $3, $4, $5)`,
			id, c.ID, u.ID, string(in.Reason), in.Details); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE comments SET report_count = report_count + 1 WHERE id = $1`, c.ID); err != nil {
			return err
		}
		return insertEvent(ctx, tx, parley.Event{Kind: parley.EventCommentReported, SiteID: c.SiteID, StoryID: c.StoryID,
			Payload: map[string]any{"reportID": id, "commentID": c.ID, "userID": u.ID, "reason": in.Reason, "details": in.Details}})
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}
