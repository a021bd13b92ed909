package graph_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/graph"
	"github.com/parleyhq/parley/markup"
	"github.com/parleyhq/parley/moderation"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/postgres/postgrestest"
	"github.com/parleyhq/parley/ratelimit"
)

const guestComment = `mutation($in: GuestCommentInput!) { createGuestComment(input: $in) { comment { id status author { id username guest } } } }`

type guestAnswer struct {
	CreateGuestComment struct {
		Comment struct {
			ID, Status string
			Author     struct {
				ID, Username string
				Guest        bool
			}
		}
	}
}

// guestStack is the stack with the moderation pipeline in front of storage, as production
// wires it, since holding guests' comments is the comment service's rule.
func guestStack(t *testing.T, limiter parley.RateLimiter) *stack {
	s := newServices(shared.DB)
	pipeline := moderation.Default()
	s.Services.Comments = moderation.NewCommentService(postgres.NewCommentService(s.DB, markup.NewRenderer()), pipeline)
	s.Services.Moderator = pipeline
	s.Services.Guests = moderation.NewGuests(s.Services.Stories, s.Services.Sites, postgres.NewGuestStore(s.DB), s.Services.Comments, limiter)
	s.serve(graph.Options{})
	t.Cleanup(s.Close)
	return s
}

func TestGuestComments(t *testing.T) {
	t.Parallel()
	shared := guestStack(t, nil)
	w := shared.MustWorld(t)
	guestSettings := func(t *testing.T, on bool) {
		t.Helper()
		w.Admin.MustDo(t, `mutation($in: SiteSettingsInput!) { updateSiteSettings(input: $in) { settings { guestComments } } }`,
			in("siteID", w.Site.ID, "guestComments", on), nil)
	}

	t.Run("refuses guests on a site that does not take them", func(t *testing.T) {
		shared.anonymous().MustFail(t, "FORBIDDEN", guestComment, in("storyID", w.StoryID, "body", "Hello from a guest.", "name", "Ann"))
	})

	guestSettings(t, true)
	t.Run("holds a guest's comment and shows it with the guest's name and mark", func(t *testing.T) {
		var out guestAnswer
		shared.anonymous().MustDo(t, guestComment, in("storyID", w.StoryID, "body", "Hello from a guest.", "name", "  Ann Guest ", "email", "Ann@Example.org"), &out)
		c := out.CreateGuestComment.Comment
		if c.Status != "PENDING" || !c.Author.Guest || c.Author.Username != "Ann Guest" {
			t.Fatalf("comment = %+v, want PENDING by the guest Ann Guest", c)
		}
		var queue struct {
			ModerationQueue struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}
		w.Moderator.MustDo(t, `query($s: ID!) { moderationQueue(queue: PENDING, siteID: $s) { edges { node { id } } } }`, map[string]any{"s": w.Site.ID}, &queue)
		found := false
		for _, e := range queue.ModerationQueue.Edges {
			found = found || e.Node.ID == c.ID
		}
		if !found {
			t.Errorf("the guest's comment is not in the pending queue")
		}
		var user struct{ User struct{ Email *string } }
		w.Other.MustDo(t, `query($id: ID!) { user(id: $id) { email } }`, map[string]any{"id": c.Author.ID}, &user)
		if user.User.Email != nil {
			t.Errorf("a reader sees the guest's email %q", *user.User.Email)
		}
	})

	t.Run("holds a guest's comment even where the pipeline would publish it", func(t *testing.T) {
		var out guestAnswer
		shared.anonymous().MustDo(t, guestComment, in("storyURL", w.Site.Origin+"/guest-article", "body", "Another guest words.", "name", "Bo"), &out)
		if out.CreateGuestComment.Comment.Status != "PENDING" {
			t.Errorf("status = %s", out.CreateGuestComment.Comment.Status)
		}
	})

	for _, tc := range []struct {
		name, field string
		input       map[string]any
	}{
		{"refuses a guest without a name", "name", in("storyID", w.StoryID, "body", "Words.", "name", "   ")},
		{"refuses a name too long", "name", in("storyID", w.StoryID, "body", "Words.", "name", string(make([]byte, 51)))},
		{"refuses a malformed email", "email", in("storyID", w.StoryID, "body", "Words.", "name", "Cy", "email", "not-an-address")},
		{"refuses a comment without a story", "storyID", in("body", "Words.", "name", "Cy")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := shared.anonymous().MustFail(t, "INVALID", guestComment, tc.input)
			if f := r.Errors[0].Extensions["field"]; f != tc.field {
				t.Errorf("field = %v, want %s", f, tc.field)
			}
		})
	}

	t.Run("refuses an empty body without leaving a guest behind", func(t *testing.T) {
		shared.anonymous().MustFail(t, "INVALID", guestComment, in("storyID", w.StoryID, "body", " ", "name", "Dee"))
		var n int
		if err := postgrestest.Pool(t, shared.DB).QueryRow(context.Background(), `SELECT count(*) FROM users WHERE guest AND guest_name = 'Dee'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%d guests named Dee stayed", n)
		}
	})

	t.Run("tells a signed-in reader to use createComment", func(t *testing.T) {
		w.Other.MustFail(t, "INVALID", guestComment, in("storyID", w.StoryID, "body", "Words.", "name", "Other"))
	})

	t.Run("refuses guests again once the site turns them off", func(t *testing.T) {
		guestSettings(t, false)
		shared.anonymous().MustFail(t, "FORBIDDEN", guestComment, in("storyID", w.StoryID, "body", "Late guest.", "name", "Eve"))
	})
}

func TestGuestCommentsLimitedPerNetwork(t *testing.T) {
	t.Parallel()
	s := guestStack(t, ratelimit.NewMemory(time.Hour, 2))
	w := s.MustWorld(t)
	w.Admin.MustDo(t, `mutation($in: SiteSettingsInput!) { updateSiteSettings(input: $in) { id } }`,
		in("siteID", w.Site.ID, "guestComments", true), nil)
	for i := range 2 {
		s.anonymous().MustDo(t, guestComment, in("storyID", w.StoryID, "body", fmt.Sprintf("Guest words %d.", i), "name", "Flo"), nil)
	}
	s.anonymous().MustFail(t, "RATE_LIMITED", guestComment, in("storyID", w.StoryID, "body", "One too many.", "name", "Flo"))
}
