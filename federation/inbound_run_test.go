package federation_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/parleyhq/parley/federation"
)

// runApplier records the comments it applies, in order, and fails those named in fail.
type runApplier struct {
	mu      sync.Mutex
	applied []string
	fail    map[string]bool
}

func (a *runApplier) Apply(_ context.Context, v *federation.Verified) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	id := v.Payload.(*federation.CommentPayload).Comment.ID
	if a.fail[id] {
		return errors.New("database down")
	}
	a.applied = append(a.applied, id)
	return nil
}

func (a *runApplier) got() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.applied)
}

func outcomes(rs []federation.Result) []federation.Outcome {
	var out []federation.Outcome
	for _, r := range rs {
		if r.Err != nil && r.Outcome == "" {
			out = append(out, "error")
			continue
		}
		out = append(out, r.Outcome)
	}
	return out
}

func TestInboundRun(t *testing.T) {
	e := MustInbound(t)
	ctx := context.Background()
	a := &runApplier{fail: map[string]bool{}}
	counted := &inboundEnv{reg: prometheus.NewRegistry()}
	in := federation.NewInbound(&federation.Verifier{Self: "alpha", Peer: e.store.FindPeerByName}, e.store, a,
		federation.InboundOptions{Metrics: counted.reg})
	run := func(ids ...string) []federation.Delivery {
		var ds []federation.Delivery
		for _, id := range ids {
			wire := MustSign(t, e.beta, federation.KindCommentCreated, comment("beta", id), e.now)
			if id == "bad" {
				// A forged ID: the signature no longer holds.
				wire = tamper(t, wire, func(m map[string]any) { m["id"] = "forged" })
			}
			ds = append(ds, federation.Delivery{Data: wire, Received: e.now})
		}
		return ds
	}
	peerCounts := func() (int, int) {
		p, err := e.store.FindPeerByName(ctx, "beta")
		if err != nil {
			t.Fatal(err)
		}
		return p.Received, p.Rejected
	}

	first := run("c1", "c2", "bad", "c3", "c4")
	t.Run("a bad envelope in the middle is rejected and the others applied once each, in order", func(t *testing.T) {
		got := outcomes(in.ReceiveRun(ctx, "beta", first))
		want := []federation.Outcome{federation.Applied, federation.Applied, federation.Rejected, federation.Applied, federation.Applied}
		if !slices.Equal(got, want) {
			t.Fatalf("outcomes = %v; want %v", got, want)
		}
		if got := a.got(); !slices.Equal(got, []string{"c1", "c2", "c3", "c4"}) {
			t.Fatalf("applied %v", got)
		}
		if received, rejected := peerCounts(); received != 4 || rejected != 1 {
			t.Fatalf("beta's counters: %d received, %d rejected; want 4 and 1", received, rejected)
		}
	})
	t.Run("the whole run delivered again applies nothing twice", func(t *testing.T) {
		got := outcomes(in.ReceiveRun(ctx, "beta", first))
		want := []federation.Outcome{federation.Duplicate, federation.Duplicate, federation.Rejected, federation.Duplicate, federation.Duplicate}
		if !slices.Equal(got, want) {
			t.Fatalf("outcomes = %v; want %v", got, want)
		}
		if got := a.got(); len(got) != 4 {
			t.Fatalf("applied %v", got)
		}
		if received, rejected := peerCounts(); received != 4 || rejected != 2 {
			t.Fatalf("beta's counters: %d received, %d rejected; want 4 and 2", received, rejected)
		}
	})
	t.Run("an envelope twice in one run is applied once", func(t *testing.T) {
		twice := run("c5")
		got := outcomes(in.ReceiveRun(ctx, "beta", append(twice, twice[0])))
		if want := []federation.Outcome{federation.Applied, federation.Duplicate}; !slices.Equal(got, want) {
			t.Fatalf("outcomes = %v; want %v", got, want)
		}
	})
	t.Run("a failed apply keeps the envelopes before it and gives back it and those after, which apply on redelivery", func(t *testing.T) {
		a.fail["c7"] = true
		ds := run("c6", "c7", "c8")
		got := outcomes(in.ReceiveRun(ctx, "beta", ds))
		if want := []federation.Outcome{federation.Applied, "error", "error"}; !slices.Equal(got, want) {
			t.Fatalf("outcomes = %v; want %v", got, want)
		}
		delete(a.fail, "c7")
		got = outcomes(in.ReceiveRun(ctx, "beta", ds[1:]))
		if want := []federation.Outcome{federation.Applied, federation.Applied}; !slices.Equal(got, want) {
			t.Fatalf("redelivery: outcomes = %v; want %v", got, want)
		}
		if got := a.got(); !slices.Equal(got[len(got)-3:], []string{"c6", "c7", "c8"}) {
			t.Fatalf("applied %v", got)
		}
	})
	t.Run("an envelope of another origin in a peer's stream is refused", func(t *testing.T) {
		rs := in.ReceiveRun(ctx, "gamma", run("c9"))
		var rej *federation.Rejection
		if rs[0].Outcome != federation.Rejected || !errors.As(rs[0].Err, &rej) || rej.Reason != "wrong_subject" {
			t.Fatalf("results = %+v", rs)
		}
	})
	if got := counted.counts(t); got["applied/"] != 8 || got["duplicate/"] != 5 || got["rejected/bad_signature"] != 2 || got["rejected/wrong_subject"] != 1 {
		t.Fatalf("counts = %v", got)
	}
}

// A run holding the invalid envelope that trips the circuit breaker refuses the envelopes
// of the peer that follow it, as one envelope at a time would have, instead of applying them.
func TestInboundRunStopsAtTheBreaker(t *testing.T) {
	e := MustInbound(t)
	ctx := context.Background()
	a := &runApplier{}
	in := federation.NewInbound(&federation.Verifier{Self: "alpha", Peer: e.store.FindPeerByName}, e.store, a,
		federation.InboundOptions{BreakerThreshold: 2})
	var ds []federation.Delivery
	for _, id := range []string{"c1", "bad1", "bad2", "c2"} {
		wire := MustSign(t, e.beta, federation.KindCommentCreated, comment("beta", id), e.now)
		if id != "c1" && id != "c2" {
			wire = tamper(t, wire, func(m map[string]any) { m["id"] = "forged-" + id })
		}
		ds = append(ds, federation.Delivery{Data: wire, Received: e.now})
	}
	rs := in.ReceiveRun(ctx, "beta", ds)
	got := outcomes(rs)
	if want := []federation.Outcome{federation.Applied, federation.Rejected, federation.Rejected, federation.Rejected}; !slices.Equal(got, want) {
		t.Fatalf("outcomes = %v; want %v", got, want)
	}
	var rej *federation.Rejection
	if !errors.As(rs[3].Err, &rej) || rej.Reason != "peer_not_active" {
		t.Fatalf("the envelope after the breaker: %v", rs[3].Err)
	}
	if got := a.got(); !slices.Equal(got, []string{"c1"}) {
		t.Fatalf("applied %v", got)
	}
	p, err := e.store.FindPeerByName(ctx, "beta")
	if err != nil {
		t.Fatal(err)
	}
	if p.State != "PAUSED" || p.Received != 1 || p.Rejected != 3 {
		t.Fatalf("beta: %s, %d received, %d rejected; want PAUSED, 1 and 3", p.State, p.Received, p.Rejected)
	}
}
