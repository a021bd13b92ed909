package trust_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/trust"
)

// rulesFixture is a site with its rule service and governance.
type rulesFixture struct {
	e     *env
	site  *parley.Site
	story *parley.Story
	rules *trust.Rules
	store *postgres.RuleStore
}

// MustRules returns a new site whose rules need gov's quorum.
func (e *env) MustRules(tb testing.TB, gov parley.RuleSettings) *rulesFixture {
	tb.Helper()
	site, story := e.MustStory(tb)
	store := postgres.NewRuleStore(e.DB)
	r := trust.NewRules(MustEngine(tb), store, e.store, e.Sites, e.Users, nil, nil)
	if _, err := r.SetGovernance(e.Admin, site.ID, gov); err != nil {
		tb.Fatal(err)
	}
	return &rulesFixture{e: e, site: site, story: story, rules: r, store: store}
}

func (f *rulesFixture) MustPropose(tb testing.TB, ctx context.Context, in parley.ProposalInput) *parley.RuleProposal {
	tb.Helper()
	in.SiteID = f.site.ID
	if in.Rationale == "" {
		in.Rationale = "Because."
	}
	p, err := f.rules.Propose(ctx, in)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

var holdLinks = parley.ProposalInput{Kind: parley.ProposalAddRule, Name: "new links", Expression: "author.level == 0 && comment.links > 0",
	Effect: &parley.RuleEffect{Kind: parley.EffectHold}}

func TestProposeRefuses(t *testing.T) {
	e := MustEnv(t)
	f := e.MustRules(t, parley.RuleSettings{ModeratorQuorum: 1, CostLimit: 1000})
	mod, _ := e.MustModerator(t, f.site)
	reader, _ := e.MustUser(t)
	taken := f.MustPropose(t, mod, parley.ProposalInput{Kind: parley.ProposalAddRule, Name: "taken", Expression: "false", Effect: &parley.RuleEffect{Kind: parley.EffectHold}})
	if _, err := f.rules.Vote(mod, taken.ID, true); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		ctx   context.Context
		in    parley.ProposalInput
		code  string
		field string
	}{
		{"a reader may not propose", reader, holdLinks, parley.EFORBIDDEN, ""},
		{"a rule that does not parse", mod, parley.ProposalInput{Kind: parley.ProposalAddRule, Name: "x", Expression: "comment.links >", Effect: &parley.RuleEffect{Kind: parley.EffectHold}, Rationale: "r"}, parley.EINVALID, "expression"},
		{"an unknown field", mod, parley.ProposalInput{Kind: parley.ProposalAddRule, Name: "x", Expression: "comment.karma > 1", Effect: &parley.RuleEffect{Kind: parley.EffectHold}, Rationale: "r"}, parley.EINVALID, "expression"},
		{"no rationale", mod, parley.ProposalInput{Kind: parley.ProposalAddRule, Name: "x", Expression: "true", Effect: &parley.RuleEffect{Kind: parley.EffectHold}, Rationale: " "}, parley.EINVALID, "rationale"},
		{"a FLAG without a code", mod, parley.ProposalInput{Kind: parley.ProposalAddRule, Name: "x", Expression: "true", Effect: &parley.RuleEffect{Kind: parley.EffectFlag}, Rationale: "r"}, parley.EINVALID, "effect.code"},
		{"a level out of range", mod, parley.ProposalInput{Kind: parley.ProposalAddRule, Name: "x", Expression: "true", Effect: &parley.RuleEffect{Kind: parley.EffectLevelFloor, Level: 7}, Rationale: "r"}, parley.EINVALID, "effect.level"},
		{"a change of no rule", mod, parley.ProposalInput{Kind: parley.ProposalChangeRule, Rationale: "r"}, parley.EINVALID, "ruleID"},
		{"an unknown kind", mod, parley.ProposalInput{Kind: "MAYBE", Rationale: "r"}, parley.EINVALID, "kind"},
		{"the name of a rule in force", mod, parley.ProposalInput{Kind: parley.ProposalAddRule, Name: "TAKEN", Expression: "true", Effect: &parley.RuleEffect{Kind: parley.EffectHold}, Rationale: "r"}, parley.EINVALID, "name"},
		{"a rule that loops through macros past the cost limit", mod, parley.ProposalInput{Kind: parley.ProposalAddRule, Name: "x",
			Expression: "comment.flags.all(a, comment.flags.all(b, comment.text.contains(a + b)))", Effect: &parley.RuleEffect{Kind: parley.EffectHold}, Rationale: "r"}, parley.EINVALID, "expression"},
		{"a rule that yields a string", mod, parley.ProposalInput{Kind: parley.ProposalAddRule, Name: "x", Expression: "comment.text", Effect: &parley.RuleEffect{Kind: parley.EffectHold}, Rationale: "r"}, parley.EINVALID, "expression"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.SiteID = f.site.ID
			_, err := f.rules.Propose(tc.ctx, tc.in)
			wantCode(t, err, tc.code)
			if tc.field != "" {
				if pe, ok := err.(*parley.Error); !ok || pe.Field != tc.field {
					t.Fatalf("error %v names field %q, want %q", err, pe.Field, tc.field)
				}
			}
		})
	}
}

