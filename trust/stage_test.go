package trust_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/markup"
	"github.com/parleyhq/parley/moderation"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/trust"
)

// TestStageRunsEnactedRules posts through the pipeline with the trust_rules stage: a rule
// applies once enacted (the site's rules version moves, so the stage reads the rules again),
// sees the flags of earlier stages, and names its version in the trail.
func TestStageRunsEnactedRules(t *testing.T) {
	e := MustEnv(t)
	f := e.MustRules(t, parley.RuleSettings{ModeratorQuorum: 1, CostLimit: 1000})
	mod, _ := e.MustModerator(t, f.site)
	author, _ := e.MustUser(t)
	flagger := stageOf("flagger", parley.Verdict{Decision: parley.DecisionPass, Flags: []string{"SUSPECT_WORD"}})
	stage := trust.NewStage(MustEngine(t), f.store, e.store)
	pipeline := moderation.NewPipeline(moderation.Step{Stage: flagger}, moderation.Step{Stage: stage})
	comments := moderation.NewCommentService(postgres.NewCommentService(e.DB, markup.NewRenderer()), pipeline)
	post := func(body string) *parley.Comment {
		t.Helper()
		c, err := comments.CreateComment(author, parley.CreateCommentInput{StoryID: f.story.ID, Body: body})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if c := post("Before any rule."); c.Status != parley.StatusPublished {
		t.Fatalf("status %s before any rule", c.Status)
	}
	p := f.MustPropose(t, mod, parley.ProposalInput{Kind: parley.ProposalAddRule, Name: "second look",
		Expression: `comment.flags.exists(f, f == "SUSPECT_WORD") && author.commentsPublished < 5`, Effect: &parley.RuleEffect{Kind: parley.EffectHold}})
	if p, _ = f.rules.Vote(mod, p.ID, true); p.State != parley.ProposalEnacted {
		t.Fatalf("state %s", p.State)
	}
	c := post("After the rule.")
	if c.Status != parley.StatusPending {
		t.Fatalf("status %s after the rule, want PENDING", c.Status)
	}
	recs, err := comments.FindModerations(mod, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := recs[len(recs)-1]
	if last.DecidedBy != trust.StageName || !slices.ContainsFunc(last.Trail, func(r parley.StageResult) bool {
		return r.Stage == trust.StageName && r.Verdict.Version == "rule/"+p.RuleID+"@1"
	}) {
		t.Fatalf("trail %+v", last)
	}
}

// fixedStage is a stage that always answers v.
type fixedStage struct {
	name string
	v    parley.Verdict
}

func stageOf(name string, v parley.Verdict) fixedStage { return fixedStage{name, v} }

func (s fixedStage) Name() string { return s.name }

func (s fixedStage) Check(context.Context, *parley.Submission) (parley.Verdict, error) {
	return s.v, nil
}

// TestStageRunawayRuleFollowsTheFailurePolicy enacts a rule whose static estimate is within
// the site's limit for ordinary comments; a long comment costs more at run time, the rule is
// aborted and the stage's failure policy decides.
func TestStageRunawayRuleFollowsTheFailurePolicy(t *testing.T) {
	e := MustEnv(t)
	f := e.MustRules(t, parley.RuleSettings{ModeratorQuorum: 1, CostLimit: 500})
	mod, _ := e.MustModerator(t, f.site)
	author, _ := e.MustUser(t)
	p := f.MustPropose(t, mod, parley.ProposalInput{Kind: parley.ProposalAddRule, Name: "scan",
		Expression: `comment.text.contains("casino") || comment.text.contains("poker")`, Effect: &parley.RuleEffect{Kind: parley.EffectReject}})
	if p, _ = f.rules.Vote(mod, p.ID, true); p.State != parley.ProposalEnacted {
		t.Fatalf("state %s", p.State)
	}
	long := strings.Repeat("a long comment ", 300)
	for _, tc := range []struct {
		name       string
		failClosed bool
		want       parley.CommentStatus
	}{
		{"failing open publishes", false, parley.StatusPublished},
		{"failing closed holds", true, parley.StatusPending},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stage := trust.NewStage(MustEngine(t), f.store, e.store)
			pipeline := moderation.NewPipeline(moderation.Step{Stage: stage, FailClosed: tc.failClosed})
			comments := moderation.NewCommentService(postgres.NewCommentService(e.DB, markup.NewRenderer()), pipeline)
			c, err := comments.CreateComment(author, parley.CreateCommentInput{StoryID: f.story.ID, Body: long + tc.name})
			if err != nil {
				t.Fatal(err)
			}
			if c.Status != tc.want {
				t.Fatalf("status %s, want %s", c.Status, tc.want)
			}
			recs, err := comments.FindModerations(mod, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if r := recs[0].Trail[0]; !strings.Contains(r.Error, "cost limit") || !slices.Contains(r.Verdict.Flags, moderation.FlagStageFailed) {
				t.Fatalf("trail %+v, want the cost limit's failure", r)
			}
		})
	}
}
