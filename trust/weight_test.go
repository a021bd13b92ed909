package trust_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/moderation"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/postgres/postgrestest"
	"github.com/parleyhq/parley/trust"
)

// MustEnact proposes a rule and enacts it with the fixture's one-moderator quorum.
func (f *rulesFixture) MustEnact(tb testing.TB, mod context.Context, name, expr string, eff parley.RuleEffect) *parley.RuleProposal {
	tb.Helper()
	p := f.MustPropose(tb, mod, parley.ProposalInput{Kind: parley.ProposalAddRule, Name: name, Expression: expr, Effect: &eff})
	p, err := f.rules.Vote(mod, p.ID, true)
	if err != nil || p.State != parley.ProposalEnacted {
		tb.Fatalf("enact %s: %+v, %v", name, p, err)
	}
	return p
}

// MustLevel pins a user's level on a site, as a moderator's pin would.
func (e *env) MustLevel(tb testing.TB, siteID string, u *parley.User, l parley.TrustLevel) {
	tb.Helper()
	if err := e.store.SetTrustLevel(context.Background(), parley.TrustRecord{Level: l, Pinned: &l},
		parley.TrustChange{SiteID: siteID, UserID: u.ID, To: l, Reason: "test", CreatedAt: time.Now()}); err != nil {
		tb.Fatal(err)
	}
}

// TestReportWeights enacts REPORT_WEIGHT rules and reports through the report service as
// `parley serve` wires it: the summed weights, not the number of readers, meet the site's
// report threshold; a report of weight 0 is recorded but never holds; and the hold logged for
// the moderators names the rule version that weighed the report.
func TestReportWeights(t *testing.T) {
	e := MustEnv(t)
	f := e.MustRules(t, parley.RuleSettings{ModeratorQuorum: 1, CostLimit: 1000})
	mod, _ := e.MustModerator(t, f.site)
	if _, err := e.Sites.UpdateSiteSettings(e.Admin, f.site.ID, parley.SiteSettingsUpdate{ReportHoldThreshold: ptr(2),
		TrustEffects: &parley.TrustEffectSettings{NewMayReport: true}}); err != nil {
		t.Fatal(err)
	}
	double := f.MustEnact(t, mod, "members count double", "author.level == 2", parley.RuleEffect{Kind: parley.EffectReportWeight, Weight: 2})
	f.MustEnact(t, mod, "new readers are heard, not counted", "author.level == 0", parley.RuleEffect{Kind: parley.EffectReportWeight, Weight: 0})
	f.MustEnact(t, mod, "a discounted regular", "author.level == 3", parley.RuleEffect{Kind: parley.EffectReportWeight, Weight: 0.5})
	stage := trust.NewStage(MustEngine(t), f.store, e.store)
	reports := moderation.NewReportService(postgres.NewReportService(e.DB)).WithTrust(e.store).WithWeights(stage)
	author, _ := e.MustUser(t)
	report := func(t *testing.T, c *parley.Comment, level parley.TrustLevel) *parley.Comment {
		t.Helper()
		ctx, u := e.MustUser(t)
		e.MustLevel(t, f.site.ID, u, level)
		got, err := reports.ReportComment(ctx, parley.ReportInput{CommentID: c.ID, Reason: parley.ReportSpam})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	weights := func(t *testing.T, c *parley.Comment) (sum float64, rules []string) {
		t.Helper()
		rs, err := reports.FindReports(mod, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			sum += r.Weight
			rules = append(rules, r.WeightRule)
		}
		return sum, rules
	}

	t.Run("one report of weight 2 meets a threshold of 2, and the log names the rule", func(t *testing.T) {
		c := e.MustComment(t, author, f.story.ID, "Weighed by a member.")
		if got := report(t, c, parley.TrustMember); got.Status != parley.StatusPending {
			t.Fatalf("status %s, want PENDING", got.Status)
		}
		var note string
		if err := postgrestest.Pool(t, e.DB).QueryRow(context.Background(), `SELECT note FROM moderator_actions WHERE comment_id = $1 AND action = 'HOLD' AND reason = $2`,
			c.ID, moderation.ReasonReports).Scan(&note); err != nil {
			t.Fatal(err)
		}
		if want := "rule/" + double.RuleID + "@1"; !strings.Contains(note, want) {
			t.Errorf("hold note %q does not name %s", note, want)
		}
		if sum, rules := weights(t, c); sum != 2 || rules[0] != "rule/"+double.RuleID+"@1" {
			t.Errorf("stored weight %v by %v", sum, rules)
		}
	})
	t.Run("one report no rule weighs counts 1 and holds nothing", func(t *testing.T) {
		c := e.MustComment(t, author, f.story.ID, "Weighed by a basic reader.")
		if got := report(t, c, parley.TrustBasic); got.Status != parley.StatusPublished || got.ReportCount != 1 {
			t.Fatalf("status %s with %d reports, want PUBLISHED with 1", got.Status, got.ReportCount)
		}
		if sum, rules := weights(t, c); sum != 1 || rules[0] != "" {
			t.Errorf("stored weight %v by %v, want the default 1", sum, rules)
		}
	})
	t.Run("reports of weight 0 are recorded and never hold", func(t *testing.T) {
		c := e.MustComment(t, author, f.story.ID, "Reported by new readers only.")
		var got *parley.Comment
		for range 3 {
			got = report(t, c, parley.TrustNew)
		}
		if got.Status != parley.StatusPublished || got.ReportCount != 3 {
			t.Fatalf("status %s with %d reports, want PUBLISHED with 3", got.Status, got.ReportCount)
		}
		if sum, _ := weights(t, c); sum != 0 {
			t.Errorf("stored weight %v, want 0", sum)
		}
	})
	t.Run("a regular weighed below 1 no longer holds at once, and two such reports do not meet the threshold", func(t *testing.T) {
		c := e.MustComment(t, author, f.story.ID, "Reported by discounted regulars.")
		report(t, c, parley.TrustRegular)
		if got := report(t, c, parley.TrustRegular); got.Status != parley.StatusPublished {
			t.Fatalf("status %s, want PUBLISHED (weight 1 of 2)", got.Status)
		}
		if got := report(t, c, parley.TrustMember); got.Status != parley.StatusPending {
			t.Fatalf("status %s, want PENDING (weight 3 of 2)", got.Status)
		}
	})
}

func ptr[T any](v T) *T { return &v }