func TestVotes(t *testing.T) {
	e := MustEnv(t)
	f := e.MustRules(t, parley.RuleSettings{ModeratorQuorum: 2, CostLimit: 1000})
	m1, _ := e.MustModerator(t, f.site)
	m2, _ := e.MustModerator(t, f.site)
	m3, _ := e.MustModerator(t, f.site)
	reader, _ := e.MustUser(t)
	p := f.MustPropose(t, m1, holdLinks)
	if p.State != parley.ProposalOpen {
		t.Fatalf("state %s, want OPEN", p.State)
	}
	t.Run("a reader's vote is forbidden", func(t *testing.T) {
		_, err := f.rules.Vote(reader, p.ID, true)
		wantCode(t, err, parley.EFORBIDDEN)
	})
	t.Run("a second vote changes the first", func(t *testing.T) {
		if _, err := f.rules.Vote(m1, p.ID, false); err != nil {
			t.Fatal(err)
		}
		got, err := f.rules.Vote(m1, p.ID, true)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Votes) != 1 || got.Tally.ModeratorsFor != 1 || got.Tally.ModeratorsAgainst != 0 || got.State != parley.ProposalOpen {
			t.Fatalf("votes %+v tally %+v state %s, want one vote for", got.Votes, got.Tally, got.State)
		}
	})
	t.Run("the quorum approves and enacts", func(t *testing.T) {
		got, err := f.rules.Vote(m2, p.ID, true)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != parley.ProposalEnacted || got.EnactedVersion != 1 || got.RuleID == "" {
			t.Fatalf("state %s version %d, want ENACTED at version 1", got.State, got.EnactedVersion)
		}
		rules, err := f.rules.Rules(context.Background(), f.site.ID)
		if err != nil || len(rules) != 1 || rules[0].Name != "new links" {
			t.Fatalf("rules %+v, %v", rules, err)
		}
	})
	t.Run("a vote on a closed proposal is CLOSED", func(t *testing.T) {
		_, err := f.rules.Vote(m3, p.ID, false)
		wantCode(t, err, parley.ECLOSED)
	})
	t.Run("a withdrawn proposal takes no votes", func(t *testing.T) {
		q := f.MustPropose(t, m1, parley.ProposalInput{Kind: parley.ProposalAddRule, Name: "other", Expression: "comment.length > 5000", Effect: &parley.RuleEffect{Kind: parley.EffectHold}})
		if _, err := f.rules.Withdraw(m2, q.ID); parley.ErrorCode(err) != parley.EFORBIDDEN {
			t.Fatalf("another's withdrawal = %v, want FORBIDDEN", err)
		}
		if _, err := f.rules.Withdraw(m1, q.ID); err != nil {
			t.Fatal(err)
		}
		_, err := f.rules.Vote(m2, q.ID, true)
		wantCode(t, err, parley.ECLOSED)
	})
}

