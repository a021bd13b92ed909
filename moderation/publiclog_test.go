package moderation_test

import (
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/moderation"
	"github.com/parleyhq/parley/postgres"
)

func TestPublicLogCountsThePipelinesDecisions(t *testing.T) {
	e := MustEnv(t)
	log := moderation.NewPublicLog(postgres.NewModerationLogStore(e.DB), e.Sites)
	comments := e.comments(moderation.Default())
	site, story := e.MustStory(t)
	e.MustSettings(t, site, parley.SiteSettingsUpdate{PremodAll: ptr(true)})
	ctx, _ := e.MustUser(t)
	for _, body := range []string{"One to hold.", "Two to hold.", "Three to hold."} {
		MustComment(t, comments, ctx, story.ID, body)
	}
	mod, _ := e.MustModerator(t, site)
	MustComment(t, comments, mod, story.ID, "Staff are approved, which the log does not count.")

	page, err := log.ModerationLog(ctx, site.ID, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Entries) != 1 {
		t.Fatalf("entries = %d, want one count of the day's holds", len(page.Entries))
	}
	got := page.Entries[0]
	if got.Kind != parley.LogDecisions || got.By != parley.DecidedByPipeline || got.Action != "HOLD" || got.Reason != "premod_all" || got.Count != 3 {
		t.Errorf("entry = %+v, want 3 holds by the pipeline's premod_all stage", got)
	}
}
