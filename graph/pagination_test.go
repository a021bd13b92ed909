package graph_test

import (
	"cmp"
	"slices"
	"testing"
	"time"
)

type pageJSON struct {
	Edges []struct {
		Cursor string
		Node   struct {
			ID         string
			CreatedAt  time.Time
			ReplyCount int
			Reactions  []reactionJSON
		}
	}
	PageInfo struct {
		HasNextPage bool
		EndCursor   *string
	}
}

const pageFields = `edges { cursor node { id createdAt replyCount reactions { kind count viewerReacted } } } pageInfo { hasNextPage endCursor }`

const storyPage = `query($id: ID, $first: Int, $after: String, $order: CommentOrder) {
	story(id: $id) { comments(first: $first, after: $after, orderBy: $order) { ` + pageFields + ` } } }`

// readAll pages through a story's comments and returns the IDs in the order served, failing
// on a page that repeats an ID or a pageInfo that disagrees with its edges.
func readAll(t *testing.T, c *client, storyID, order string, first int) ([]string, map[string]sortKey) {
	t.Helper()
	var ids []string
	keys := map[string]sortKey{}
	var after any
	for pages := 0; ; pages++ {
		if pages > 100 {
			t.Fatal("pagination does not end")
		}
		var out struct{ Story struct{ Comments pageJSON } }
		c.MustDo(t, storyPage, map[string]any{"id": storyID, "first": first, "after": after, "order": order}, &out)
		p := out.Story.Comments
		if len(p.Edges) > first || (p.PageInfo.HasNextPage && len(p.Edges) != first) {
			t.Fatalf("page of %d edges with first %d, hasNextPage %v", len(p.Edges), first, p.PageInfo.HasNextPage)
		}
		for _, e := range p.Edges {
			if _, dup := keys[e.Node.ID]; dup {
				t.Fatalf("%s: comment %s served twice", order, e.Node.ID)
			}
			n := 0
			for _, r := range e.Node.Reactions {
				n += r.Count
			}
			keys[e.Node.ID] = sortKey{created: e.Node.CreatedAt, replies: e.Node.ReplyCount, reactions: n, id: e.Node.ID}
			ids = append(ids, e.Node.ID)
		}
		if len(p.Edges) > 0 && (p.PageInfo.EndCursor == nil || *p.PageInfo.EndCursor != p.Edges[len(p.Edges)-1].Cursor) {
			t.Fatalf("endCursor %v is not the last edge's cursor", p.PageInfo.EndCursor)
		}
		if !p.PageInfo.HasNextPage {
			return ids, keys
		}
		after = *p.PageInfo.EndCursor
	}
}

type sortKey struct {
	created            time.Time
	replies, reactions int
	id                 string
}

// expectedOrder is each order's definition: the count (for MOST_*), then newest first, with
// the ID as the final tie-breaker.
func expectedOrder(order string, keys map[string]sortKey) []string {
	var ks []sortKey
	for _, k := range keys {
		ks = append(ks, k)
	}
	newest := func(a, b sortKey) int { return cmp.Or(b.created.Compare(a.created), cmp.Compare(b.id, a.id)) }
	slices.SortFunc(ks, func(a, b sortKey) int {
		switch order {
		case "OLDEST":
			return -newest(a, b)
		case "MOST_REPLIES":
			return cmp.Or(cmp.Compare(b.replies, a.replies), newest(a, b))
		case "MOST_REACTIONS":
			return cmp.Or(cmp.Compare(b.reactions, a.reactions), newest(a, b))
		}
		return newest(a, b)
	})
	ids := make([]string, len(ks))
	for i, k := range ks {
		ids[i] = k.id
	}
	return ids
}

