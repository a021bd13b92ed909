package federation

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"golang.org/x/time/rate"

	"github.com/parleyhq/parley"
)

// Transport limits and names.
const (
	// OutboundMaxAge is how long this instance's envelopes stay in its own stream.
	OutboundMaxAge = 7 * 24 * time.Hour
	// InboundMaxAge bounds a peer's backlog by age: beyond it, envelopes would be refused
	// as expired anyway.
	InboundMaxAge = 24 * time.Hour
	// maxMsgSize is the hard limit NATS enforces on an inbound message; the verifier
	// counts anything above DefaultMaxEnvelopeBytes as too_large below it.
	maxMsgSize = 4 * DefaultMaxEnvelopeBytes
)

// Subject is where an envelope of origin addressed to peer to is published:
// fed.<origin>.<to>.<kind>, with the dots of the kind kept as subject tokens
// (fed.alpha.beta.comment.created). Each peer's NATS account sees only the subjects
// addressed to it.
func Subject(origin, to, kind string) string { return "fed." + origin + "." + to + "." + kind }

// PeerStream names the stream of this instance's envelopes for one peer: the peer reads it
// live over its leaf connection and, for what it missed, with direct gets of that stream
// alone.
func PeerStream(peer string) string { return "FED_TO_" + streamToken(peer) }

// legacyOutboundStream is the one outbound stream of earlier versions (fed.<self>.>,
// every peer reading everything); EnsureOutbound removes it, since its subjects overlap
// the per-peer streams'.
func legacyOutboundStream(self string) string { return "FED_OUT_" + streamToken(self) }

// InboundStream names the stream that receives one peer's envelopes.
func InboundStream(peer string) string { return "FED_IN_" + streamToken(peer) }

func streamToken(s string) string {
	return strings.NewReplacer(".", "_", "*", "_", ">", "_").Replace(s)
}

// Transport moves envelopes over JetStream: it publishes this instance's envelopes for
// each peer to fed.<self>.<peer>.> in a stream of that peer's (PeerStream), and reads each
// active peer's from an inbound stream of its own, with limits (bytes, messages, age; once
// full, new messages are refused), that the NATS leaf connection of that peer fills
// (nats.FederationOptions).
type Transport struct {
	js      jetstream.JetStream
	self    string
	inbound *Inbound
	logger  *slog.Logger

	mu        sync.Mutex
	consumers map[string]context.CancelFunc
	limiters  map[string]*rate.Limiter
	// outbound holds the peers that have a stream of envelopes here (active and paused
	// peers: a paused one reads its backlog when it resumes).
	outbound map[string]bool
	wg       sync.WaitGroup
	// rateUnit is the period of a peer's message quota: a second (MaxMessagesPerSecond);
	// tests stretch it.
	rateUnit time.Duration
	// catchUpEvery is how often a peer's outbound stream is read again (CatchUpInterval);
	// tests shorten it.
	catchUpEvery time.Duration
}

// NewTransport returns a transport for instance self that applies what arrives with inbound.
func NewTransport(js jetstream.JetStream, self string, inbound *Inbound, logger *slog.Logger) *Transport {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Transport{js: js, self: self, inbound: inbound, logger: logger, consumers: map[string]context.CancelFunc{},
		limiters: map[string]*rate.Limiter{}, outbound: map[string]bool{}, rateUnit: time.Second, catchUpEvery: CatchUpInterval}
}

// EnsureOutbound prepares the outbound side: it removes the single outbound stream of
// earlier versions, whose subjects (fed.<self>.>) would overlap the per-peer streams that
// Reconcile makes. What it held for peers that had not read it yet is lost, once.
func (t *Transport) EnsureOutbound(ctx context.Context) error {
	err := t.js.DeleteStream(ctx, legacyOutboundStream(t.self))
	if err != nil && !errors.Is(err, jetstream.ErrStreamNotFound) {
		return fmt.Errorf("federation outbound stream of earlier versions: %w", err)
	}
	return nil
}

