package postgres_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/moderation/spam"
	"github.com/parleyhq/parley/postgres"
)

func TestSpamClassifierLearnsFromModerators(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	classifier := spam.New(postgres.NewSpamStore(e.db))
	site, _ := e.MustStory(t)
	ctx := context.Background()
	if p, _, ok, err := classifier.Score(ctx, site.ID, "anything"); err != nil || ok {
		t.Fatalf("untrained model judged: %v, %v, %v", p, ok, err)
	}
	for i := 0; i < 25; i++ {
		if err := classifier.Learn(ctx, site.ID, fmt.Sprintf("Cheap pills and casino bonus %d at https://pills.example/buy now", i), true); err != nil {
			t.Fatal(err)
		}
		if err := classifier.Learn(ctx, site.ID, fmt.Sprintf("The council vote on the bus lanes %d was closer than the article says", i), false); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("spam scores high and ham low", func(t *testing.T) {
		p, evidence, ok, err := classifier.Score(ctx, site.ID, "casino bonus and cheap pills: https://pills.example/")
		if err != nil || !ok || p < 0.99 || len(evidence) == 0 {
			t.Fatalf("spam p = %v, %v, %v, %v", p, evidence, ok, err)
		}
		p, _, _, _ = classifier.Score(ctx, site.ID, "I think the bus lanes vote was fair")
		if p > 0.1 {
			t.Fatalf("ham p = %v", p)
		}
	})
	t.Run("a site's model is its own", func(t *testing.T) {
		other, _ := e.MustStory(t)
		if _, _, ok, _ := classifier.Score(ctx, other.ID, "casino bonus"); ok {
			t.Fatal("another site's model judged")
		}
	})
	t.Run("the stage holds likely spam with its evidence", func(t *testing.T) {
		v, err := classifier.Stage().Check(ctx, &parley.Submission{Comment: &parley.Comment{SiteID: site.ID, BodySource: "cheap pills casino bonus https://pills.example"}})
		if err != nil || v.Decision == parley.DecisionPass || v.Flags[0] != spam.Flag || v.Evidence == "" {
			t.Fatalf("verdict = %+v, %v", v, err)
		}
	})
}