func TestMemberVotes(t *testing.T) {
	e := MustEnv(t)
	f := e.MustRules(t, parley.RuleSettings{ModeratorQuorum: 1, MemberVotes: true, MemberQuorum: 1, CostLimit: 1000})
	mod, _ := e.MustModerator(t, f.site)
	member, mu := e.MustUser(t)
	if err := e.Users.SetSiteRole(e.Admin, f.site.ID, mu.ID, parley.RoleMember); err != nil {
		t.Fatal(err)
	}
	commenter, _ := e.MustUser(t)
	p := f.MustPropose(t, mod, holdLinks)
	_, err := f.rules.Vote(commenter, p.ID, true)
	wantCode(t, err, parley.EFORBIDDEN)
	got, err := f.rules.Vote(mod, p.ID, true)
	if err != nil || got.State != parley.ProposalOpen {
		t.Fatalf("after the moderator's vote: %v %v, want OPEN (members must approve too)", got.State, err)
	}
	got, err = f.rules.Vote(member, p.ID, true)
	if err != nil || got.State != parley.ProposalEnacted || got.Tally.MembersFor != 1 {
		t.Fatalf("after the member's vote: %+v %v, want ENACTED", got, err)
	}
}

// TestEnactRace enacts two approved changes of one rule at once: exactly one wins, the
// other is a CONFLICT, and the rule holds the winner's version only.
func TestEnactRace(t *testing.T) {
	e := MustEnv(t)
	f := e.MustRules(t, parley.RuleSettings{ModeratorQuorum: 1, EnactDelaySeconds: 3600, CostLimit: 1000})
	mod, _ := e.MustModerator(t, f.site)
	ctx := context.Background()
	p := f.MustPropose(t, mod, holdLinks)
	if _, err := f.rules.Vote(mod, p.ID, true); err != nil {
		t.Fatal(err)
	}
	// The delay holds the proposal APPROVED; the store enacts whatever is approved.
	if _, _, err := f.store.Enact(ctx, p.ID, p.CreatedAt); err != nil {
		t.Fatal(err)
	}
	p, _ = f.store.Proposal(ctx, p.ID)
	for round := 0; round < 5; round++ {
		var ids []string
		for i := 0; i < 4; i++ {
			q := f.MustPropose(t, mod, parley.ProposalInput{Kind: parley.ProposalChangeRule, RuleID: p.RuleID, Expression: "comment.links > " + string(rune('1'+i))})
			if _, err := f.rules.Vote(mod, q.ID, true); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, q.ID, q.ID) // each proposal is also enacted twice
		}
		var wg sync.WaitGroup
		errs := make([]error, len(ids))
		for i, id := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, _, errs[i] = f.store.Enact(ctx, id, p.CreatedAt)
			}()
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch parley.ErrorCode(err) {
			case "":
				won++
			case parley.ECONFLICT:
			default:
				t.Fatalf("an enactment failed with %v, want CONFLICT", err)
			}
		}
		if won != 1 {
			t.Fatalf("round %d: %d enactments won, want exactly 1", round, won)
		}
		versions, err := f.store.RuleVersions(ctx, f.site.ID, p.RuleID)
		if err != nil || len(versions) != round+2 {
			t.Fatalf("round %d: %d versions (%v), want %d", round, len(versions), err, round+2)
		}
	}
}

