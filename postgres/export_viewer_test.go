package postgres_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/postgres/postgrestest"
)

func TestExportViewer(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	c := e.mustDeletionCast(t)
	postgrestest.Exec(t, e.db, `INSERT INTO user_sanctions (id, user_id, kind, message) VALUES (gen_random_uuid(), $1, 'WARN', 'Be kind.')`, c.author.ID)
	moderator, _ := e.MustUser(t)
	moderatorID := parley.UserFromContext(moderator).ID
	postgrestest.Exec(t, e.db, `INSERT INTO user_notes (id, user_id, site_id, moderator_id, body) VALUES (gen_random_uuid(), $1, $2, $3, 'Argues in good faith.')`,
		c.author.ID, c.story.SiteID, moderatorID)
	hash := []byte("a-token-hash-that-must-never-leave")
	postgrestest.Exec(t, e.db, `INSERT INTO tokens (id, user_id, kind, name, hash, revoked_at) VALUES
		(gen_random_uuid(), $1, 'session', 'Firefox', $2, NULL),
		(gen_random_uuid(), $1, 'api', 'backup script', sha256($2), now())`, c.author.ID, hash)
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
	t.Run("holds moderators' notes without their authors", func(t *testing.T) {
		if len(x.Notes) != 1 || x.Notes[0].Body != "Argues in good faith." || x.Notes[0].SiteName == "" || x.Notes[0].CreatedAt.IsZero() {
			t.Errorf("notes = %+v", x.Notes)
		}
	})
	t.Run("holds sessions and API tokens, revoked ones too", func(t *testing.T) {
		var session, api bool
		for _, s := range x.Sessions {
			session = session || s.Name == "Firefox" && s.RevokedAt == nil
		}
		for _, a := range x.APITokens {
			api = api || a.Name == "backup script" && a.RevokedAt != nil
		}
		if !session || !api {
			t.Errorf("sessions = %+v, api tokens = %+v", x.Sessions, x.APITokens)
		}
	})
	t.Run("names no note's author and holds no token hash", func(t *testing.T) {
		b, err := json.Marshal(x)
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{moderatorID, string(hash), base64.StdEncoding.EncodeToString(hash)} {
			if strings.Contains(string(b), secret) {
				t.Errorf("export holds %q", secret)
			}
		}
	})
	t.Run("anonymous is unauthenticated", func(t *testing.T) {
		_, err := e.users.ExportViewer(context.Background())
		wantCode(t, err, parley.EUNAUTHENTICATED)
	})
}
