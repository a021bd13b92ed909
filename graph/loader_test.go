package graph_test

import (
	"fmt"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/graph"
	"github.com/parleyhq/parley/postgres/postgrestest"
)

// TestDataloaderQueryCount reads a page of 10 and a page of 100 comments, each with its
// author (and the author's role on the site, as the widget asks for staff badges), story,
// parent and reactions, and checks both cost the same number of SQL statements: the loaders
// batch per field, so the cost does not grow with the page. It has a database of its own so
// that no other test's statements are counted. Comment.rejectionReason costs one more for a
// page of rejected comments, whatever its size.
func TestDataloaderQueryCount(t *testing.T) {
	s := newStack(postgrestest.MustOpenDB(t), graph.Options{})
	defer s.Close()
	admin := s.MustAdmin(t)
	st := s.MustCreateSite(t, admin)
	authors := []*client{s.MustSignUp(t), s.MustSignUp(t), s.MustSignUp(t), s.MustSignUp(t)}
	reader := s.MustSignUp(t)
	s.MustGrant(t, st.ID, authors[0], parley.RoleModerator)
	wantRole := map[string]string{authors[0].User.ID: "MODERATOR"}
	for _, a := range authors[1:] {
		wantRole[a.User.ID] = "COMMENTER"
	}
	small, large := s.MustStory(t, st), s.MustStory(t, st)
	for _, story := range []struct {
		id string
		n  int
	}{{small, 10}, {large, 100}} {
		for i := range story.n {
			a := authors[i%len(authors)]
			id := a.MustComment(t, story.id, "", "comment")
			authors[(i+1)%len(authors)].MustDo(t, addReaction, in("commentID", id, "kind", "respect"), nil)
			if i%3 == 0 {
				reader.MustDo(t, addReaction, in("commentID", id, "kind", "funny"), nil)
			}
		}
	}

	const q = `query($id: ID, $first: Int, $site: ID!) { story(id: $id) { id title commentCount comments(first: $first) {
		edges { cursor node { id body createdAt author { id username role(siteID: $site) } story { id } parent { id }
			reactions { kind count viewerReacted } } } pageInfo { hasNextPage endCursor } } } }`
	cost := func(storyID string, first int) int64 {
		before := s.DB.QueryCount()
		var out struct {
			Story struct {
				Comments struct {
					Edges []struct {
						Node struct {
							Author    *struct{ ID, Role string }
							Reactions []reactionJSON
						}
					}
				}
			}
		}
		reader.MustDo(t, q, map[string]any{"id": storyID, "first": first, "site": st.ID}, &out)
		edges := out.Story.Comments.Edges
		if len(edges) != first {
			t.Fatalf("%d comments served, want %d", len(edges), first)
		}
		for _, e := range edges {
			if e.Node.Author == nil || len(e.Node.Reactions) == 0 {
				t.Fatalf("comment without author or reactions: %+v", e.Node)
			}
			if a := e.Node.Author; a.Role != wantRole[a.ID] {
				t.Fatalf("author %s has role %q, want %q", a.ID, a.Role, wantRole[a.ID])
			}
		}
		return s.DB.QueryCount() - before
	}
	ten, hundred := cost(small, 10), cost(large, 100)
	t.Logf("SQL statements: %d for a page of 10 comments, %d for a page of 100", ten, hundred)
	if ten != hundred {
		t.Errorf("a page of 100 costs %d statements and a page of 10 costs %d; want the same", hundred, ten)
	}

	t.Run("rejectionReason costs one statement for a page of rejected comments and none for a page of published ones", func(t *testing.T) {
		mod := authors[0]
		const queue = `query($id: ID, $first: Int) { moderationQueue(queue: REJECTED, storyID: $id, first: $first) {
			edges { node { id status %s } } } }`
		const stories = `query($id: ID, $first: Int) { story(id: $id) { comments(first: $first) { edges { node { id status %s } } } } }`
		type edges []struct {
			Node struct{ RejectionReason *string }
		}
		cost := func(query, storyID string, first int, reason string) int64 {
			before := s.DB.QueryCount()
			var out struct {
				ModerationQueue struct{ Edges edges }
				Story           struct{ Comments struct{ Edges edges } }
			}
			mod.MustDo(t, query, map[string]any{"id": storyID, "first": first}, &out)
			edges := append(out.ModerationQueue.Edges, out.Story.Comments.Edges...)
			if len(edges) != first {
				t.Fatalf("%d comments served, want %d", len(edges), first)
			}
			for _, e := range edges {
				if got := e.Node.RejectionReason; reason == "" && got != nil || reason != "" && (got == nil || *got != reason) {
					t.Fatalf("rejectionReason = %v, want %q", got, reason)
				}
			}
			return s.DB.QueryCount() - before
		}
		for _, n := range []int{10, 100} {
			story := s.MustStory(t, st)
			ids := make([]string, n)
			for i := range ids {
				ids[i] = authors[i%len(authors)].MustComment(t, story, "", "rejected")
			}
			mod.MustDo(t, `mutation($in: BulkModerateInput!) { bulkRejectComments(input: $in) { comments { id } } }`,
				in("commentIDs", ids, "reason", "OFF_TOPIC"), nil)
			without, with := cost(fmt.Sprintf(queue, ""), story, n, ""), cost(fmt.Sprintf(queue, "rejectionReason"), story, n, "OFF_TOPIC")
			if with != without+1 {
				t.Errorf("a queue page of %d rejected comments costs %d statements with rejectionReason and %d without; want one more", n, with, without)
			}
		}
		if without, with := cost(fmt.Sprintf(stories, ""), large, 100, ""), cost(fmt.Sprintf(stories, "rejectionReason"), large, 100, ""); with != without {
			t.Errorf("a page of 100 published comments costs %d statements with rejectionReason and %d without; want the same", with, without)
		}
	})
	t.Run("storyCounts costs one statement whatever the number of URLs", func(t *testing.T) {
		cost := func(urls []string) int64 {
			before := s.DB.QueryCount()
			var out struct{ StoryCounts []struct{ CommentCount int } }
			s.anonymous().MustDo(t, `query($urls: [String!]!) { storyCounts(urls: $urls) { url commentCount story { id commentCount } } }`,
				map[string]any{"urls": urls}, &out)
			if len(out.StoryCounts) != len(urls) {
				t.Fatalf("%d answers for %d URLs", len(out.StoryCounts), len(urls))
			}
			return s.DB.QueryCount() - before
		}
		var few, many []string
		for i := range parley.MaxStoryCountURLs {
			u := fmt.Sprintf("%s/page-%d", st.Origin, i)
			if i < 3 {
				few = append(few, u)
			}
			many = append(many, u)
		}
		// Two of them have stories, and comments.
		var story struct{ Story struct{ ID string } }
		s.anonymous().MustDo(t, `query($url: String) { story(url: $url) { id } }`, map[string]any{"url": few[0]}, &story)
		authors[0].MustComment(t, story.Story.ID, "", "counted")
		s.anonymous().MustDo(t, `query($url: String) { story(url: $url) { id } }`, map[string]any{"url": many[99]}, &story)
		if n3, n100 := cost(few), cost(many); n3 != 1 || n100 != 1 {
			t.Errorf("storyCounts costs %d statements for 3 URLs and %d for 100; want 1", n3, n100)
		}
	})
	t.Run("author of a deleted account is null", func(t *testing.T) {
		gone := s.MustSignUp(t)
		id := gone.MustComment(t, small, "", "soon orphaned")
		postgrestest.Exec(t, s.DB, `DELETE FROM users WHERE id = $1`, gone.User.ID)
		r := s.anonymous().Do(t, readComment, map[string]any{"id": id})
		var out struct{ Comment commentJSON }
		if len(r.Errors) > 0 || r.Status != 200 {
			t.Fatalf("answer = %s", r.Raw)
		}
		mustUnmarshal(t, r.Data, &out)
		if out.Comment.Author != nil {
			t.Errorf("author = %+v, want null", out.Comment.Author)
		}
	})
}
