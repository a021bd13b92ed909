package graph_test

import (
	"net/http"
	"strings"
	"testing"
)

// threadNode is a comment as the thread tests read it.
type threadNode struct {
	ID              string
	Status          string
	BodySource      string
	ReplyCount      int
	RejectionReason *string
	Author          *struct{ ID string }
	Replies         struct {
		Edges []struct{ Node threadNode }
	}
}

const threadFields = `id status bodySource replyCount rejectionReason author { id }`

const readThread = `query($id: ID) { story(id: $id) { commentCount comments(first: 10) { edges { node { ` + threadFields + `
	replies(first: 10) { edges { node { ` + threadFields + ` } } } } } } } }`

type threadJSON struct {
	Story struct {
		CommentCount int
		Comments     struct {
			Edges []struct{ Node threadNode }
		}
	}
}

func mustThread(t *testing.T, c *client, storyID string) threadJSON {
	t.Helper()
	var out threadJSON
	c.MustDo(t, readThread, map[string]any{"id": storyID}, &out)
	return out
}

// top returns the top-level comments read, by ID.
func (th threadJSON) top() map[string]threadNode {
	out := map[string]threadNode{}
	for _, e := range th.Story.Comments.Edges {
		out[e.Node.ID] = e.Node
	}
	return out
}

// TestRejectedParentKeepsItsReplies is issue 18's first finding: a reply approved, then its
// parent rejected, left "1 comment" and nothing to read.
func TestRejectedParentKeepsItsReplies(t *testing.T) {
	t.Parallel()
	s := shared
	w := s.MustWorld(t)
	reply := w.Other.MustComment(t, w.StoryID, w.CommentID, "An approved reply.")
	w.Moderator.MustDo(t, approveComment, in("commentID", reply), nil)
	w.Moderator.MustDo(t, rejectComment, in("commentID", w.CommentID, "reason", "OFF_TOPIC"), nil)

	for name, c := range map[string]*client{"an anonymous reader": s.anonymous(), "the reply's author": w.Other} {
		t.Run(name+" finds the parent's place, without its body or author, and the reply below it", func(t *testing.T) {
			th := mustThread(t, c, w.StoryID)
			p, ok := th.top()[w.CommentID]
			if th.Story.CommentCount != 1 || len(th.top()) != 1 || !ok {
				t.Fatalf("commentCount %d, top level %+v", th.Story.CommentCount, th.top())
			}
			if p.Status != "REJECTED" || p.BodySource != "" || p.Author != nil || p.RejectionReason != nil || p.ReplyCount != 1 {
				t.Errorf("placeholder = %+v", p)
			}
			if len(p.Replies.Edges) != 1 || p.Replies.Edges[0].Node.ID != reply || p.Replies.Edges[0].Node.BodySource != "An approved reply." {
				t.Errorf("replies = %+v", p.Replies.Edges)
			}
			var one struct{ Comment threadNode }
			c.MustDo(t, `query($id: ID!) { comment(id: $id) { `+threadFields+` replies { edges { node { id } } } } }`, map[string]any{"id": w.CommentID}, &one)
			if one.Comment.ID != w.CommentID || one.Comment.BodySource != "" || len(one.Comment.Replies.Edges) != 1 {
				t.Errorf("comment(id:) = %+v", one.Comment)
			}
		})
	}
	t.Run("its author and the moderators read it whole", func(t *testing.T) {
		for _, c := range []*client{w.Author, w.Moderator} {
			p := mustThread(t, c, w.StoryID).top()[w.CommentID]
			if p.BodySource != "First!" || p.Author == nil || p.RejectionReason == nil || *p.RejectionReason != "OFF_TOPIC" {
				t.Errorf("%s reads %+v", c.User.Username, p)
			}
		}
	})
	t.Run("storyCounts agrees", func(t *testing.T) {
		var out struct{ StoryCounts []struct{ CommentCount int } }
		var story struct{ Story struct{ URL string } }
		s.anonymous().MustDo(t, `query($id: ID) { story(id: $id) { url } }`, map[string]any{"id": w.StoryID}, &story)
		s.anonymous().MustDo(t, `query($urls: [String!]!) { storyCounts(urls: $urls) { commentCount } }`, map[string]any{"urls": []string{story.Story.URL}}, &out)
		if len(out.StoryCounts) != 1 || out.StoryCounts[0].CommentCount != 1 {
			t.Errorf("storyCounts = %+v, want 1", out.StoryCounts)
		}
	})
	t.Run("once no reply below it shows, the placeholder goes", func(t *testing.T) {
		w.Other.MustDo(t, deleteComment, in("commentID", reply), nil)
		th := mustThread(t, s.anonymous(), w.StoryID)
		if th.Story.CommentCount != 0 || len(th.top()) != 0 {
			t.Errorf("commentCount %d, top level %+v", th.Story.CommentCount, th.top())
		}
		s.anonymous().MustFail(t, "NOT_FOUND", readComment, map[string]any{"id": w.CommentID})
		// Its author still finds it, rejected, with the reason.
		if p, ok := mustThread(t, w.Author, w.StoryID).top()[w.CommentID]; !ok || p.Status != "REJECTED" {
			t.Errorf("the author reads %+v", p)
		}
	})
}