// ensurePeerStream creates or updates the stream of envelopes for one peer.
func (t *Transport) ensurePeerStream(ctx context.Context, peer string) error {
	_, err := t.js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        PeerStream(peer),
		Description: "Signed federation envelopes of this instance for peer " + peer + ", read by it over its leaf connection.",
		Subjects:    []string{Subject(t.self, peer, ">")},
		Retention:   jetstream.LimitsPolicy,
		Storage:     jetstream.FileStorage,
		MaxAge:      OutboundMaxAge,
		Discard:     jetstream.DiscardOld,
		Duplicates:  2 * time.Minute,
		// The peer reads what it missed with direct gets (CatchUp), exported read-only to
		// that peer's account only.
		AllowDirect: true,
	})
	if err != nil {
		return fmt.Errorf("federation stream for %s: %w", peer, err)
	}
	return nil
}

// Publish sends a signed envelope to every peer that has a stream here (active or
// paused), for what concerns them all (a sanction's label).
func (t *Transport) Publish(ctx context.Context, e *Envelope) error {
	t.mu.Lock()
	peers := make([]string, 0, len(t.outbound))
	for name := range t.outbound {
		peers = append(peers, name)
	}
	t.mu.Unlock()
	return t.PublishTo(ctx, e, peers)
}

// PublishTo sends a signed envelope to the named peers, skipping those without a stream
// here (pending or defederated). Its ID is the message ID, so a retry within two minutes is
// stored once per peer (the receivers' ledger is the lasting guard).
func (t *Transport) PublishTo(ctx context.Context, e *Envelope, peers []string) error {
	if e.Origin != t.self {
		return fmt.Errorf("federation: publishing an envelope of %q from %q", e.Origin, t.self)
	}
	data := e.Marshal()
	var errs []error
	for _, peer := range peers {
		t.mu.Lock()
		ok := t.outbound[peer]
		t.mu.Unlock()
		if !ok {
			continue
		}
		if _, err := t.js.Publish(ctx, Subject(e.Origin, peer, e.Kind), data, jetstream.WithMsgID(e.Origin+"/"+e.ID)); err != nil {
			errs = append(errs, fmt.Errorf("to %s: %w", peer, err))
		}
	}
	return errors.Join(errs...)
}

// PublishRaw publishes an envelope on the subject of subjectOrigin addressed to to,
// whatever its own origin says: what a hostile or broken peer can do, for tests of the
// receiving side.
func (t *Transport) PublishRaw(ctx context.Context, subjectOrigin, to string, e *Envelope) error {
	_, err := t.js.Publish(ctx, Subject(subjectOrigin, to, e.Kind), e.Marshal(), jetstream.WithMsgID(e.Origin+"/"+e.ID))
	return err
}

// ensureInbound creates or updates a peer's inbound stream with the peer's quotas.
func (t *Transport) ensureInbound(ctx context.Context, p *parley.Peer) error {
	maxBytes, maxMsgs := int64(p.MaxBytes), int64(p.MaxBacklog)
	if maxBytes <= 0 {
		maxBytes = DefaultPeerMaxBytes
	}
	if maxMsgs <= 0 {
		maxMsgs = DefaultPeerMaxBacklog
	}
	_, err := t.js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        InboundStream(p.Name),
		Description: "Federation envelopes from peer " + p.Name + ", verified and applied once by Parley.",
		Subjects:    []string{Subject(p.Name, t.self, ">")},
		Retention:   jetstream.LimitsPolicy,
		Storage:     jetstream.FileStorage,
		MaxAge:      InboundMaxAge,
		MaxBytes:    maxBytes,
		MaxMsgs:     maxMsgs,
		MaxMsgSize:  maxMsgSize,
		// Once full, new messages are refused rather than old ones dropped: a refusal
		// writes nothing (a flood beyond the backlog costs the NATS server next to
		// nothing, where discarding the oldest wrote and deleted one message for each),
		// and nothing already stored is lost; catch-up reads an honest peer's refused
		// envelopes again from its cursor, which moves only past what was stored.
		Discard:    jetstream.DiscardNew,
		Duplicates: 2 * time.Minute,
	})
	if err != nil {
		return fmt.Errorf("inbound stream of %s: %w", p.Name, err)
	}
	return nil
}

