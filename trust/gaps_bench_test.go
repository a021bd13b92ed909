package trust_test

import (
	"context"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/trust"
)

// BenchmarkReportWeight measures what weighing one report costs the report path: the
// REPORT_WEIGHT rule reads the reporter's signals, so it is one query and one evaluation.
func BenchmarkReportWeight(b *testing.B) {
	e := MustEnv(b)
	f := e.MustRules(b, parley.RuleSettings{ModeratorQuorum: 1, CostLimit: 1000})
	mod, _ := e.MustModerator(b, f.site)
	f.MustEnact(b, mod, "proven reporters", "author.reportsFiledUpheld >= 3", parley.RuleEffect{Kind: parley.EffectReportWeight, Weight: 2})
	stage := trust.NewStage(MustEngine(b), f.store, e.store)
	_, u := e.MustUser(b)
	site, err := e.Sites.FindSiteByID(context.Background(), f.site.ID)
	if err != nil {
		b.Fatal(err)
	}
	st := parley.ReportStanding{SiteID: site.ID, Settings: site.Settings, Level: parley.TrustBasic, Role: parley.RoleCommenter}
	b.ResetTimer()
	for b.Loop() {
		if _, err := stage.ReportWeight(context.Background(), st, u.ID); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRateCheck measures the trust_rules stage on a new comment with one RATE rule that
// holds for the author, the count of the author's last minute included.
func BenchmarkRateCheck(b *testing.B) {
	e := MustEnv(b)
	f := e.MustRules(b, parley.RuleSettings{ModeratorQuorum: 1, CostLimit: 1000})
	mod, _ := e.MustModerator(b, f.site)
	f.MustEnact(b, mod, "slow newcomers", "author.level == 0", parley.RuleEffect{Kind: parley.EffectRate, PerMinute: 600})
	stage := trust.NewStage(MustEngine(b), f.store, e.store)
	ctx, u := e.MustUser(b)
	e.MustComment(b, ctx, f.story.ID, "One comment in the last minute.")
	site, err := e.Sites.FindSiteByID(context.Background(), f.site.ID)
	if err != nil {
		b.Fatal(err)
	}
	sub := &parley.Submission{Action: parley.ActionCreate, Comment: &parley.Comment{SiteID: site.ID, Body: "Next."}, Settings: site.Settings, Author: u}
	b.ResetTimer()
	for b.Loop() {
		if _, err := stage.Check(context.Background(), sub); err != nil {
			b.Fatal(err)
		}
	}
}