// TestOwnRejectedComment is issue 18's second finding: the author was told live why their
// comment was not published, and after a reload it was gone. It stays, with its reason, for
// its author alone, until they delete it.
func TestOwnRejectedComment(t *testing.T) {
	t.Parallel()
	s := shared
	w := s.MustWorld(t)
	w.Moderator.MustDo(t, rejectComment, in("commentID", w.CommentID, "reason", "OFF_TOPIC"), nil)
	parent := w.Other.MustComment(t, w.StoryID, "", "A comment to answer.")
	reply := w.Author.MustComment(t, w.StoryID, parent, "An answer that goes too far.")
	w.Moderator.MustDo(t, rejectComment, in("commentID", reply, "reason", "ABUSIVE"), nil)

	t.Run("its author finds it after a reload, marked, with the reason, not counted", func(t *testing.T) {
		th := mustThread(t, w.Author, w.StoryID)
		own, ok := th.top()[w.CommentID]
		if !ok || own.Status != "REJECTED" || own.BodySource != "First!" || own.RejectionReason == nil || *own.RejectionReason != "OFF_TOPIC" {
			t.Fatalf("own comment = %+v (found %v)", own, ok)
		}
		if th.Story.CommentCount != 1 {
			t.Errorf("commentCount = %d, want 1 (the other reader's)", th.Story.CommentCount)
		}
		p := th.top()[parent]
		if p.ReplyCount != 1 || len(p.Replies.Edges) != 1 || p.Replies.Edges[0].Node.ID != reply ||
			p.Replies.Edges[0].Node.RejectionReason == nil || *p.Replies.Edges[0].Node.RejectionReason != "ABUSIVE" {
			t.Errorf("the parent of the rejected reply, as its author reads it: %+v", p)
		}
	})
	t.Run("no one else finds it, nor counts it", func(t *testing.T) {
		for name, c := range map[string]*client{"anonymous": s.anonymous(), "another reader": w.Other, "a moderator": w.Moderator} {
			th := mustThread(t, c, w.StoryID)
			if _, ok := th.top()[w.CommentID]; ok || len(th.top()) != 1 || th.top()[parent].ReplyCount != 0 || len(th.top()[parent].Replies.Edges) != 0 {
				t.Errorf("%s reads %+v", name, th.top())
			}
		}
	})
	t.Run("deleting it dismisses it", func(t *testing.T) {
		for _, id := range []string{w.CommentID, reply} {
			w.Author.MustDo(t, deleteComment, in("commentID", id), nil)
		}
		th := mustThread(t, w.Author, w.StoryID)
		if _, ok := th.top()[w.CommentID]; ok || len(th.top()) != 1 || th.top()[parent].ReplyCount != 0 {
			t.Errorf("after deleting, the author reads %+v", th.top())
		}
	})
}

// TestAnswersNameTheirSources checks the headers the read cache keys on.
func TestAnswersNameTheirSources(t *testing.T) {
	t.Parallel()
	s := shared
	w := s.MustWorld(t)
	t.Run("a read by a comment's ID names its story and site", func(t *testing.T) {
		r := s.anonymous().Do(t, readComment, map[string]any{"id": w.CommentID})
		keys := strings.Fields(r.Header.Get("Surrogate-Key"))
		if len(r.Errors) > 0 || !containsAll(keys, w.StoryID, w.Site.ID) || r.Header.Get("Surrogate-Control") != "" {
			t.Errorf("Surrogate-Key %q, Surrogate-Control %q; %s", keys, r.Header.Get("Surrogate-Control"), r.Raw)
		}
	})
	t.Run("counts of a URL with no story yet may not be kept", func(t *testing.T) {
		r := s.anonymous().Do(t, `query($urls: [String!]!) { storyCounts(urls: $urls) { commentCount } }`,
			map[string]any{"urls": []string{w.Site.Origin + "/" + unique("not-yet")}})
		if r.Status != http.StatusOK || r.Header.Get("Surrogate-Control") != "no-store" {
			t.Errorf("status %d, Surrogate-Control %q", r.Status, r.Header.Get("Surrogate-Control"))
		}
	})
}

func containsAll(list []string, want ...string) bool {
	have := map[string]bool{}
	for _, s := range list {
		have[s] = true
	}
	for _, w := range want {
		if !have[w] {
			return false
		}
	}
	return true
}
