package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley"
)

// replyPagesSQL builds the query of the first pages of replies under many comments ($1) at
// once, $2 rows each (the page size plus one), in order: for each parent, in a lateral
// subquery, what pageSQL reads for one, numbered (rn) so that each page keeps its order. A
// signed-in caller's query finds their hidden comments too, with $3 the caller and $4 the
// story. Each parent's page is the range scan of its own (parent_id, order) index.
func replyPagesSQL(order string, personal bool) string {
	cols, where, with := anonymousColumns, sharedSQL, ``
	if personal {
		cols, where, with = personalColumns, `(`+sharedSQL+` OR id IN (SELECT id FROM mine))`, `WITH RECURSIVE `+mineCTE(`$3`, `= $4`)
	}
	return with + `
		SELECT r.* FROM unnest($1::uuid[]) WITH ORDINALITY AS p(parent, n) CROSS JOIN LATERAL (
			SELECT ` + commentColumns + `, ` + cols + `, row_number() OVER (ORDER BY ` + order + `) AS rn
			FROM comments WHERE parent_id = p.parent AND ` + where + `
			ORDER BY ` + order + ` LIMIT $2
		) r ORDER BY p.n, r.rn`
}

var replyPages = func() map[parley.CommentOrder][2]string {
	out := map[parley.CommentOrder][2]string{}
	for o, order := range map[parley.CommentOrder]string{
		parley.OrderNewest:        `created_at DESC, id DESC`,
		parley.OrderOldest:        `created_at, id`,
		parley.OrderMostReplies:   `reply_count DESC, created_at DESC, id DESC`,
		parley.OrderMostReactions: `reaction_count DESC, created_at DESC, id DESC`,
	} {
		out[o] = [2]string{replyPagesSQL(order, false), replyPagesSQL(order, true)}
	}
	return out
}()

// FindReplyPages answers the first page of replies under each of parentIDs, as FindComments
// would one by one, in one statement.
func (s *CommentService) FindReplyPages(ctx context.Context, storyID string, parentIDs []string, order parley.CommentOrder, first int) (map[string]*parley.CommentPage, error) {
	if !order.Valid() {
		return nil, parley.FieldErrorf("orderBy", "Unknown order %q.", order)
	}
	if first < 1 || first > parley.MaxPageSize {
		return nil, parley.FieldErrorf("first", "first must be between 1 and %d.", parley.MaxPageSize)
	}
	out := make(map[string]*parley.CommentPage, len(parentIDs))
	ids := make([]string, 0, len(parentIDs))
	for _, id := range parentIDs {
		if _, dup := out[id]; !dup {
			out[id] = &parley.CommentPage{Comments: []*parley.Comment{}}
			if parley.IsID(id) {
				ids = append(ids, id)
			}
		}
	}
	if len(ids) == 0 {
		return out, nil
	}
	q := replyPages[order]
	args := []any{ids, first + 1}
	personal := 0
	if viewer := parley.UserIDFromContext(ctx); viewer != "" {
		personal, args = 1, append(args, viewer, validID(storyID))
	}
	rows, err := s.db.pool.Query(ctx, q[personal], args...)
	if err != nil {
		return nil, translate(err)
	}
	found, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (sighted, error) {
		var s sighted
		var rn int64
		var err error
		s.c, err = scanCommentWith(r, &s.own, &s.leads, &rn)
		return s, err
	})
	if err != nil {
		return nil, translate(err)
	}
	sight := newSight(ctx, s.db.pool)
	for start := 0; start < len(found); {
		end := start + 1
		for end < len(found) && found[end].c.ParentID == found[start].c.ParentID {
			end++
		}
		rows := found[start:end]
		page := out[rows[0].c.ParentID]
		// As in FindComments, the extra row only says whether a next page exists.
		if page.HasNextPage = len(rows) > first; page.HasNextPage {
			rows = rows[:first]
		}
		if page.Comments, err = sight.find(rows); err != nil {
			return nil, translate(err)
		}
		start = end
	}
	return out, nil
}
