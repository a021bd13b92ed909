package graph_test

import (
	"encoding/json"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/graph"
)

const (
	rejectComment   = `mutation($in: ModerateInput!) { rejectComment(input: $in) { comment { status } } }`
	approveComment  = `mutation($in: ModerateInput!) { approveComment(input: $in) { comment { status } } }`
	undoModeration  = `mutation($in: ModerateInput!) { undoModeration(input: $in) { comment { status } } }`
	readRejection   = `query($id: ID!) { comment(id: $id) { status rejectionReason } }`
	rejectionUpdate = `subscription($story: ID!) { commentUpdated(storyID: $story) { id status rejectionReason } }`
)

// rejection is what one viewer reads of a comment's standing.
type rejection struct {
	Status          string
	RejectionReason *string
}

func (r rejection) String() string {
	if r.RejectionReason == nil {
		return r.Status + " (no reason)"
	}
	return r.Status + " " + *r.RejectionReason
}

// TestRejectionReason serves the default pipeline with a banned-word list, as `parley serve`
// does, and a live service whose events the test sends.
func TestRejectionReason(t *testing.T) {
	t.Parallel()
	s := newServicesWithWordLists(shared.DB)
	live := newFakeLive()
	s.Services.Live = live
	s.serve(graph.Options{})
	defer s.Close()
	admin := s.MustAdmin(t)
	st := s.MustCreateSite(t, admin)
	admin.MustDo(t, `mutation($in: WordListInput!) { setWordList(input: $in) { kind } }`, in("siteID", st.ID, "kind", "BANNED", "terms", "idiot"), nil)
	admin.MustDo(t, `mutation($in: SiteSettingsInput!) { updateSiteSettings(input: $in) { id } }`, in("siteID", st.ID, "premodLinks", true), nil)
	story := s.MustStory(t, st)
	author, mod, other := s.MustSignUp(t), s.MustSignUp(t), s.MustSignUp(t)
	s.MustGrant(t, st.ID, mod, parley.RoleModerator)

	read := func(t *testing.T, c *client, id string) rejection {
		t.Helper()
		var out struct{ Comment *rejection }
		c.MustDo(t, readRejection, map[string]any{"id": id}, &out)
		if out.Comment == nil {
			t.Fatalf("comment %s is not visible to %s", id, c.User.Username)
		}
		return *out.Comment
	}
	want := func(t *testing.T, c *client, id, status, reason string) {
		t.Helper()
		got := read(t, c, id)
		if got.Status != status || reason == "" && got.RejectionReason != nil || reason != "" && (got.RejectionReason == nil || *got.RejectionReason != reason) {
			t.Errorf("%s reads %v, want %s %q", c.User.Username, got, status, reason)
		}
	}
	decide := func(t *testing.T, op, id string, kv ...any) {
		t.Helper()
		mod.MustDo(t, op, in(append([]any{"commentID", id}, kv...)...), nil)
	}
	post := func(t *testing.T, body, status string) string {
		t.Helper()
		var out struct {
			CreateComment struct{ Comment struct{ ID, Status string } }
		}
		author.MustDo(t, createComment, in("storyID", story, "body", body), &out)
		if c := out.CreateComment.Comment; c.Status != status {
			t.Fatalf("%q is %s, want %s", body, c.Status, status)
		}
		return out.CreateComment.Comment.ID
	}

	offTopic := post(t, "Has anyone seen my cat?", "PUBLISHED")
	want(t, author, offTopic, "PUBLISHED", "")
	decide(t, rejectComment, offTopic, "reason", "OFF_TOPIC")

	t.Run("the author reads the moderator's reason", func(t *testing.T) {
		want(t, author, offTopic, "REJECTED", "OFF_TOPIC")
	})
	t.Run("the site's moderators and admins read it too", func(t *testing.T) {
		want(t, mod, offTopic, "REJECTED", "OFF_TOPIC")
		want(t, admin, offTopic, "REJECTED", "OFF_TOPIC")
	})
	t.Run("another reader does not find the comment", func(t *testing.T) {
		if r := other.MustFail(t, "NOT_FOUND", readRejection, map[string]any{"id": offTopic}); contains(r.Raw, "OFF_TOPIC") {
			t.Fatalf("answer = %s", r.Raw)
		}
	})
	t.Run("a live update tells the author and moderators why, and no one else", func(t *testing.T) {
		viewers := []struct {
			name, token, want string
		}{{"author", author.token, "OFF_TOPIC"}, {"moderator", mod.token, "OFF_TOPIC"}, {"another reader", other.token, ""}, {"anonymous", "", ""}}
		conns := make([]*wsClient, len(viewers))
		for i, v := range viewers {
			conns[i] = dialWS(t, s, "graphql-transport-ws", v.token)
			conns[i].send(map[string]any{"id": "u", "type": "subscribe", "payload": map[string]any{"query": rejectionUpdate, "variables": map[string]any{"story": story}}})
		}
		for range viewers {
			<-live.opened
		}
		// The full comment goes to every stream, though the live service sends others only
		// its status: the field itself must not tell them.
		live.send(&parley.Comment{ID: offTopic, StoryID: story, SiteID: st.ID, AuthorID: author.User.ID, Status: parley.StatusRejected})
		for i, v := range viewers {
			m := conns[i].next()
			var p struct {
				Data struct{ CommentUpdated rejection }
			}
			if err := json.Unmarshal(m.Payload, &p); m.Type != "next" || err != nil {
				t.Fatalf("%s got %+v %s", v.name, m, m.Payload)
			}
			got := p.Data.CommentUpdated.RejectionReason
			if v.want == "" && got != nil || v.want != "" && (got == nil || *got != v.want) {
				t.Errorf("%s is told %v, want %q", v.name, p.Data.CommentUpdated, v.want)
			}
		}
	})
	t.Run("undoing the rejection takes the reason back", func(t *testing.T) {
		decide(t, undoModeration, offTopic)
		want(t, author, offTopic, "PUBLISHED", "")
	})
	t.Run("a comment approved after its rejection has no reason, until the approval is undone", func(t *testing.T) {
		decide(t, rejectComment, offTopic, "reason", "SPAM")
		decide(t, approveComment, offTopic)
		want(t, author, offTopic, "PUBLISHED", "")
		decide(t, undoModeration, offTopic)
		want(t, author, offTopic, "REJECTED", "SPAM")
	})
	t.Run("a held comment rejected and then undone is pending again, without a reason", func(t *testing.T) {
		held := post(t, "Read https://example.org/held", "PENDING")
		decide(t, rejectComment, held, "reason", "OFF_TOPIC")
		want(t, author, held, "REJECTED", "OFF_TOPIC")
		decide(t, undoModeration, held)
		want(t, author, held, "PENDING", "")
	})

	banned := post(t, "You idiot.", "REJECTED")
	t.Run("a word-list rejection is BANNED_WORD", func(t *testing.T) {
		want(t, author, banned, "REJECTED", "BANNED_WORD")
		want(t, mod, banned, "REJECTED", "BANNED_WORD")
	})
	t.Run("a moderator's later reason replaces the pipeline's, until it is undone", func(t *testing.T) {
		decide(t, rejectComment, banned, "reason", "ABUSIVE")
		want(t, author, banned, "REJECTED", "ABUSIVE")
		decide(t, undoModeration, banned)
		want(t, author, banned, "REJECTED", "BANNED_WORD")
	})
	t.Run("an edit the word list rejects after an approval is BANNED_WORD", func(t *testing.T) {
		id := post(t, "A perfectly calm remark.", "PUBLISHED")
		decide(t, approveComment, id)
		author.MustDo(t, editComment, in("commentID", id, "body", "A perfectly idiot remark."), nil)
		want(t, author, id, "REJECTED", "BANNED_WORD")
	})
	t.Run("a rejection by any other stage is OTHER", func(t *testing.T) {
		post(t, "Posted twice by mistake.", "PUBLISHED")
		id := post(t, "Posted twice by mistake.", "REJECTED")
		want(t, author, id, "REJECTED", "OTHER")
	})
}
