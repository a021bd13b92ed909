package postgres

import (
	"context"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley"
)

// What a caller finds of a story's comments, by paging its top-level comments and each
// comment's replies:
//
//   - every published comment, whole;
//   - their own pending and rejected comments, whole (deleting one is how its author
//     dismisses it);
//   - placeholders: a comment the caller may not read (deleted, rejected, or held after an
//     edit, and not theirs) stays in its place, with its status but without body or author,
//     while a reply below it shows to the caller, so that the replies stay reachable. The
//     site's moderators read a placeholder whole.
//
// Nothing else. Counts agree with it: a comment's replyCount is how many direct replies the
// caller finds below it (reply_count, which every reader shares, plus the caller's own hidden
// comments and the placeholders above them), and the story's count is how many published
// comments it holds, every one of which each reader finds.

// sharedSQL is the SQL test for a comment that shows to every reader (see shared).
const sharedSQL = `(status = 'PUBLISHED' OR reply_count > 0)`

// mineCTE is the SQL of "mine": the caller's (viewer) own pending and rejected comments, in
// the stories that stories selects, that show to no one else, and the comments above each up
// to the first one that shows to everyone ("shared" says which). Each shows to the caller;
// those that are not theirs, as placeholders. The partial index comments_hidden_author_idx
// (migration 0020, status <> 'PUBLISHED') finds the few hidden comments of one author on one
// story.
func mineCTE(viewer, stories string) string {
	return `mine AS (
		SELECT id, parent_id, false AS shared FROM comments
		WHERE author_id = ` + viewer + ` AND story_id ` + stories + ` AND status IN ('PENDING', 'REJECTED') AND reply_count = 0
		UNION
		SELECT p.id, p.parent_id, p.status = 'PUBLISHED' OR p.reply_count > 0
		FROM comments p JOIN mine m ON p.id = m.parent_id WHERE NOT m.shared
	)`
}

// personalColumns follow commentColumns when reading for a signed-in caller: how many of the
// comment's direct replies show to the caller alone, and whether it leads to (or is) one of
// the caller's hidden comments. anonymousColumns are the same for nobody.
const (
	personalColumns  = `(SELECT count(*) FROM mine m WHERE m.parent_id = comments.id AND NOT m.shared)::int, comments.id IN (SELECT id FROM mine)`
	anonymousColumns = `0, false`
)

// sighted is a comment as read with personalColumns or anonymousColumns.
type sighted struct {
	c *parley.Comment
	// own is how many direct replies show to the caller alone; leads tells whether the
	// comment shows to the caller because of a hidden comment of theirs at or below it.
	own   int
	leads bool
}

func collectSighted(rows pgx.Rows, err error) ([]sighted, error) {
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (sighted, error) {
		var s sighted
		var err error
		s.c, err = scanCommentWith(r, &s.own, &s.leads)
		return s, err
	})
}

// sight decides for one caller what they read of comments: whole, or as placeholders.
type sight struct {
	ctx       context.Context
	q         querier
	u         *parley.User
	moderates map[string]bool
}

func newSight(ctx context.Context, q querier) *sight {
	return &sight{ctx: ctx, q: q, u: parley.UserFromContext(ctx), moderates: map[string]bool{}}
}

// whole reports whether the caller may read c whole: anyone a published comment, an author
// their own, the site's moderators every comment of it.
func (s *sight) whole(c *parley.Comment) (bool, error) {
	if c.Status == parley.StatusPublished {
		return true, nil
	}
	if s.u == nil {
		return false, nil
	}
	if c.AuthorID != "" && c.AuthorID == s.u.ID {
		return true, nil
	}
	mod, ok := s.moderates[c.SiteID]
	if !ok {
		role, err := siteRole(s.ctx, s.q, c.SiteID, s.u)
		if err != nil {
			return false, err
		}
		mod = role.AtLeast(parley.RoleModerator)
		s.moderates[c.SiteID] = mod
	}
	return mod, nil
}

// find returns what the caller finds of each comment, in order: the comment whole, its
// placeholder, or nothing when it shows to them neither way.
func (s *sight) find(rows []sighted) ([]*parley.Comment, error) {
	out := make([]*parley.Comment, 0, len(rows))
	for _, r := range rows {
		c := r.c
		c.ReplyCount = c.SharedReplyCount + r.own
		whole, err := s.whole(c)
		switch {
		case err != nil:
			return nil, err
		case whole:
			out = append(out, c)
		case c.SharedReplyCount > 0 || r.leads:
			out = append(out, placeholder(c))
		}
	}
	return out, nil
}

