package trust_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/postgres/postgrestest"
	"github.com/parleyhq/parley/trust"
)

// TestEnactDue approves a proposal with a delay and runs the enactment job as four replicas
// would, at once: nothing is enacted before the delay ends; after it, the proposal is enacted
// exactly once (one rule version, one entry in the public log).
func TestEnactDue(t *testing.T) {
	e := MustEnv(t)
	f := e.MustRules(t, parley.RuleSettings{ModeratorQuorum: 1, EnactDelaySeconds: 3600, CostLimit: 1000})
	now := time.Now()
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	f.rules = trust.NewRules(MustEngine(t), f.store, e.store, e.Sites, e.Users, nil, clock)
	mod, _ := e.MustModerator(t, f.site)
	p := f.MustPropose(t, mod, holdLinks)
	if p, err := f.rules.Vote(mod, p.ID, true); err != nil || p.State != parley.ProposalApproved {
		t.Fatalf("after the vote: %+v, %v; want APPROVED", p, err)
	}
	replicas := make([]*trust.Rules, 4)
	for i := range replicas {
		replicas[i] = trust.NewRules(MustEngine(t), f.store, e.store, e.Sites, e.Users, nil, clock)
	}
	runAll := func(t *testing.T) {
		t.Helper()
		var wg sync.WaitGroup
		for _, r := range replicas {
			wg.Go(func() {
				if _, err := r.EnactDue(context.Background()); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
	}
	state := func(t *testing.T) parley.ProposalState {
		t.Helper()
		got, err := f.store.Proposal(context.Background(), p.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got.State
	}

	t.Run("before the delay ends nothing is enacted", func(t *testing.T) {
		runAll(t)
		if s := state(t); s != parley.ProposalApproved {
			t.Fatalf("state %s, want APPROVED", s)
		}
	})
	t.Run("after the delay the racing replicas enact it exactly once", func(t *testing.T) {
		mu.Lock()
		now = now.Add(2 * time.Hour)
		mu.Unlock()
		runAll(t)
		runAll(t)
		if s := state(t); s != parley.ProposalEnacted {
			t.Fatalf("state %s, want ENACTED", s)
		}
		rules, err := f.store.Rules(context.Background(), f.site.ID)
		if err != nil || len(rules) != 1 || rules[0].Version != 1 {
			t.Fatalf("rules %+v, %v; want one rule at version 1", rules, err)
		}
		var logged int
		if err := postgrestest.Pool(t, e.DB).QueryRow(context.Background(),
			`SELECT count(*) FROM moderation_log WHERE site_id = $1 AND kind = $2`, f.site.ID, parley.LogRuleEnacted).Scan(&logged); err != nil {
			t.Fatal(err)
		}
		if logged != 1 {
			t.Fatalf("%d enactments in the public log, want 1", logged)
		}
	})
}