// Reconcile makes the running consumers match peers: each ACTIVE peer gets its inbound
// stream, a consumer and a catch-up reader of its outbound stream, every other peer's consumer stops. It is safe to call often.
func (t *Transport) Reconcile(ctx context.Context, peers []*parley.Peer) error {
	want := map[string]*parley.Peer{}
	out := map[string]bool{}
	for _, p := range peers {
		if p.State == parley.PeerActive {
			want[p.Name] = p
		}
		if p.State == parley.PeerActive || p.State == parley.PeerPaused {
			out[p.Name] = true
		}
	}
	var errs []error
	if err := t.reconcileOutbound(ctx, out); err != nil {
		errs = append(errs, err)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for name, stop := range t.consumers {
		if want[name] == nil {
			stop()
			delete(t.consumers, name)
			delete(t.limiters, name)
		}
	}
	for name, p := range want {
		if err := t.ensureInbound(ctx, p); err != nil {
			errs = append(errs, err)
			continue
		}
		// The quota: at most MaxMessagesPerSecond envelopes a second are verified and
		// applied; what a peer sends faster waits in its stream, whose limits refuse what
		// comes once it is full, so a flood costs this instance the quota and no more.
		n := p.MaxMessagesPerSecond
		if n <= 0 {
			n = DefaultPeerMessagesPerSecond
		}
		every := rate.Every(t.rateUnit / time.Duration(n))
		if l := t.limiters[name]; l != nil {
			l.SetLimit(every)
			l.SetBurst(n)
		} else {
			t.limiters[name] = rate.NewLimiter(every, n)
		}
		if t.consumers[name] != nil {
			continue
		}
		cctx, stop := context.WithCancel(context.WithoutCancel(ctx))
		t.consumers[name] = stop
		limiter := t.limiters[name]
		t.wg.Go(func() { t.consume(cctx, name, limiter) })
		t.wg.Go(func() { t.catchUp(cctx, name) })
	}
	return errors.Join(errs...)
}

// reconcileOutbound keeps a stream for each peer in out and deletes those of the others
// (removed or defederated peers): what was waiting for them is dropped, never sent.
func (t *Transport) reconcileOutbound(ctx context.Context, out map[string]bool) error {
	var errs []error
	ok := map[string]bool{}
	for name := range out {
		if err := t.ensurePeerStream(ctx, name); err != nil {
			errs = append(errs, err)
			continue
		}
		ok[name] = true
	}
	t.mu.Lock()
	t.outbound = ok
	t.mu.Unlock()
	names := t.js.StreamNames(ctx, jetstream.WithStreamListSubject(Subject(t.self, "*", ">")))
	for name := range names.Name() {
		peer, found := strings.CutPrefix(name, "FED_TO_")
		if !found || ok[peer] {
			continue
		}
		if err := t.js.DeleteStream(ctx, name); err != nil && !errors.Is(err, jetstream.ErrStreamNotFound) {
			errs = append(errs, err)
		}
	}
	if err := names.Err(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Purge drops a peer's backlog: what it sent that was not applied yet.
func (t *Transport) Purge(ctx context.Context, peer string) error {
	s, err := t.js.Stream(ctx, InboundStream(peer))
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return s.Purge(ctx)
}

// Lag is how many envelopes of a peer wait in its inbound stream, unapplied.
func (t *Transport) Lag(ctx context.Context, peer string) (uint64, error) {
	c, err := t.js.Consumer(ctx, InboundStream(peer), consumerName)
	if err != nil {
		return 0, err
	}
	info, err := c.Info(ctx)
	if err != nil {
		return 0, err
	}
	return info.NumPending + uint64(info.NumAckPending), nil
}

// Close stops every consumer and waits for them.
func (t *Transport) Close() {
	t.mu.Lock()
	for name, stop := range t.consumers {
		stop()
		delete(t.consumers, name)
	}
	t.mu.Unlock()
	t.wg.Wait()
}

const consumerName = "parley-federation"

// consume applies a peer's inbound stream in order until ctx ends, retrying with backoff
// when the stream or connection fails.
func (t *Transport) consume(ctx context.Context, peer string, limiter *rate.Limiter) {
	for attempt := 0; ctx.Err() == nil; attempt++ {
		err := t.consumeOnce(ctx, peer, limiter)
		if ctx.Err() != nil {
			return
		}
		t.logger.Warn("federation: inbound consumer interrupted", "peer", peer, "error", err)
		select {
		case <-ctx.Done():
		case <-time.After(min(time.Duration(attempt+1)*200*time.Millisecond, 5*time.Second)):
		}
	}
}

// MaxRun is the most envelopes of one peer verified and applied as one run: the consumer
// has that many delivered at once (MaxAckPending), so a peer's backlog is taken in runs
// whose fixed costs (the peer's record, the ledger's claims, the peer's counters, acks)
// are paid once.
const MaxRun = 32

// minRun is the run a consumer held by its peer's quota takes when that many envelopes are
// ready: small enough that the quota's envelopes are applied steadily, large enough that
// a run's fixed costs are shared.
const minRun = 8

// retryAfter is how long envelopes that failed for an infrastructure error (the database)
// wait before they are tried again.
const retryAfter = 2 * time.Second

func (t *Transport) consumeOnce(ctx context.Context, peer string, limiter *rate.Limiter) error {
	c, err := t.js.CreateOrUpdateConsumer(ctx, InboundStream(peer), jetstream.ConsumerConfig{
		Durable:       consumerName,
		Description:   "Parley: verifies and applies each envelope of " + peer + " once.",
		DeliverPolicy: jetstream.DeliverAllPolicy,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       30 * time.Second,
		MaxAckPending: MaxRun,
	})
	if err != nil {
		return err
	}
	it, err := c.Messages()
	if err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, it.Stop)
	defer stop()
	defer it.Stop()
	for {
		msg, err := it.Next()
		if err != nil {
			return err
		}
		// The run is what is ready now, up to what the quota allows now and at least
		// minRun: a consumer that keeps up takes one envelope at a time; one behind takes
		// what the tokens saved while it applied the last run; one held by the quota (a
		// peer sending faster than it may) waits for minRun tokens and applies minRun at
		// once, paying a run's fixed costs once for them, at the quota's pace, never in
		// bursts of a second's quota.
		n := min(MaxRun, limiter.Burst(), max(minRun, int(limiter.Tokens())))
		run := []jetstream.Msg{msg}
		for len(run) < n {
			m, err := it.Next(jetstream.NextMaxWait(time.Millisecond))
			if err != nil {
				break
			}
			run = append(run, m)
		}
		if err := t.applyRun(ctx, peer, limiter, run); err != nil {
			return err
		}
	}
}

// applyRun verifies and applies a run of a peer's messages in order, one token of the
// peer's quota each, and answers each: a rejection is terminated, anything else done with
// is acknowledged. Messages that failed for an infrastructure error are kept, in order, and
// tried again after retryAfter (each again one token), so that nothing after them is
// applied before them; when the consumer stops meanwhile they are handed back
// (a nak) for redelivery.
func (t *Transport) applyRun(ctx context.Context, peer string, limiter *rate.Limiter, run []jetstream.Msg) error {
	for {
		for range run {
			if err := limiter.Wait(ctx); err != nil {
				nakAll(run)
				return err
			}
		}
		ds := make([]Delivery, len(run))
		for i, msg := range run {
			ds[i] = Delivery{Data: msg.Data(), Received: time.Now()}
			if meta, err := msg.Metadata(); err == nil {
				ds[i].Received = meta.Timestamp
			}
		}
		results := t.inbound.ReceiveRun(ctx, peer, ds)
		var again []jetstream.Msg
		var cause error
		for i, r := range results {
			switch {
			case r.Outcome == Rejected:
				_ = run[i].Term()
			case r.Err != nil:
				again = append(again, run[i])
				cause = cmp.Or(cause, r.Err)
			default:
				_ = run[i].Ack()
			}
		}
		if len(again) == 0 {
			return nil
		}
		run = again
		t.logger.Warn("federation: envelopes not applied, will be tried again", "peer", peer, "envelopes", len(run), "error", cause)
		for _, msg := range run {
			_ = msg.InProgress()
		}
		select {
		case <-ctx.Done():
			nakAll(run)
			return ctx.Err()
		case <-time.After(retryAfter):
		}
	}
}

// nakAll hands messages back for redelivery.
func nakAll(run []jetstream.Msg) {
	for _, msg := range run {
		_ = msg.Nak()
	}
}
