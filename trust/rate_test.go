package trust_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/markup"
	"github.com/parleyhq/parley/moderation"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/postgres/postgrestest"
	"github.com/parleyhq/parley/trust"
)

// TestRateRules enacts a RATE rule and posts through the pipeline with the trust_rules stage:
// the comment over the author's rate is refused with RATE_LIMITED naming the rule and is not
// stored; edits and authors the rule does not hold for are not counted; in shadow the rule
// only records that it would have refused.
func TestRateRules(t *testing.T) {
	e := MustEnv(t)
	f := e.MustRules(t, parley.RuleSettings{ModeratorQuorum: 1, CostLimit: 1000})
	mod, _ := e.MustModerator(t, f.site)
	p := f.MustEnact(t, mod, "slow newcomers", "author.level == 0", parley.RuleEffect{Kind: parley.EffectRate, PerMinute: 2})
	stage := trust.NewStage(MustEngine(t), f.store, e.store)
	store := postgres.NewCommentService(e.DB, markup.NewRenderer())
	comments := moderation.NewCommentService(store, moderation.NewPipeline(moderation.Step{Stage: stage}))
	count := func(t *testing.T, authorID string) int {
		t.Helper()
		var n int
		if err := postgrestest.Pool(t, e.DB).QueryRow(t.Context(), `SELECT count(*) FROM comments WHERE author_id = $1`, authorID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	t.Run("the comment over the rate is refused with RATE_LIMITED naming the rule, and not stored", func(t *testing.T) {
		ctx, u := e.MustUser(t)
		var first *parley.Comment
		for i := range 2 {
			c, err := comments.CreateComment(ctx, parley.CreateCommentInput{StoryID: f.story.ID, Body: fmt.Sprintf("Comment %d.", i)})
			if err != nil {
				t.Fatalf("comment %d within the rate: %v", i+1, err)
			}
			first = c
		}
		_, err := comments.CreateComment(ctx, parley.CreateCommentInput{StoryID: f.story.ID, Body: "One too many."})
		wantCode(t, err, parley.ERATELIMITED)
		if msg := parley.ErrorMessage(err); !strings.Contains(msg, "slow newcomers") || !strings.Contains(msg, "rule/"+p.RuleID+"@1") {
			t.Errorf("message %q does not name the rule", msg)
		}
		if n := count(t, u.ID); n != 2 {
			t.Errorf("%d comments stored, want 2", n)
		}
		if _, err := comments.EditComment(ctx, parley.EditCommentInput{CommentID: first.ID, Body: "Edited, which is not a new comment."}); err != nil {
			t.Errorf("an edit over the rate: %v, want it accepted", err)
		}
	})
	t.Run("an author the rule does not hold for is not limited", func(t *testing.T) {
		ctx, u := e.MustUser(t)
		e.MustLevel(t, f.site.ID, u, parley.TrustBasic)
		for i := range 3 {
			if _, err := comments.CreateComment(ctx, parley.CreateCommentInput{StoryID: f.story.ID, Body: fmt.Sprintf("Basic %d.", i)}); err != nil {
				t.Fatalf("comment %d: %v", i+1, err)
			}
		}
	})
	t.Run("in shadow, the comment over the rate is stored and the trail says it would have been refused", func(t *testing.T) {
		shadow := moderation.NewCommentService(store, moderation.NewPipeline(moderation.Step{Stage: stage, Shadow: true}))
		ctx, _ := e.MustUser(t)
		var c *parley.Comment
		for i := range 3 {
			var err error
			if c, err = shadow.CreateComment(ctx, parley.CreateCommentInput{StoryID: f.story.ID, Body: fmt.Sprintf("Shadowed %d.", i)}); err != nil {
				t.Fatalf("comment %d in shadow: %v", i+1, err)
			}
		}
		recs, err := shadow.FindModerations(mod, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		trail := recs[len(recs)-1].Trail
		if !slices.ContainsFunc(trail, func(r parley.StageResult) bool { return slices.Contains(r.Verdict.Flags, moderation.FlagRefused) }) {
			t.Errorf("trail %+v has no %s", trail, moderation.FlagRefused)
		}
	})
}