// placeholder is c without what its reader may not read: its body and its author.
func placeholder(c *parley.Comment) *parley.Comment {
	p := *c
	p.Body, p.BodySource, p.AuthorID = "", "", ""
	return &p
}

// FindCommentByID returns a comment as the caller finds it: whole, or as a placeholder while
// it keeps replies the caller finds in reach.
func (s *CommentService) FindCommentByID(ctx context.Context, id string) (*parley.Comment, error) {
	if !parley.IsID(id) {
		return nil, notFound("Comment")
	}
	found, err := s.FindCommentsByIDs(ctx, []string{id})
	if err != nil {
		return nil, err
	}
	if len(found) == 0 {
		return nil, notFound("Comment")
	}
	return found[0], nil
}

// FindCommentsByIDs returns the comments it finds as the caller finds them (see
// FindCommentByID), in one query and at most one more per site for the caller's role.
func (s *CommentService) FindCommentsByIDs(ctx context.Context, ids []string) ([]*parley.Comment, error) {
	ids = validIDs(ids)
	if len(ids) == 0 {
		return nil, nil
	}
	var rows []sighted
	var err error
	if viewer := parley.UserIDFromContext(ctx); viewer != "" {
		rows, err = collectSighted(s.db.pool.Query(ctx, `WITH RECURSIVE `+
			mineCTE(`$2`, `IN (SELECT story_id FROM comments WHERE id = ANY($1::uuid[]))`)+`
			SELECT `+commentColumns+`, `+personalColumns+` FROM comments WHERE id = ANY($1::uuid[])`, ids, viewer))
	} else {
		rows, err = collectSighted(s.db.pool.Query(ctx,
			`SELECT `+commentColumns+`, `+anonymousColumns+` FROM comments WHERE id = ANY($1::uuid[])`, ids))
	}
	if err != nil {
		return nil, translate(err)
	}
	out, err := newSight(ctx, s.db.pool).find(rows)
	return out, translate(err)
}

// findVisibleComment reads a comment as the caller finds it, for changing it (locked, when
// forUpdate): whole, or as a placeholder while a reply below it shows to every reader, on
// which the change then refuses what it must (a reaction, a report). A placeholder that shows
// to the caller alone, above their own hidden comment, is not found here: nothing can be done
// to it.
func findVisibleComment(ctx context.Context, q querier, id string, forUpdate bool) (*parley.Comment, error) {
	c, whole, err := findComment(ctx, q, id, forUpdate)
	switch {
	case err != nil:
		return nil, err
	case whole:
		return c, nil
	case c.SharedReplyCount > 0:
		return placeholder(c), nil
	}
	return nil, notFound("Comment")
}

// findWholeComment reads a comment that the caller may read whole, for what only its readers
// may see (its earlier bodies).
func findWholeComment(ctx context.Context, q querier, id string) (*parley.Comment, error) {
	c, whole, err := findComment(ctx, q, id, false)
	if err != nil {
		return nil, err
	}
	if !whole {
		return nil, notFound("Comment")
	}
	return c, nil
}

// findComment reads a comment and whether the caller may read it whole.
func findComment(ctx context.Context, q querier, id string, forUpdate bool) (*parley.Comment, bool, error) {
	if !parley.IsID(id) {
		return nil, false, notFound("Comment")
	}
	sql := `SELECT ` + commentColumns + ` FROM comments WHERE id = $1`
	if forUpdate {
		sql += ` FOR UPDATE`
	}
	c, err := scanComment(q.QueryRow(ctx, sql, id))
	if err != nil {
		return nil, false, translateNotFound(err, "Comment")
	}
	whole, err := newSight(ctx, q).whole(c)
	return c, whole, err
}

// pageSQL builds the query of a page of comments in scope ($1), with $2 the page size plus
// one. A signed-in caller's query also finds their hidden comments, with $3 the caller and $4
// the story. after adds the cursor's key (time, ID, then count when countCol is the sort's
// count) as the next three parameters. Each order matches one index of migration 0001, so a
// page is a range scan whatever its depth.
func pageSQL(scope, order, compare, countCol string, personal, after bool) string {
	sql := `SELECT ` + commentColumns + `, ` + anonymousColumns + ` FROM comments WHERE ` + scope + ` AND ` + sharedSQL
	next := 3
	if personal {
		sql = `WITH RECURSIVE ` + mineCTE(`$3`, `= $4`) + `
			SELECT ` + commentColumns + `, ` + personalColumns + ` FROM comments
			WHERE ` + scope + ` AND (` + sharedSQL + ` OR id IN (SELECT id FROM mine))`
		next = 5
	}
	if after {
		t, id, n := param(next), param(next+1), param(next+2)
		if countCol != "" {
			sql += ` AND (` + countCol + `, created_at, id) ` + compare + ` (` + n + `, ` + t + `, ` + id + `)`
		} else {
			sql += ` AND (created_at, id) ` + compare + ` (` + t + `, ` + id + `)`
		}
	}
	return sql + ` ORDER BY ` + order + ` LIMIT $2`
}