func TestRollbackIsAProposal(t *testing.T) {
	e := MustEnv(t)
	f := e.MustRules(t, parley.RuleSettings{ModeratorQuorum: 1, CostLimit: 1000})
	mod, _ := e.MustModerator(t, f.site)
	p := f.MustPropose(t, mod, holdLinks)
	p, _ = f.rules.Vote(mod, p.ID, true)
	q := f.MustPropose(t, mod, parley.ProposalInput{Kind: parley.ProposalChangeRule, RuleID: p.RuleID, Expression: "comment.links > 3"})
	if q, _ = f.rules.Vote(mod, q.ID, true); q.EnactedVersion != 2 {
		t.Fatalf("change enacted at version %d", q.EnactedVersion)
	}
	r := f.MustPropose(t, mod, parley.ProposalInput{Kind: parley.ProposalChangeRule, RuleID: p.RuleID, RollbackTo: 1})
	if r.Expression != holdLinks.Expression || r.RollbackOf != 1 {
		t.Fatalf("rollback proposes %q of %d", r.Expression, r.RollbackOf)
	}
	r, _ = f.rules.Vote(mod, r.ID, true)
	rules, _ := f.rules.Rules(context.Background(), f.site.ID)
	if len(rules) != 1 || rules[0].Version != 3 || rules[0].Expression != holdLinks.Expression {
		t.Fatalf("after the rollback: %+v", rules[0])
	}
	_, err := f.rules.Propose(mod, parley.ProposalInput{SiteID: f.site.ID, Kind: parley.ProposalChangeRule, RuleID: p.RuleID, RollbackTo: 9, Rationale: "r"})
	wantCode(t, err, parley.EINVALID)
}

func TestBacktest(t *testing.T) {
	e := MustEnv(t)
	f := e.MustRules(t, parley.RuleSettings{ModeratorQuorum: 1, CostLimit: 1000})
	mod, _ := e.MustModerator(t, f.site)
	author, _ := e.MustUser(t)
	spam := e.MustComment(t, author, f.story.ID, "Visit my casino today")
	e.MustComment(t, author, f.story.ID, "A fair point about the article.")
	if _, err := e.queues.RejectComment(mod, parley.ModerateInput{CommentID: spam.ID, Reason: parley.RejectSpam}); err != nil {
		t.Fatal(err)
	}
	p := f.MustPropose(t, mod, parley.ProposalInput{Kind: parley.ProposalAddRule, Name: "casino", Expression: `comment.text.contains("casino")`,
		Effect: &parley.RuleEffect{Kind: parley.EffectReject}})
	t.Run("ten million comments is INVALID", func(t *testing.T) {
		_, err := f.rules.Backtest(mod, p.ID, 10_000_000)
		wantCode(t, err, parley.EINVALID)
		if err.(*parley.Error).Field != "comments" {
			t.Fatalf("field %q, want comments", err.(*parley.Error).Field)
		}
	})
	t.Run("the report is stored with the proposal", func(t *testing.T) {
		got, err := f.rules.Backtest(mod, p.ID, 100)
		if err != nil {
			t.Fatal(err)
		}
		b := got.Backtest
		if b == nil || b.Comments != 2 || b.ChangedCount != 1 || b.Changed[0].CommentID != spam.ID || b.Changed[0].After != parley.DecisionReject {
			t.Fatalf("report %+v", b)
		}
		if len(b.Agreement) != 1 || b.Agreement[0].Precision == nil || *b.Agreement[0].Precision != 1 || *b.Agreement[0].Recall != 1 {
			t.Fatalf("agreement %+v", b.Agreement)
		}
		stored, _ := f.store.Proposal(context.Background(), p.ID)
		if stored.Backtest == nil || stored.Backtest.ChangedCount != 1 {
			t.Fatal("the report is not stored")
		}
	})
}