func TestPagination(t *testing.T) {
	t.Parallel()
	s := shared
	w := s.MustWorld(t)
	story := s.MustStory(t, w.Site)
	reactors := []*client{w.Other, w.Moderator, w.Admin}
	kinds := []string{"respect", "insightful", "funny", "sad"}
	const n = 23
	var top []string
	for i := range n {
		id := w.Author.MustComment(t, story, "", "comment")
		top = append(top, id)
		for range i % 4 {
			w.Other.MustComment(t, story, id, "reply")
		}
		for j := range (i * 5) % 7 {
			reactors[j%3].MustDo(t, addReaction, in("commentID", id, "kind", kinds[j/3]), nil)
		}
	}

	for _, order := range []string{"NEWEST", "OLDEST", "MOST_REPLIES", "MOST_REACTIONS"} {
		for _, first := range []int{1, 5, 23, 100} {
			ids, keys := readAll(t, w.Other, story, order, first)
			if len(ids) != n {
				t.Fatalf("%s by %d: %d comments served, want %d", order, first, len(ids), n)
			}
			if want := expectedOrder(order, keys); !slices.Equal(ids, want) {
				t.Errorf("%s by %d:\n got %v\nwant %v", order, first, ids, want)
			}
		}
	}

	t.Run("replies page oldest first", func(t *testing.T) {
		parent := top[3] // three replies
		const q = `query($id: ID!, $after: String) { comment(id: $id) { replies(first: 2, after: $after) { ` + pageFields + ` } } }`
		var first, second struct{ Comment struct{ Replies pageJSON } }
		s.anonymous().MustDo(t, q, map[string]any{"id": parent}, &first)
		p := first.Comment.Replies
		if len(p.Edges) != 2 || !p.PageInfo.HasNextPage || !p.Edges[0].Node.CreatedAt.Before(p.Edges[1].Node.CreatedAt) {
			t.Fatalf("first page = %+v", p)
		}
		s.anonymous().MustDo(t, q, map[string]any{"id": parent, "after": *p.PageInfo.EndCursor}, &second)
		if p2 := second.Comment.Replies; len(p2.Edges) != 1 || p2.PageInfo.HasNextPage || p2.Edges[0].Node.ID == p.Edges[1].Node.ID {
			t.Errorf("second page = %+v", p2)
		}
	})
	t.Run("empty page has no end cursor", func(t *testing.T) {
		var out struct{ Comment struct{ Replies pageJSON } }
		s.anonymous().MustDo(t, `query($id: ID!) { comment(id: $id) { replies { `+pageFields+` } } }`, map[string]any{"id": top[0]}, &out)
		if p := out.Comment.Replies; len(p.Edges) != 0 || p.PageInfo.HasNextPage || p.PageInfo.EndCursor != nil {
			t.Errorf("page = %+v", p)
		}
	})
}

func TestPaginationArguments(t *testing.T) {
	t.Parallel()
	s := shared
	w := s.MustWorld(t)
	page := func(first, after, order any) map[string]any {
		return map[string]any{"id": w.StoryID, "first": first, "after": after, "order": order}
	}
	var out struct{ Story struct{ Comments pageJSON } }
	s.anonymous().MustDo(t, storyPage, page(1, nil, "NEWEST"), &out)
	cursor := out.Story.Comments.Edges[0].Cursor

	for _, tc := range []struct {
		name  string
		vars  map[string]any
		field string
	}{
		{"first above 100 is invalid", page(101, nil, nil), "first"},
		{"first of 0 is invalid", page(0, nil, nil), "first"},
		{"garbage cursor is invalid", page(10, "not a cursor", nil), "after"},
		{"cursor of another order is invalid", page(10, cursor, "OLDEST"), "after"},
		{"overlong cursor is invalid", page(10, string(make([]byte, 300)), nil), "after"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := s.anonymous().MustFail(t, "INVALID", storyPage, tc.vars)
			if r.Errors[0].Extensions["field"] != tc.field {
				t.Errorf("extensions = %v, want field %s", r.Errors[0].Extensions, tc.field)
			}
		})
	}
	t.Run("unknown order is invalid", func(t *testing.T) {
		s.anonymous().MustFail(t, "INVALID", storyPage, page(10, nil, "RANDOM"))
	})
}
