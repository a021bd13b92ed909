package federation

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"time"

	"github.com/parleyhq/parley"
)

// Delivery is one message read from a peer's inbound stream: its bytes and the stream's
// receipt time.
type Delivery struct {
	Data     []byte
	Received time.Time
}

// Result is what became of one delivery of a run: an outcome, or an error meaning the
// delivery should come again (the database failed).
type Result struct {
	Outcome Outcome
	Err     error
}

// ReceiveRun is ReceiveFrom for a run of a peer's deliveries, in their stream order, at a
// cost per run rather than per envelope where it can be: the peer's record is read once,
// signatures are checked in parallel, the run's envelopes are claimed in the ledger in one
// statement and the peer's counters updated in one. Each envelope is still applied on its
// own through the Applier (the local pipeline), in order, and answered on its own: a
// rejection rejects that envelope alone (and is a strike of the circuit breaker), a
// duplicate is skipped. An error applying an envelope releases its claim and those of the
// envelopes after it, which answer the same error: they come again, in order, with it.
func (in *Inbound) ReceiveRun(ctx context.Context, peer string, run []Delivery) []Result {
	res := make([]Result, len(run))
	verified := in.verifyRun(ctx, peer, run)

	// Answers that need no database: rejections and kinds unknown here.
	var claims []parley.EnvelopeClaim
	var claimed []int // index in run of each claim
	counts := map[string]*runCount{}
	count := func(name string) *runCount {
		c := counts[name]
		if c == nil {
			c = &runCount{}
			counts[name] = c
		}
		return c
	}
	for i, r := range verified {
		var rej *Rejection
		switch {
		case errors.As(r.err, &rej) && rej.Reason == "unknown_kind":
			// Mixed versions: counted apart, never a strike of the circuit breaker.
			in.counter.WithLabelValues(string(Ignored), rej.Reason).Inc()
			in.logger.Debug("federation: envelope of an unknown kind ignored", "peer", peer, "detail", rej.Detail)
			res[i] = Result{Outcome: Ignored}
		case rej != nil:
			in.counter.WithLabelValues(string(Rejected), rej.Reason).Inc()
			in.logger.Warn("federation: envelope rejected", "reason", rej.Reason, "detail", rej.Detail)
			res[i] = Result{Outcome: Rejected, Err: rej}
			name := peer
			if name == "" {
				if e, derr := Decode(run[i].Data, in.verifier.MaxBytes); derr == nil {
					name = e.Origin
				}
			}
			if name != "" {
				c := count(name)
				c.rejected++
				c.reason = rej.Reason
				if rej.Strikes() {
					verified[i].striker = name
				}
			}
		case r.err != nil:
			res[i] = Result{Err: r.err}
		default:
			e := r.v.Envelope
			claims = append(claims, parley.EnvelopeClaim{Origin: e.Origin, ID: e.ID, Kind: e.Kind, Created: e.CreatedTime()})
			claimed = append(claimed, i)
		}
	}

	fresh, err := in.store.ClaimEnvelopes(ctx, claims)
	if err != nil {
		for _, i := range claimed {
			res[i] = Result{Err: err}
		}
		claimed = nil
	}
	// In stream order: the circuit breaker counts invalid envelopes in a row, and once it
	// paused a peer the run's later envelopes of that peer are refused as they would have
	// been one at a time (peer_not_active), not applied.
	freshAt := make(map[int]bool, len(claimed))
	for k, i := range claimed {
		freshAt[i] = fresh[k]
	}
	paused := map[string]bool{}
	var failed error
	for i := range verified {
		r := &verified[i]
		if r.striker != "" {
			if in.strike(ctx, r.striker) {
				paused[r.striker] = true
			}
			continue
		}
		f, ok := freshAt[i]
		if !ok {
			continue // answered above
		}
		e := r.v.Envelope
		switch {
		case !f:
			in.counter.WithLabelValues(string(Duplicate), "").Inc()
			res[i] = Result{Outcome: Duplicate}
			continue
		case failed == nil && paused[e.Origin]:
			in.release(ctx, e)
			rej := reject("peer_not_active", "%s was paused by the circuit breaker", e.Origin)
			in.counter.WithLabelValues(string(Rejected), rej.Reason).Inc()
			res[i] = Result{Outcome: Rejected, Err: rej}
			c := count(e.Origin)
			c.rejected++
			c.reason = rej.Reason
			continue
		case failed == nil:
			failed = in.apply.Apply(ctx, r.v)
		}
		if failed != nil {
			// This envelope, and every one after it, comes again: their claims go.
			in.release(ctx, e)
			res[i] = Result{Err: failed}
			continue
		}
		in.counter.WithLabelValues(string(Applied), "").Inc()
		res[i] = Result{Outcome: Applied}
		c := count(e.Origin)
		c.received++
		c.at = run[i].Received
		in.mu.Lock()
		delete(in.strikes, e.Origin)
		in.mu.Unlock()
	}
	for name, c := range counts {
		_ = in.store.CountPeerEnvelopes(ctx, name, c.received, c.rejected, c.reason, c.at)
	}
	return res
}

