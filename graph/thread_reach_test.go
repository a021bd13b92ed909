package graph_test

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"testing"

	"github.com/parleyhq/parley/postgres/postgrestest"
)

// What a reader reaches of a story by paging it as the widget does: the story's top-level
// comments page by page, and below each comment its replies page by page. Pages hold two
// comments, so that cursors are used at every level.

type reachNode struct {
	ID         string
	Status     string
	Body       string
	BodySource string
	ReplyCount int
	Author     *struct{ ID string }
	Parent     *struct{ ID string }
	Replies    *reachConn
}

type reachConn struct {
	Edges []struct {
		Node reachNode
	}
	PageInfo struct {
		HasNextPage bool
		EndCursor   *string
	}
}

const reachFields = `id status body bodySource replyCount author { id } parent { id }`

// replyLevels is how many levels of replies a read asks for inline, below the comments it
// reads: enough for the deepest thread a site allows (maxDepth 4), so that only further
// pages need a read of their own.
const replyLevels = 5

// reachConn returns a connection's selection with levels of replies inline below each node.
func reachConnOf(levels int) string {
	replies := ""
	if levels > 0 {
		replies = ` replies(first: 2) { ` + reachConnOf(levels-1) + ` }`
	}
	return `edges { node { ` + reachFields + replies + ` } } pageInfo { hasNextPage endCursor }`
}

var (
	reachStory = `query($id: ID, $after: String, $order: CommentOrder) { story(id: $id) { commentCount
		comments(first: 2, after: $after, orderBy: $order) { ` + reachConnOf(replyLevels) + ` } } }`
	reachComment = `query($id: ID!, $after: String) { comment(id: $id) { id replies(first: 2, after: $after) { ` + reachConnOf(replyLevels-1) + ` } } }`
)

// reached is what one reader reached: each comment once, and the replies found below each.
type reached struct {
	commentCount int
	nodes        map[string]reachNode
	children     map[string][]string // "" holds the top-level comments
}

// reachCounter counts the requests a reach sends and how many the read cache answered.
type reachCounter struct{ requests, hits int }

// reach pages the whole story as c, in order at the top level.
func reach(tb testing.TB, c *client, storyID, order string, n *reachCounter) (*reached, error) {
	tb.Helper()
	r := &reached{nodes: map[string]reachNode{}, children: map[string][]string{}}
	type follow struct {
		id    string
		after *string
	}
	var pending []follow
	var visit func(parentID string, conn *reachConn) error
	visit = func(parentID string, conn *reachConn) error {
		for _, e := range conn.Edges {
			node := e.Node
			if _, dup := r.nodes[node.ID]; dup {
				return fmt.Errorf("comment %s came twice", node.ID)
			}
			r.nodes[node.ID] = node
			r.children[parentID] = append(r.children[parentID], node.ID)
			if node.Replies == nil {
				pending = append(pending, follow{id: node.ID})
			} else if err := visit(node.ID, node.Replies); err != nil {
				return err
			}
		}
		if conn.PageInfo.HasNextPage && parentID != "" {
			pending = append(pending, follow{id: parentID, after: conn.PageInfo.EndCursor})
		}
		return nil
	}
	var after *string
	for first := true; first || after != nil; first = false {
		var out struct {
			Story *struct {
				CommentCount int
				Comments     reachConn
			}
		}
		if err := reachDo(tb, c, reachStory, map[string]any{"id": storyID, "after": after, "order": order}, &out, n); err != nil {
			return nil, err
		}
		if out.Story == nil {
			return nil, fmt.Errorf("story %s not found", storyID)
		}
		if !first && out.Story.CommentCount != r.commentCount {
			return nil, fmt.Errorf("commentCount %d on one page, %d on the next", r.commentCount, out.Story.CommentCount)
		}
		r.commentCount = out.Story.CommentCount
		if err := visit("", &out.Story.Comments); err != nil {
			return nil, err
		}
		after = nil
		if out.Story.Comments.PageInfo.HasNextPage {
			after = out.Story.Comments.PageInfo.EndCursor
		}
	}
	for len(pending) > 0 {
		f := pending[0]
		pending = pending[1:]
		var out struct {
			Comment *struct {
				ID      string
				Replies reachConn
			}
		}
		if err := reachDo(tb, c, reachComment, map[string]any{"id": f.id, "after": f.after}, &out, n); err != nil {
			return nil, fmt.Errorf("replies of %s, which the reader reached: %w", f.id, err)
		}
		if out.Comment == nil {
			return nil, fmt.Errorf("comment %s, which the reader reached, is null", f.id)
		}
		if err := visit(f.id, &out.Comment.Replies); err != nil {
			return nil, err
		}
	}
	return r, nil
}

func reachDo(tb testing.TB, c *client, query string, vars map[string]any, out any, n *reachCounter) error {
	tb.Helper()
	res := c.Do(tb, query, vars)
	n.requests++
	if res.Header.Get("X-Cache") == "hit" {
		n.hits++
	}
	if len(res.Errors) > 0 || res.Status != http.StatusOK {
		return fmt.Errorf("status %d: %s", res.Status, res.Raw)
	}
	mustUnmarshal(tb, res.Data, out)
	return nil
}

