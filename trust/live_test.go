package trust_test

import (
	"context"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/trust"
)

// outboxSource delivers a site's outbox events, decoded, as the bus would: the events
// the rule service wrote reach its subscribers through the same typed payloads.
type outboxSource struct {
	ch chan parley.Event
}

func (s outboxSource) StoryEvents(context.Context, string) (<-chan parley.Event, error) {
	return s.ch, nil
}
func (s outboxSource) SiteEvents(context.Context, string) (<-chan parley.Event, error) {
	return s.ch, nil
}
func (s outboxSource) CommentEventsEverywhere(context.Context) (<-chan parley.Event, error) {
	return s.ch, nil
}

func TestProposalEventsArriveLive(t *testing.T) {
	e := MustEnv(t)
	f := e.MustRules(t, parley.RuleSettings{ModeratorQuorum: 2, CostLimit: 1000})
	m1, _ := e.MustModerator(t, f.site)
	m2, _ := e.MustModerator(t, f.site)
	reader, _ := e.MustUser(t)
	src := outboxSource{ch: make(chan parley.Event, 64)}
	live := trust.NewRules(MustEngine(t), postgres.NewRuleStore(e.DB), e.store, e.Sites, e.Users, src, nil)
	ctx, cancel := context.WithCancel(m2)
	defer cancel()
	if _, err := live.ProposalEvents(reader, f.site.ID); parley.ErrorCode(err) != parley.EFORBIDDEN {
		t.Fatalf("a reader's subscription = %v, want FORBIDDEN", err)
	}
	events, err := live.ProposalEvents(ctx, f.site.ID)
	if err != nil {
		t.Fatal(err)
	}
	p := f.MustPropose(t, m1, holdLinks)
	if _, err := f.rules.Vote(m1, p.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := f.rules.Vote(m2, p.ID, true); err != nil {
		t.Fatal(err)
	}
	for _, oe := range e.MustSiteEvents(t, f.site.ID) {
		ev, err := oe.Decode()
		if err != nil {
			t.Fatal(err)
		}
		src.ch <- ev
	}
	want := []struct {
		kind  string
		state parley.ProposalState
		votes int
	}{
		{parley.EventProposalChanged, parley.ProposalOpen, 0},
		{parley.EventProposalChanged, parley.ProposalOpen, 1},
		{parley.EventProposalChanged, parley.ProposalApproved, 2},
		{parley.EventRuleEnacted, parley.ProposalEnacted, 2},
	}
	for i, w := range want {
		got := <-events
		if got.Kind != w.kind || got.Proposal.State != w.state || len(got.Proposal.Votes) != w.votes || got.Proposal.ID != p.ID {
			t.Fatalf("event %d: %s %s with %d votes, want %s %s with %d", i, got.Kind, got.Proposal.State, len(got.Proposal.Votes), w.kind, w.state, w.votes)
		}
	}
}