// runCount is what a run adds to one peer's counters.
type runCount struct {
	received, rejected int
	reason             string
	at                 time.Time
}

// runItem is one delivery of a run as it goes through ReceiveRun.
type runItem struct {
	v       *Verified
	err     error
	striker string // the peer a rejection counts against
}

// release forgets the claim of an envelope that was not applied, so that it can be.
func (in *Inbound) release(ctx context.Context, e *Envelope) {
	if err := in.store.ReleaseEnvelope(context.WithoutCancel(ctx), e.Origin, e.ID); err != nil {
		in.logger.Error("federation: claim not released", "origin", e.Origin, "id", e.ID, "error", err)
	}
}

// verifyRun verifies a run's deliveries, in parallel when there are several, reading each
// origin's record once for the run. An envelope naming a key not pinned has the peers'
// documents read again (at most once every KeyRefreshInterval) and is verified again, as
// are the run's later ones that named an unknown key.
func (in *Inbound) verifyRun(ctx context.Context, peer string, run []Delivery) []runItem {
	items := make([]runItem, len(run))
	v := in.runVerifier()
	verify := func(i int) {
		items[i].v, items[i].err = v.Verify(ctx, run[i].Data, run[i].Received)
	}
	if workers := min(len(run), runtime.GOMAXPROCS(0)); workers <= 1 {
		for i := range run {
			verify(i)
		}
	} else {
		var wg sync.WaitGroup
		next := make(chan int)
		for range workers {
			wg.Go(func() {
				for i := range next {
					verify(i)
				}
			})
		}
		for i := range run {
			next <- i
		}
		close(next)
		wg.Wait()
	}
	refreshed := false
	for i := range items {
		var rej *Rejection
		if errors.As(items[i].err, &rej) && rej.Reason == "unknown_key" && (refreshed || in.refreshKeys(ctx)) {
			if !refreshed {
				v = in.runVerifier() // the keys just read, not the run's copy
				refreshed = true
			}
			verify(i)
		}
		if items[i].err == nil && peer != "" && items[i].v.Envelope.Origin != peer {
			o := items[i].v.Envelope.Origin
			items[i].v, items[i].err = nil, reject("wrong_subject", "an envelope of %q in the stream of %q", o, peer)
		}
	}
	return items
}

// runVerifier is the verifier with its peer lookup remembered for one run: a run reads
// each origin's record once, not once an envelope.
func (in *Inbound) runVerifier() *Verifier {
	v := *in.verifier
	type found struct {
		p   *parley.Peer
		err error
	}
	var mu sync.Mutex
	seen := map[string]*found{}
	lookup := in.verifier.Peer
	v.Peer = func(ctx context.Context, name string) (*parley.Peer, error) {
		mu.Lock()
		defer mu.Unlock()
		if f := seen[name]; f != nil {
			return f.p, f.err
		}
		p, err := lookup(ctx, name)
		if err != nil && parley.ErrorCode(err) == parley.EINTERNAL {
			return p, err // a database error: the next envelope asks again
		}
		seen[name] = &found{p, err}
		return p, err
	}
	return &v
}
