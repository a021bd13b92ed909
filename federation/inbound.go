package federation

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/parleyhq/parley"
)

// Applier applies a verified envelope. It runs at most once per (origin, id) in the normal
// course; it should still be idempotent by the objects' IDs, for the crash between apply
// and the ledger (see Inbound.Receive).
type Applier interface {
	Apply(ctx context.Context, v *Verified) error
}

// ApplierFunc adapts a function to Applier.
type ApplierFunc func(ctx context.Context, v *Verified) error

// Apply calls f.
func (f ApplierFunc) Apply(ctx context.Context, v *Verified) error { return f(ctx, v) }

// Outcome is what became of one inbound message.
type Outcome string

// Outcomes; a rejection's reason is in the Rejection.
const (
	Applied   Outcome = "applied"
	Duplicate Outcome = "duplicate"
	Rejected  Outcome = "rejected"
	// Ignored is a genuine envelope of a kind this build does not know, from a peer that
	// runs a newer version: it is dropped without counting against the peer.
	Ignored Outcome = "ignored"
)

// Inbound verifies and applies messages from peers' streams, each at most once.
type Inbound struct {
	verifier *Verifier
	store    parley.FederationStore
	apply    Applier
	logger   *slog.Logger
	counter  *prometheus.CounterVec
	breaker  int
	onPause  func()
	refresh  func(ctx context.Context) error

	mu          sync.Mutex
	strikes     map[string]int
	lastRefresh time.Time
}

// InboundOptions configure NewInbound.
type InboundOptions struct {
	Logger *slog.Logger
	// Metrics, when set, gets parley_federation_envelopes_total{result,reason}.
	Metrics prometheus.Registerer
	// BreakerThreshold is how many invalid envelopes in a row from one peer pause it (the
	// circuit breaker), DefaultBreakerThreshold when 0. An applied envelope resets the count.
	BreakerThreshold int
	// OnPause, when set, runs after the breaker paused a peer.
	OnPause func()
	// RefreshKeys, when set, reads the peers' documents again (Service.RefreshPeerKeys). It
	// runs when an envelope names a key not pinned, at most once every KeyRefreshInterval,
	// and the envelope is verified again: a peer that revoked its signing key signs with a
	// new one at once, and its envelopes must not be refused until the periodic refresh.
	RefreshKeys func(ctx context.Context) error
}

// KeyRefreshInterval is how often an unknown key may make Inbound read the peers' documents
// again, so that a peer naming made-up keys costs a fetch now and then, no more.
const KeyRefreshInterval = 10 * time.Second

// DefaultBreakerThreshold is how many invalid envelopes in a row pause a peer: a broken or
// hostile peer stops costing verification, and an admin looks before resuming it.
const DefaultBreakerThreshold = 100

// NewInbound returns an Inbound verifying with v, recording in store and applying with a.
func NewInbound(v *Verifier, store parley.FederationStore, a Applier, o InboundOptions) *Inbound {
	if o.BreakerThreshold <= 0 {
		o.BreakerThreshold = DefaultBreakerThreshold
	}
	in := &Inbound{verifier: v, store: store, apply: a, logger: o.Logger, breaker: o.BreakerThreshold,
		onPause: o.OnPause, refresh: o.RefreshKeys, strikes: map[string]int{},
		counter: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "parley_federation_envelopes_total",
			Help: "Envelopes received from peers, by result (applied, duplicate, rejected, ignored) and, for rejections and envelopes ignored, the reason.",
		}, []string{"result", "reason"})}
	if in.logger == nil {
		in.logger = slog.New(slog.DiscardHandler)
	}
	for _, r := range Reasons {
		in.counter.WithLabelValues(string(Rejected), r)
	}
	in.counter.WithLabelValues(string(Applied), "")
	in.counter.WithLabelValues(string(Duplicate), "")
	in.counter.WithLabelValues(string(Ignored), "unknown_kind")
	if o.Metrics != nil {
		o.Metrics.MustRegister(in.counter)
	}
	return in
}

// Counter is the envelope counter, for tests and the metrics page.
func (in *Inbound) Counter() *prometheus.CounterVec { return in.counter }

// Receive verifies data (received at the given time, the stream's receipt time) and, when
// it passes, claims its (origin, id) in the ledger and applies it. A rejection or a
// duplicate is an answer, not an error: the message is done with. An error means the
// message should be delivered again (a database outage); the claim is released first, so
// the retry applies it. A crash between the claim and the apply's end would leave the
// envelope claimed and unapplied; appliers keyed by object ID make the origin's next edit
// repair it.
func (in *Inbound) Receive(ctx context.Context, data []byte, received time.Time) (Outcome, error) {
	return in.ReceiveFrom(ctx, "", data, received)
}

// ReceiveFrom is Receive for a message read from peer's inbound stream: an envelope of any
// other origin is refused (wrong_subject), so that a peer cannot pass on a third instance's
// envelopes under its own quota. An empty peer skips the check.
func (in *Inbound) ReceiveFrom(ctx context.Context, peer string, data []byte, received time.Time) (Outcome, error) {
	r := in.ReceiveRun(ctx, peer, []Delivery{{Data: data, Received: received}})[0]
	return r.Outcome, r.Err
}

// refreshKeys reads the peers' keys again unless it did within KeyRefreshInterval, and
// reports whether it did.
func (in *Inbound) refreshKeys(ctx context.Context) bool {
	if in.refresh == nil {
		return false
	}
	in.mu.Lock()
	if time.Since(in.lastRefresh) < KeyRefreshInterval {
		in.mu.Unlock()
		return false
	}
	in.lastRefresh = time.Now()
	in.mu.Unlock()
	if err := in.refresh(ctx); err != nil {
		in.logger.Warn("federation: peers' keys not read again for an unknown key", "error", err)
		return false
	}
	return true
}

// strike counts an invalid envelope of a peer and pauses an active peer that reached the
// breaker's threshold, reporting whether it paused it.
func (in *Inbound) strike(ctx context.Context, name string) bool {
	in.mu.Lock()
	in.strikes[name]++
	n := in.strikes[name]
	if n >= in.breaker {
		delete(in.strikes, name)
	}
	in.mu.Unlock()
	if n < in.breaker {
		return false
	}
	p, err := in.store.FindPeerByName(ctx, name)
	if err != nil || p.State != parley.PeerActive {
		return false
	}
	p.State = parley.PeerPaused
	if err := in.store.UpdatePeer(ctx, p); err != nil {
		in.logger.Error("federation: circuit breaker could not pause a peer", "peer", name, "error", err)
		return false
	}
	in.logger.Warn("federation: peer paused by the circuit breaker", "peer", name, "invalid envelopes in a row", n)
	if in.onPause != nil {
		in.onPause()
	}
	return true
}
