package moderation_test

import (
	"context"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/moderation"
)

func TestSanctions(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	sanctions := e.sanctions
	comments := e.comments(moderation.Default())
	site, story := e.MustStory(t)
	other, _ := e.MustStory(t)
	mod, modUser := e.MustUser(t)
	elsewhere, elsewhereUser := e.MustUser(t)
	for _, g := range []struct{ site, user string }{{site.ID, modUser.ID}, {other.ID, elsewhereUser.ID}} {
		if err := e.Users.SetSiteRole(e.Admin, g.site, g.user, parley.RoleModerator); err != nil {
			t.Fatal(err)
		}
	}
	post := func(ctx context.Context, body string) *parley.Comment {
		t.Helper()
		c, err := comments.CreateComment(ctx, parley.CreateCommentInput{StoryID: story.ID, Body: body})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	sanction := func(ctx context.Context, in parley.SanctionInput) *parley.Sanction {
		t.Helper()
		sc, err := sanctions.Sanction(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		return sc
	}

	t.Run("a ban rejects new comments and, when asked, the old ones", func(t *testing.T) {
		troll, trollUser := e.MustUser(t)
		old := post(troll, "before the ban")
		sanction(mod, parley.SanctionInput{UserID: trollUser.ID, SiteID: site.ID, Kind: parley.SanctionBan, RejectExisting: true, Message: "Repeated abuse."})
		if got, err := comments.FindCommentByID(mod, old.ID); err != nil || got.Status != parley.StatusRejected {
			t.Fatalf("old comment = %+v, %v", got, err)
		}
		if c := post(troll, "after the ban"); c.Status != parley.StatusRejected {
			t.Fatalf("new comment status = %s", c.Status)
		}
	})
	t.Run("a suspension rejects until it ends, and can be lifted", func(t *testing.T) {
		u, uUser := e.MustUser(t)
		sc := sanction(mod, parley.SanctionInput{UserID: uUser.ID, SiteID: site.ID, Kind: parley.SanctionSuspend, Duration: time.Hour, Message: "Cool off."})
		if sc.ExpiresAt == nil || c(post(u, "while suspended")) != parley.StatusRejected {
			t.Fatal("suspension did not reject")
		}
		if _, err := sanctions.RevokeSanction(mod, sc.ID); err != nil {
			t.Fatal(err)
		}
		if c(post(u, "after the suspension")) != parley.StatusPublished {
			t.Fatal("lifted suspension still rejects")
		}
	})
	t.Run("pre-moderation holds the user's comments", func(t *testing.T) {
		u, uUser := e.MustUser(t)
		sanction(mod, parley.SanctionInput{UserID: uUser.ID, SiteID: site.ID, Kind: parley.SanctionPremod})
		if c(post(u, "watched")) != parley.StatusPending {
			t.Fatal("not held")
		}
	})
	t.Run("a warning holds comments until acknowledged", func(t *testing.T) {
		u, uUser := e.MustUser(t)
		sc := sanction(mod, parley.SanctionInput{UserID: uUser.ID, SiteID: site.ID, Kind: parley.SanctionWarn, Message: "Mind the tone."})
		if c(post(u, "warned")) != parley.StatusPending {
			t.Fatal("not held while unacknowledged")
		}
		active, err := sanctions.FindSanctions(u, uUser.ID, site.ID, true)
		if err != nil || len(active) != 1 || active[0].Message != "Mind the tone." {
			t.Fatalf("the user's own sanctions = %v, %v", active, err)
		}
		if _, err := sanctions.AcknowledgeSanction(u, sc.ID); err != nil {
			t.Fatal(err)
		}
		if c(post(u, "acknowledged")) != parley.StatusPublished {
			t.Fatal("still held after acknowledging")
		}
	})
	t.Run("bad input is invalid", func(t *testing.T) {
		_, uUser := e.MustUser(t)
		for name, in := range map[string]parley.SanctionInput{
			"unknown kind":          {UserID: uUser.ID, SiteID: site.ID, Kind: "EXILE"},
			"suspension too short":  {UserID: uUser.ID, SiteID: site.ID, Kind: parley.SanctionSuspend, Duration: time.Second},
			"warning without words": {UserID: uUser.ID, SiteID: site.ID, Kind: parley.SanctionWarn},
			"reject with a warning": {UserID: uUser.ID, SiteID: site.ID, Kind: parley.SanctionWarn, Message: "x", RejectExisting: true},
		} {
			if _, err := sanctions.Sanction(mod, in); parley.ErrorCode(err) != parley.EINVALID {
				t.Errorf("%s: %v", name, err)
			}
		}
	})
	t.Run("only the site's moderators may sanction, and only admins everywhere", func(t *testing.T) {
		commenter, _ := e.MustUser(t)
		_, uUser := e.MustUser(t)
		for name, tc := range map[string]struct {
			ctx    context.Context
			siteID string
			code   string
		}{
			"moderator elsewhere":  {elsewhere, site.ID, parley.EFORBIDDEN},
			"commenter":            {commenter, site.ID, parley.EFORBIDDEN},
			"anonymous":            {context.Background(), site.ID, parley.EUNAUTHENTICATED},
			"moderator, all sites": {mod, "", parley.EFORBIDDEN},
			"admin, all sites":     {e.Admin, "", ""},
		} {
			_, err := sanctions.Sanction(tc.ctx, parley.SanctionInput{UserID: uUser.ID, SiteID: tc.siteID, Kind: parley.SanctionBan})
			if parley.ErrorCode(err) != tc.code {
				t.Errorf("%s: %v, want %q", name, err, tc.code)
			}
		}
	})
	t.Run("notes, counts and history are for the site's moderators", func(t *testing.T) {
		u, uUser := e.MustUser(t)
		post(u, "one")
		post(u, "two")
		if _, err := sanctions.AddNote(mod, uUser.ID, site.ID, " \u200b\u2060\ufeff "); parley.ErrorCode(err) != parley.EINVALID {
			t.Fatalf("a note of invisible characters: %v, want INVALID", err)
		}
		if _, err := sanctions.AddNote(mod, uUser.ID, site.ID, "Knows the topic; sharp tongue."); err != nil {
			t.Fatal(err)
		}
		notes, err := sanctions.FindNotes(mod, uUser.ID, site.ID)
		if err != nil || len(notes) != 1 || notes[0].ModeratorID != modUser.ID {
			t.Fatalf("notes = %v, %v", notes, err)
		}
		counts, err := sanctions.CommentCounts(mod, uUser.ID, site.ID)
		if err != nil || counts.Published != 2 {
			t.Fatalf("counts = %+v, %v", counts, err)
		}
		page, err := sanctions.FindUserComments(mod, uUser.ID, site.ID, 1, nil)
		if err != nil || len(page.Comments) != 1 || !page.HasNextPage {
			t.Fatalf("history = %+v, %v", page, err)
		}
		_, err = sanctions.FindNotes(u, uUser.ID, site.ID)
		wantCode(t, err, parley.EFORBIDDEN)
		_, err = sanctions.FindNotes(elsewhere, uUser.ID, site.ID)
		wantCode(t, err, parley.EFORBIDDEN)
	})
}

func c(comment *parley.Comment) parley.CommentStatus { return comment.Status }