// countsAgree is the property of issue 18: every count a reader is shown equals what that
// reader reaches by paging. A story's commentCount counts the published comments reached
// (placeholders and the reader's own pending or rejected comments are not comments of the
// discussion); a comment's replyCount counts the replies reached below it.
func (r *reached) countsAgree() error {
	published := 0
	for _, n := range r.nodes {
		if n.Status == "PUBLISHED" {
			published++
		}
	}
	if r.commentCount != published {
		return fmt.Errorf("commentCount is %d; %d published comments reached", r.commentCount, published)
	}
	for id, n := range r.nodes {
		if got := len(r.children[id]); n.ReplyCount != got {
			return fmt.Errorf("comment %s (%s) says replyCount %d; %d replies reached", id, n.Status, n.ReplyCount, got)
		}
	}
	return nil
}

// truthRow is one comment as stored.
type truthRow struct {
	id, parent, author, status, source string
}

// storedThread reads a story's comments from the database, the truth what readers reach is
// checked against.
func storedThread(tb testing.TB, s *stack, storyID string) []truthRow {
	tb.Helper()
	rows, err := postgrestest.Pool(tb, s.DB).Query(context.Background(), `
		SELECT id::text, coalesce(parent_id::text, ''), coalesce(author_id::text, ''), status, body_source
		FROM comments WHERE story_id = $1 ORDER BY depth DESC, created_at, id`, storyID)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var out []truthRow
	for rows.Next() {
		var t truthRow
		if err := rows.Scan(&t.id, &t.parent, &t.author, &t.status, &t.source); err != nil {
			tb.Fatal(err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// matchesRule checks what a reader (viewerID, "" when anonymous; moderator when they
// moderate the site) reached against the rule, from the stored comments: they reach every
// comment they may read (published ones, their own pending or rejected ones), every comment
// above one of those as a placeholder, and nothing else; a placeholder shows neither body nor
// author unless the reader moderates the site or wrote it.
func (r *reached) matchesRule(truth []truthRow, viewerID string, moderator bool) error {
	shows := map[string]bool{}
	byID := map[string]truthRow{}
	for _, t := range truth { // deepest first, so a reply is decided before its parent
		byID[t.id] = t
		own := viewerID != "" && t.author == viewerID
		if t.status == "PUBLISHED" || own && (t.status == "PENDING" || t.status == "REJECTED") {
			shows[t.id] = true
		}
		if shows[t.id] && t.parent != "" {
			shows[t.parent] = true
		}
	}
	var missing, extra []string
	for id := range shows {
		if _, ok := r.nodes[id]; !ok {
			missing = append(missing, id+" ("+byID[id].status+")")
		}
	}
	for id, n := range r.nodes {
		t, ok := byID[id]
		if !ok || !shows[id] {
			extra = append(extra, id+" ("+n.Status+")")
			continue
		}
		if n.Status != t.status {
			return fmt.Errorf("comment %s reads %s, stored %s", id, n.Status, t.status)
		}
		if n.Parent == nil && t.parent != "" || n.Parent != nil && n.Parent.ID != t.parent {
			return fmt.Errorf("comment %s names parent %v, stored %q", id, n.Parent, t.parent)
		}
		whole := t.status == "PUBLISHED" || moderator || viewerID != "" && t.author == viewerID
		switch {
		case !whole && (n.Body != "" || n.BodySource != "" || n.Author != nil):
			return fmt.Errorf("placeholder %s (%s) shows body %q or author %v", id, t.status, n.BodySource, n.Author)
		case whole && n.BodySource != t.source:
			return fmt.Errorf("comment %s reads %q, stored %q", id, n.BodySource, t.source)
		case whole && t.author != "" && (n.Author == nil || n.Author.ID != t.author):
			return fmt.Errorf("comment %s names author %v, stored %q", id, n.Author, t.author)
		}
	}
	if len(missing) > 0 || len(extra) > 0 {
		sort.Strings(missing)
		sort.Strings(extra)
		return fmt.Errorf("not reached: %v; reached though the rule hides them: %v", missing, extra)
	}
	return nil
}

// same reports whether two reaches found the same comments with the same counts, for a
// cached answer against a fresh one.
func (r *reached) same(o *reached) error {
	if r.commentCount != o.commentCount || len(r.nodes) != len(o.nodes) {
		return fmt.Errorf("commentCount %d and %d comments, then %d and %d", r.commentCount, len(r.nodes), o.commentCount, len(o.nodes))
	}
	for id, n := range r.nodes {
		m, ok := o.nodes[id]
		if !ok || m.Status != n.Status || m.ReplyCount != n.ReplyCount || m.BodySource != n.BodySource {
			return fmt.Errorf("comment %s: %+v, then %+v", id, n, m)
		}
	}
	return nil
}
