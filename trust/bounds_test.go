package trust_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/trust"
)

// TestLevelBounds enacts a ceiling and a floor and checks that the consumer's level
// decisions follow them, each change naming the rule version that made it.
func TestLevelBounds(t *testing.T) {
	e := MustEnv(t)
	f := e.MustRules(t, parley.RuleSettings{ModeratorQuorum: 1, CostLimit: 1000})
	mod, _ := e.MustModerator(t, f.site)
	enact := func(name, expr string, eff parley.RuleEffect) *parley.RuleProposal {
		t.Helper()
		p := f.MustPropose(t, mod, parley.ProposalInput{Kind: parley.ProposalAddRule, Name: name, Expression: expr, Effect: &eff})
		p, err := f.rules.Vote(mod, p.ID, true)
		if err != nil || p.State != parley.ProposalEnacted {
			t.Fatalf("enact %s: %v %v", name, p, err)
		}
		return p
	}
	consumer := trust.NewConsumer(e.store, e.Sites, trust.Options{Now: time.Now, Bounds: trust.NewStage(MustEngine(t), f.store, e.store)})
	level := func(userID string) (parley.TrustLevel, *parley.TrustChange) {
		t.Helper()
		MustConsume(t, consumer, e.MustSiteEvents(t, f.site.ID))
		rec, err := e.store.TrustRecord(context.Background(), f.site.ID, userID)
		if err != nil {
			t.Fatal(err)
		}
		last, _ := e.store.LastTrustChange(context.Background(), f.site.ID, userID)
		return rec.Level, last
	}
	enact("probation", "author.commentsPublished < 3", parley.RuleEffect{Kind: parley.EffectLevelCeiling, Level: 0})
	capped, cu := e.MustUser(t)
	e.MustComment(t, capped, f.story.ID, "One comment, which earns level 1 without the ceiling.")
	if got, ch := level(cu.ID); got != parley.TrustNew || ch != nil {
		t.Fatalf("under the ceiling: level %d, change %+v; want 0 and no change", got, ch)
	}
	if earned := trust.Earned(e.MustSignals(t, f.site.ID, cu.ID, time.Now()), parley.DefaultTrustSettings()); earned != parley.TrustBasic {
		t.Fatalf("the signals earn %d, want 1 (so the ceiling is what keeps the level at 0)", earned)
	}
	enact("veterans", `author.role == "" && author.daysVisited >= 1 && author.commentsPublished >= 3`, parley.RuleEffect{Kind: parley.EffectLevelFloor, Level: 2})
	floored, fu := e.MustUser(t)
	for i := range 3 {
		e.MustComment(t, floored, f.story.ID, strings.Repeat("x", i+5))
	}
	got, ch := level(fu.ID)
	if got != parley.TrustMember || ch == nil || !strings.Contains(ch.RuleVersion, "rule/") {
		t.Fatalf("with the floor: level %d, change %+v; want 2 naming the rule", got, ch)
	}
}
