package moderation_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/moderation/spam"
	"github.com/parleyhq/parley/postgres"
)

// TestSpamStageUsesTheDraftsFacts checks that the spam stage, given the site facts a draft
// carries, answers what it answers reading the model itself, and reads nothing for a model
// the draft showed still learning.
func TestSpamStageUsesTheDraftsFacts(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	ctx := context.Background()
	classifier := spam.New(postgres.NewSpamStore(e.DB))
	classifier.MinDocs = 2
	stage := classifier.Stage()
	author, _ := e.MustUser(t)
	draft := func(t *testing.T, storyID string) *parley.Submission {
		t.Helper()
		d, err := e.store.PrepareComment(author, parley.CreateCommentInput{StoryID: storyID, Body: "zyzzyva offers for the council"})
		if err != nil {
			t.Fatal(err)
		}
		return &d.Submission
	}
	check := func(t *testing.T, s *parley.Submission) parley.Verdict {
		t.Helper()
		v, err := stage.Check(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	t.Run("a trained model answers the same with the facts as without", func(t *testing.T) {
		site, story := e.MustStory(t)
		for i, isSpam := range []bool{true, true, false, false} {
			tokens := [][]string{{"zyzzyva", "offers"}, {"zyzzyva", "cheap"}, {"council", "budget"}, {"council", "vote"}}[i]
			if err := classifier.Learn(ctx, site.ID, tokens[0]+" "+tokens[1], isSpam); err != nil {
				t.Fatal(err)
			}
		}
		s := draft(t, story.ID)
		if s.Site == nil || s.Site.SpamDocs != (parley.SpamCounts{Spam: 2, Ham: 2}) {
			t.Fatalf("draft's facts %+v", s.Site)
		}
		with := check(t, s)
		s.Site = nil
		if diff := cmp.Diff(check(t, s), with); diff != "" || with.Score == 0 {
			t.Fatalf("verdict with the facts against without (-without +with):\n%s", diff)
		}
	})
	t.Run("a model still learning is not read", func(t *testing.T) {
		_, story := e.MustStory(t)
		s := draft(t, story.ID)
		before := e.DB.QueryCount()
		with := check(t, s)
		if n := e.DB.QueryCount() - before; n != 0 {
			t.Fatalf("%d statements for a model the draft showed still learning", n)
		}
		s.Site = nil
		if diff := cmp.Diff(check(t, s), with); diff != "" {
			t.Fatalf("verdict with the facts against without (-without +with):\n%s", diff)
		}
	})
}