// param names the query's nth placeholder.
func param(n int) string { return "$" + strconv.Itoa(n) }

// pageQuery holds the four queries of one scope and order: anonymous or personal, first page
// or after a cursor.
type pageQuery struct {
	sql     [2][2]string // [personal][after]
	byCount bool
}

var commentPages = func() map[bool]map[parley.CommentOrder]pageQuery {
	pages := map[bool]map[parley.CommentOrder]pageQuery{}
	for _, replies := range []bool{false, true} {
		scope := `story_id = $1 AND parent_id IS NULL`
		if replies {
			scope = `parent_id = $1`
		}
		build := func(order, compare, countCol string) pageQuery {
			var q pageQuery
			for p, personal := range []bool{false, true} {
				for a, after := range []bool{false, true} {
					q.sql[p][a] = pageSQL(scope, order, compare, countCol, personal, after)
				}
			}
			q.byCount = countCol != ""
			return q
		}
		pages[replies] = map[parley.CommentOrder]pageQuery{
			parley.OrderNewest:        build(`created_at DESC, id DESC`, `<`, ``),
			parley.OrderOldest:        build(`created_at, id`, `>`, ``),
			parley.OrderMostReplies:   build(`reply_count DESC, created_at DESC, id DESC`, `<`, `reply_count`),
			parley.OrderMostReactions: build(`reaction_count DESC, created_at DESC, id DESC`, `<`, `reaction_count`),
		}
	}
	return pages
}()

// FindComments returns one page of a story's top-level comments or of a comment's replies,
// as the caller finds them.
func (s *CommentService) FindComments(ctx context.Context, f parley.CommentFilter) (*parley.CommentPage, error) {
	if !f.Order.Valid() {
		return nil, parley.FieldErrorf("orderBy", "Unknown order %q.", f.Order)
	}
	if f.First < 1 || f.First > parley.MaxPageSize {
		return nil, parley.FieldErrorf("first", "first must be between 1 and %d.", parley.MaxPageSize)
	}
	scopeID, replies := f.StoryID, f.ParentID != ""
	if replies {
		scopeID = f.ParentID
	}
	if !parley.IsID(scopeID) {
		return &parley.CommentPage{}, nil
	}
	q := commentPages[replies][f.Order]
	args := []any{scopeID, f.First + 1}
	personal := 0
	if viewer := parley.UserIDFromContext(ctx); viewer != "" {
		storyID, err := s.storyOf(ctx, f)
		if err != nil {
			return nil, err
		}
		personal, args = 1, append(args, viewer, storyID)
	}
	after := 0
	if f.After != nil {
		after, args = 1, append(args, f.After.Time, f.After.ID)
		if q.byCount {
			args = append(args, f.After.Count)
		}
	}
	rows, err := collectSighted(s.db.pool.Query(ctx, q.sql[personal][after], args...))
	if err != nil {
		return nil, translate(err)
	}
	// The extra row only says whether a next page exists; it shows to the caller whatever it
	// is, since the query finds only what does.
	more := len(rows) > f.First
	if more {
		rows = rows[:f.First]
	}
	comments, err := newSight(ctx, s.db.pool).find(rows)
	if err != nil {
		return nil, translate(err)
	}
	return &parley.CommentPage{Comments: comments, HasNextPage: more}, nil
}

// storyOf returns the story of a page: the filter's, or the parent comment's.
func (s *CommentService) storyOf(ctx context.Context, f parley.CommentFilter) (string, error) {
	if f.StoryID != "" || f.ParentID == "" {
		return validID(f.StoryID), nil
	}
	var storyID string
	err := s.db.pool.QueryRow(ctx, `SELECT story_id FROM comments WHERE id = $1`, f.ParentID).Scan(&storyID)
	if noRows(err) {
		return "", nil
	}
	return storyID, translate(err)
}
