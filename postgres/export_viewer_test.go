package postgres_test

import (
	"context"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/postgres/postgrestest"
)

func TestExportViewer(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	c := e.mustDeletionCast(t)
	postgrestest.Exec(t, e.db, `INSERT INTO user_sanctions (id, user_id, kind, message) VALUES (gen_random_uuid(), $1, 'WARN', 'Be kind.')`, c.author.ID)
	x, err := e.users.ExportViewer(c.ctx)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("holds the account", func(t *testing.T) {
		if x.Account.ID != c.author.ID || x.Account.Email != c.author.Email || x.GeneratedAt.IsZero() {
			t.Errorf("account = %+v, generated at %v", x.Account, x.GeneratedAt)
		}
	})
	t.Run("holds the user's comments only, with story, site and revisions", func(t *testing.T) {
		want := map[string]string{c.mine.ID: "mine", c.edited.ID: "second draft", c.myReply.ID: "my reply"}
		if len(x.Comments) != len(want) {
			t.Fatalf("comments = %d, want %d", len(x.Comments), len(want))
		}
		for _, got := range x.Comments {
			if want[got.ID] != got.BodySource || got.StoryURL != c.story.URL || got.SiteName == "" || got.Status != parley.StatusPublished {
				t.Errorf("comment = %+v", got)
			}
			if got.ID == c.edited.ID && (len(got.Revisions) != 1 || got.Revisions[0] != "first draft") {
				t.Errorf("revisions = %q, want [first draft]", got.Revisions)
			}
		}
	})
	t.Run("holds reactions, reports, mutes and sanctions", func(t *testing.T) {
		if len(x.Reactions) != 1 || x.Reactions[0].CommentID != c.theirs.ID || x.Reactions[0].Kind != "respect" {
			t.Errorf("reactions = %+v", x.Reactions)
		}
		if len(x.Reports) != 1 || x.Reports[0].CommentID != c.theirs.ID || x.Reports[0].Reason != parley.ReportSpam {
			t.Errorf("reports = %+v", x.Reports)
		}
		if len(x.Mutes) != 1 || x.Mutes[0].UserID != c.theirs.AuthorID {
			t.Errorf("mutes = %+v", x.Mutes)
		}
		if len(x.Sanctions) != 1 || x.Sanctions[0].Kind != parley.SanctionWarn || x.Sanctions[0].Message != "Be kind." || x.Sanctions[0].SiteName != "" {
			t.Errorf("sanctions = %+v", x.Sanctions)
		}
	})
	t.Run("anonymous is unauthenticated", func(t *testing.T) {
		_, err := e.users.ExportViewer(context.Background())
		wantCode(t, err, parley.EUNAUTHENTICATED)
	})
}
