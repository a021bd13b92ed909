package postgres_test

import (
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/postgres"
)

// TestImposeSanction checks storage's side of a ban: a sanction alone leaves the user's
// comments as they are; with a rejection, it rejects those within its reach and logs each.
func TestImposeSanction(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	sanctions := postgres.NewSanctionService(e.db)
	site, story := e.MustStory(t)
	_, otherStory := e.MustStory(t)
	mod, modUser := e.MustUser(t)
	if err := e.users.SetSiteRole(e.admin, site.ID, modUser.ID, parley.RoleModerator); err != nil {
		t.Fatal(err)
	}
	status := func(c *parley.Comment) parley.CommentStatus {
		t.Helper()
		got, err := e.comments.FindCommentByID(mod, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got.Status
	}

	t.Run("a sanction alone leaves the comments", func(t *testing.T) {
		troll, trollUser := e.MustUser(t)
		c := e.MustComment(t, troll, story.ID, "", "still here")
		if _, err := sanctions.Sanction(mod, parley.SanctionInput{UserID: trollUser.ID, SiteID: site.ID, Kind: parley.SanctionBan, RejectExisting: true}); err != nil {
			t.Fatal(err)
		}
		if got := status(c); got != parley.StatusPublished {
			t.Fatalf("status = %s", got)
		}
	})
	t.Run("with a rejection the comments on the site go, each logged", func(t *testing.T) {
		troll, trollUser := e.MustUser(t)
		here := e.MustComment(t, troll, story.ID, "", "on the site")
		elsewhere := e.MustComment(t, troll, otherStory.ID, "", "on another site")
		if _, err := sanctions.ImposeSanction(mod, parley.SanctionInput{UserID: trollUser.ID, SiteID: site.ID, Kind: parley.SanctionBan},
			&parley.ActionReason{Reason: "TEST_BAN", Note: "with the ban"}); err != nil {
			t.Fatal(err)
		}
		if got := status(here); got != parley.StatusRejected {
			t.Fatalf("status on the site = %s", got)
		}
		if got, err := e.comments.FindCommentByID(e.admin, elsewhere.ID); err != nil || got.Status != parley.StatusPublished {
			t.Fatalf("comment on another site = %+v, %v", got, err)
		}
		n := e.count(t, `SELECT count(*) FROM moderator_actions WHERE comment_id = $1 AND action = 'REJECT' AND reason = 'TEST_BAN' AND moderator_id = $2`, here.ID, modUser.ID)
		if n != 1 {
			t.Fatalf("log entries = %d", n)
		}
	})
}
