package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley"
)

// moderatedComments returns which of ids are comments of sites the caller moderates, with
// an empty list each: what FindModerations and FindReports let them read, read for many
// comments at once (a moderator finds every comment of their site whole).
func moderatedComments[T any](ctx context.Context, q querier, ids []string) (map[string][]T, []string, error) {
	out := map[string][]T{}
	u := parley.UserFromContext(ctx)
	if ids = validIDs(ids); u == nil || len(ids) == 0 {
		return out, nil, nil
	}
	rows, err := q.Query(ctx, `SELECT id::text, site_id::text FROM comments WHERE id = ANY($1::uuid[])`, ids)
	if err != nil {
		return nil, nil, err
	}
	type found struct{ id, site string }
	comments, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (found, error) {
		var f found
		return f, r.Scan(&f.id, &f.site)
	})
	if err != nil {
		return nil, nil, err
	}
	moderates := map[string]bool{}
	var allowed []string
	for _, c := range comments {
		mod, ok := moderates[c.site]
		if !ok {
			role, err := siteRole(ctx, q, c.site, u)
			if err != nil {
				return nil, nil, err
			}
			mod = role.AtLeast(parley.RoleModerator)
			moderates[c.site] = mod
		}
		if mod {
			out[c.id] = []T{}
			allowed = append(allowed, c.id)
		}
	}
	return out, allowed, nil
}

// ModerationsOf answers FindModerations for the comments the caller moderates, in one
// statement.
func (s *CommentService) ModerationsOf(ctx context.Context, commentIDs []string) (map[string][]*parley.ModerationRecord, error) {
	out, allowed, err := moderatedComments[*parley.ModerationRecord](ctx, s.db.pool, commentIDs)
	if err != nil || len(allowed) == 0 {
		return out, translate(err)
	}
	rows, err := s.db.pool.Query(ctx, `
		SELECT `+moderationColumns+`
		FROM comment_moderations WHERE comment_id = ANY($1::uuid[]) ORDER BY created_at, id`, allowed)
	if err != nil {
		return nil, translate(err)
	}
	records, err := pgx.CollectRows(rows, scanModeration)
	if err != nil {
		return nil, translate(err)
	}
	for _, m := range records {
		out[m.CommentID] = append(out[m.CommentID], m)
	}
	return out, nil
}

// ReportsOf answers FindReports for the comments the caller moderates, in one statement.
func (s *ReportService) ReportsOf(ctx context.Context, commentIDs []string) (map[string][]*parley.Report, error) {
	out, allowed, err := moderatedComments[*parley.Report](ctx, s.db.pool, commentIDs)
	if err != nil || len(allowed) == 0 {
		return out, translate(err)
	}
	rows, err := s.db.pool.Query(ctx, `
		SELECT id, comment_id, user_id, reason, details, weight, weight_rule, created_at FROM reports
		WHERE comment_id = ANY($1::uuid[]) ORDER BY created_at DESC, id DESC`, allowed)
	if err != nil {
		return nil, translate(err)
	}
	reports, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*parley.Report, error) {
		var rep parley.Report
		var reason string
		err := r.Scan(&rep.ID, &rep.CommentID, &rep.UserID, &reason, &rep.Details, &rep.Weight, &rep.WeightRule, &rep.CreatedAt)
		rep.Reason = parley.ReportReason(reason)
		return &rep, err
	})
	if err != nil {
		return nil, translate(err)
	}
	for _, rep := range reports {
		out[rep.CommentID] = append(out[rep.CommentID], rep)
	}
	return out, nil
}