// TestEnactAfterTheDelay holds an approved proposal until the site's delay has passed; then
// a moderator enacts it, and nobody else may.
func TestEnactAfterTheDelay(t *testing.T) {
	e := MustEnv(t)
	f := e.MustRules(t, parley.RuleSettings{ModeratorQuorum: 1, EnactDelaySeconds: 3600, CostLimit: 1000})
	now := time.Now()
	clock := &now
	f.rules = trust.NewRules(MustEngine(t), f.store, e.store, e.Sites, e.Users, nil, func() time.Time { return *clock })
	mod, _ := e.MustModerator(t, f.site)
	reader, _ := e.MustUser(t)
	p := f.MustPropose(t, mod, holdLinks)
	p, err := f.rules.Vote(mod, p.ID, true)
	if err != nil || p.State != parley.ProposalApproved || p.EnactAfter == nil {
		t.Fatalf("after the vote: %+v, %v; want APPROVED with a delay", p, err)
	}
	_, err = f.rules.Enact(mod, p.ID)
	wantCode(t, err, parley.ECONFLICT)
	later := now.Add(2 * time.Hour)
	clock = &later
	_, err = f.rules.Enact(reader, p.ID)
	wantCode(t, err, parley.EFORBIDDEN)
	p, err = f.rules.Enact(mod, p.ID)
	if err != nil || p.State != parley.ProposalEnacted {
		t.Fatalf("enact after the delay: %v %v", p, err)
	}
	_, err = f.rules.Enact(mod, p.ID)
	wantCode(t, err, parley.ECONFLICT)
}

// TestBacktestThresholds finds the users whose level a change of thresholds would move.
func TestBacktestThresholds(t *testing.T) {
	e := MustEnv(t)
	f := e.MustRules(t, parley.RuleSettings{ModeratorQuorum: 1, CostLimit: 1000})
	mod, _ := e.MustModerator(t, f.site)
	author, au := e.MustUser(t)
	e.MustComment(t, author, f.story.ID, "One comment.")
	MustConsume(t, e.consumer(time.Now), e.MustSiteEvents(t, f.site.ID))
	easier := parley.DefaultTrustSettings()
	easier.Member = parley.TrustThresholds{CommentsPublished: 1}
	p := f.MustPropose(t, mod, parley.ProposalInput{Kind: parley.ProposalChangeThresholds, Thresholds: &easier})
	got, err := f.rules.Backtest(mod, p.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	users := got.Backtest.Users
	if len(users) != 1 || users[0].UserID != au.ID || users[0].From != parley.TrustBasic || users[0].To != parley.TrustMember {
		t.Fatalf("users %+v, want the author from 1 to 2", users)
	}
	got, _ = f.rules.Vote(mod, p.ID, true)
	site, _ := e.Sites.FindSiteByID(context.Background(), f.site.ID)
	if got.State != parley.ProposalEnacted || parley.TrustSettingsOf(site.Settings).Member.CommentsPublished != 1 {
		t.Fatalf("state %s, thresholds %+v", got.State, site.Settings.Trust)
	}
}

// TestNothingHalfEnacted enacts two approved additions of one name: the second fails on the
// name, and leaves no rule, no version and the proposal APPROVED.
func TestNothingHalfEnacted(t *testing.T) {
	e := MustEnv(t)
	f := e.MustRules(t, parley.RuleSettings{ModeratorQuorum: 1, EnactDelaySeconds: 60, CostLimit: 1000})
	mod, _ := e.MustModerator(t, f.site)
	ctx := context.Background()
	a := f.MustPropose(t, mod, holdLinks)
	b := f.MustPropose(t, mod, holdLinks)
	for _, p := range []*parley.RuleProposal{a, b} {
		if _, err := f.rules.Vote(mod, p.ID, true); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := f.store.Enact(ctx, a.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	_, _, err := f.store.Enact(ctx, b.ID, time.Now())
	wantCode(t, err, parley.ECONFLICT)
	got, _ := f.store.Proposal(ctx, b.ID)
	rules, _ := f.store.Rules(ctx, f.site.ID)
	site, _ := e.Sites.FindSiteByID(ctx, f.site.ID)
	if got.State != parley.ProposalApproved || len(rules) != 1 || parley.RuleSettingsOf(site.Settings).Version != 1 {
		t.Fatalf("after the failed enactment: state %s, %d rules, rules version %d", got.State, len(rules), parley.RuleSettingsOf(site.Settings).Version)
	}
}
