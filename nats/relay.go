package nats

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleyhq/parley"
)

// Relay defaults, each explained on the RelayOptions field it fills.
const (
	DefaultBatchSize     = 256
	DefaultIdleInterval  = 100 * time.Millisecond
	DefaultMaxBackoff    = 5 * time.Second
	DefaultAckTimeout    = PublishAckTimeout
	DefaultRetention     = 24 * time.Hour
	DefaultPruneInterval = 5 * time.Minute
	minBackoff           = 100 * time.Millisecond
	closedCheck          = 50 * time.Millisecond
)

// RelayOptions configures a Relay. Only Instance is required.
type RelayOptions struct {
	// Instance is the instance name, the second token of every subject; it must pass
	// ValidateInstance.
	Instance string
	// Logger receives one warning when publishing stops and one notice when it resumes.
	Logger *slog.Logger
	// BatchSize is how many events one drain locks and publishes, 256 by default. It must
	// stay within the JetStream handle's async pending limit (4000 by default).
	BatchSize int
	// IdleInterval is how long the relay waits before looking again when the outbox was
	// empty, 100 ms by default: the delay a live update may take when the bus is idle.
	IdleInterval time.Duration
	// MaxBackoff caps the jittered exponential wait between attempts while publishing
	// fails, 5 seconds by default, so recovery is noticed within seconds without hammering
	// a struggling NATS or PostgreSQL.
	MaxBackoff time.Duration
	// AckTimeout is how long a batch waits for the stream's acks, 10 seconds by default.
	// Events not acked in time stay pending and go out again with the next drain.
	AckTimeout time.Duration
	// Retention is how long published events stay in the outbox before Prune deletes them,
	// 24 hours by default: enough to inspect or replay a day's events from SQL.
	Retention time.Duration
	// PruneInterval is how often the relay prunes, 5 minutes by default. Pruning needs an
	// outbox with a Prune method (postgres.OutboxStore has one); others are not pruned.
	PruneInterval time.Duration
	// Connect, when set, gives the relay a new JetStream handle whenever it has none or its
	// connection has closed: an in-process connection closes with its embedded server, and
	// an external one closes only if its reconnects were limited. The relay owns what
	// Connect returns and closes that connection when it replaces it or Run returns. With
	// Connect unset, the relay keeps the handle given to NewRelay and relies on nats.go's
	// reconnects.
	Connect func(ctx context.Context) (jetstream.JetStream, error)
}

// RelayStats is a snapshot of a relay's work, for /metrics and tests.
type RelayStats struct {
	// Published counts events the stream acked and the outbox then marked.
	Published uint64
	// Sent counts publish attempts, duplicates and failures included; with one relay per
	// event and no failures it equals Published.
	Sent uint64
	// Duplicates counts acks in which the stream reported an event it already had.
	Duplicates uint64
	// Batches counts drains that found at least one event.
	Batches uint64
	// Failures counts drains that failed, by the bus or by the database.
	Failures uint64
	// Pruned counts outbox rows deleted after their retention.
	Pruned uint64
	// LastError and LastErrorAt describe the latest failure, kept after recovery.
	LastError   string
	LastErrorAt time.Time
	// Backoff is the current wait before the next attempt; zero while healthy.
	Backoff time.Duration
	// OutageSince is when publishing started to fail; zero while healthy.
	OutageSince time.Time
}

// pruner is an outbox that can forget events published before a time.
type pruner interface {
	Prune(ctx context.Context, publishedBefore time.Time) (int, error)
}

// Relay moves events from the outbox to the stream. It is the only publisher of events, so
// the request path never waits for NATS. Run one per replica: the outbox hands each event
// to one relay at a time (SKIP LOCKED), and the stream drops republished event IDs
// (Nats-Msg-Id), so several relays on one database and one stream publish each event once.
type Relay struct {
	outbox  parley.Outbox
	o       RelayOptions
	log     *slog.Logger
	js      jetstream.JetStream // touched by Run's goroutine only
	owned   bool                // js came from o.Connect
	running atomic.Bool
	// wake cuts an idle wait short: see Wake.
	wake chan struct{}

	mu    sync.Mutex
	stats RelayStats
}

// NewRelay returns a relay draining outbox into the stream bound to the event subjects. js
// may be nil when o.Connect is set; the relay then connects on its first drain.
func NewRelay(outbox parley.Outbox, js jetstream.JetStream, o RelayOptions) (*Relay, error) {
	if outbox == nil {
		return nil, errors.New("nats: relay needs an outbox")
	}
	if js == nil && o.Connect == nil {
		return nil, errors.New("nats: relay needs a JetStream handle or RelayOptions.Connect")
	}
	if err := ValidateInstance(o.Instance); err != nil {
		return nil, fmt.Errorf("nats: relay: %w", err)
	}
	if o.BatchSize < 1 {
		o.BatchSize = DefaultBatchSize
	}
	if o.IdleInterval <= 0 {
		o.IdleInterval = DefaultIdleInterval
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = DefaultMaxBackoff
	}
	if o.AckTimeout <= 0 {
		o.AckTimeout = DefaultAckTimeout
	}
	if o.Retention <= 0 {
		o.Retention = DefaultRetention
	}
	if o.PruneInterval <= 0 {
		o.PruneInterval = DefaultPruneInterval
	}
	return &Relay{outbox: outbox, o: o, log: orDiscard(o.Logger).With("component", "relay"), js: js, wake: make(chan struct{}, 1)}, nil
}

// Stats returns a snapshot of the relay's counters.
func (r *Relay) Stats() RelayStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stats
}

// Run relays until ctx is done, then returns nil. A full batch is followed by another at
// once; an empty outbox is polled every IdleInterval; failures back off. Run may be called
// again after it returns, but not twice at once.
func (r *Relay) Run(ctx context.Context) error {
	if !r.running.CompareAndSwap(false, true) {
		return errors.New("nats: relay is already running")
	}
	defer r.running.Store(false)
	defer r.dropOwned()

	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	nextPrune := time.Now()
	failures := 0
	for ctx.Err() == nil {
		if now := time.Now(); !now.Before(nextPrune) {
			r.prune(ctx)
			nextPrune = now.Add(r.o.PruneInterval)
		}
		full, err := r.drainBatch(ctx)
		if ctx.Err() != nil {
			break
		}
		var wait time.Duration
		switch {
		case err != nil:
			failures++
			wait = jitter(backoff(failures, minBackoff, r.o.MaxBackoff))
			r.failed(err, wait)
		case failures > 0:
			failures = 0
			r.recovered(ctx)
		}
		if err == nil && !full {
			wait = r.o.IdleInterval
		}
		if wait > 0 {
			// Only an idle wait ends early when woken: a backoff during an outage must not
			// turn every request into a connection attempt.
			var wake <-chan struct{}
			if err == nil {
				wake = r.wake
			}
			timer.Reset(wait)
			select {
			case <-ctx.Done():
			case <-timer.C:
			case <-wake:
			}
		}
	}
	return nil
}

// Wake asks an idle relay to drain now rather than at its next poll, for a caller that has
// just written events (a mutation on this replica): live subscribers then hear of a comment
// within milliseconds instead of waiting up to IdleInterval. It never blocks; wakes that
// come while one is pending are one wake.
func (r *Relay) Wake() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// shutdownGrace is how long a batch in flight when Run's context ends may still take to be
// acked and marked. Abandoning it would leave events that the stream already has pending in
// the outbox; another relay would publish them again, and although the stream drops the
// repeats, core NATS subscribers (the live feeds) would hear them twice.
const shutdownGrace = 2 * time.Second

// drainBatch drains one batch, letting it finish within shutdownGrace when ctx ends.
func (r *Relay) drainBatch(ctx context.Context) (bool, error) {
	batch, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel() // runs after stop, and ends the grace wait below if it began
	stop := context.AfterFunc(ctx, func() {
		t := time.NewTimer(shutdownGrace)
		defer t.Stop()
		select {
		case <-t.C:
			cancel()
		case <-batch.Done():
		}
	})
	defer stop()
	return r.drain(batch)
}

// drain runs one batch and reports whether it was full, which means more may be waiting.
func (r *Relay) drain(ctx context.Context) (full bool, err error) {
	js, err := r.jetStream(ctx)
	if err != nil {
		return false, err
	}
	handed := 0
	marked, err := r.outbox.Drain(ctx, r.o.BatchSize, func(ctx context.Context, events []parley.OutboxEvent) ([]string, error) {
		handed = len(events)
		return r.publish(ctx, js, events)
	})
	r.mu.Lock()
	r.stats.Published += uint64(marked)
	if handed > 0 {
		r.stats.Batches++
	}
	r.mu.Unlock()
	if err != nil {
		return false, fmt.Errorf("drain outbox: %w", err)
	}
	return handed == r.o.BatchSize, nil
}

// publish sends a batch without waiting between messages, then collects the acks until
// AckTimeout, and returns the IDs the stream stored (or already had).
func (r *Relay) publish(ctx context.Context, js jetstream.JetStream, events []parley.OutboxEvent) ([]string, error) {
	futures := make([]jetstream.PubAckFuture, 0, len(events))
	var sendErr error
	for _, e := range events {
		msg, err := message(r.o.Instance, e)
		if err == nil {
			var f jetstream.PubAckFuture
			if f, err = js.PublishMsgAsync(msg, jetstream.WithMsgID(e.ID)); err == nil {
				futures = append(futures, f)
				continue
			}
		}
		sendErr = fmt.Errorf("publish event %s: %w", e.ID, err)
		break // later events keep their order for the next drain
	}
	acked := make([]string, 0, len(futures))
	var dups int
	var ackErr error
	deadline := time.NewTimer(r.o.AckTimeout)
	defer deadline.Stop()
	// nats.go fails pending acks when a connection starts reconnecting, but not when it
	// closes (an in-process server stopping): look for that, not to wait out AckTimeout.
	closed := time.NewTicker(closedCheck)
	defer closed.Stop()
	expired := false
	fail := func(err error) {
		if ackErr == nil {
			ackErr = err
		}
	}
	for i := 0; i < len(futures); {
		f := futures[i]
		if expired {
			// Take whatever acks already arrived; the rest stay pending.
			select {
			case ack := <-f.Ok():
				acked, dups = append(acked, events[i].ID), dups+btoi(ack.Duplicate)
			default:
			}
			i++
			continue
		}
		select {
		case ack := <-f.Ok():
			acked, dups = append(acked, events[i].ID), dups+btoi(ack.Duplicate)
			i++
		case err := <-f.Err():
			fail(fmt.Errorf("event %s not stored: %w", events[i].ID, err))
			i++
		case <-deadline.C:
			expired = true
			fail(fmt.Errorf("%d events not acked within %s", len(futures)-i, r.o.AckTimeout))
		case <-closed.C:
			if js.Conn().IsClosed() {
				expired = true
				fail(fmt.Errorf("waiting for acks: %w", natsgo.ErrConnectionClosed))
			}
		case <-ctx.Done():
			expired = true
			fail(ctx.Err())
		}
	}
	r.mu.Lock()
	r.stats.Sent += uint64(len(futures))
	r.stats.Duplicates += uint64(dups)
	r.mu.Unlock()
	return acked, errors.Join(sendErr, ackErr)
}

// message builds the NATS message of an event.
func message(instance string, e parley.OutboxEvent) (*natsgo.Msg, error) {
	body, err := json.Marshal(NewEnvelope(e))
	if err != nil {
		return nil, fmt.Errorf("encode envelope: %w", err)
	}
	msg := natsgo.NewMsg(Subject(instance, e))
	msg.Header.Set(HeaderKind, e.Kind)
	msg.Header.Set(HeaderContentType, ContentTypeJSON)
	msg.Data = body
	return msg, nil
}

// jetStream returns the handle to publish with, replacing a closed connection through
// o.Connect.
func (r *Relay) jetStream(ctx context.Context) (jetstream.JetStream, error) {
	if r.js != nil && !r.js.Conn().IsClosed() {
		return r.js, nil
	}
	if r.o.Connect == nil {
		return nil, errors.New("the NATS connection is closed and the relay has no RelayOptions.Connect")
	}
	r.dropOwned()
	js, err := r.o.Connect(ctx)
	if err != nil {
		return nil, fmt.Errorf("connect to NATS: %w", err)
	}
	r.js, r.owned = js, true
	return js, nil
}

// dropOwned closes a connection the relay obtained itself.
func (r *Relay) dropOwned() {
	if r.owned && r.js != nil {
		r.js.Conn().Close()
		r.js, r.owned = nil, false
	}
}

// failed records a failed drain and logs the first of an outage.
func (r *Relay) failed(err error, wait time.Duration) {
	now := time.Now()
	r.mu.Lock()
	first := r.stats.OutageSince.IsZero()
	if first {
		r.stats.OutageSince = now
	}
	r.stats.Failures++
	r.stats.LastError, r.stats.LastErrorAt, r.stats.Backoff = err.Error(), now, wait
	r.mu.Unlock()
	if first {
		r.log.Warn("events cannot be published; they wait in the outbox, retrying with backoff",
			"err", err, "max_backoff", r.o.MaxBackoff)
	}
}

// recovered ends an outage and logs how long it lasted and what is left to publish.
func (r *Relay) recovered(ctx context.Context) {
	r.mu.Lock()
	since, failures := r.stats.OutageSince, r.stats.Failures
	r.stats.OutageSince, r.stats.Backoff = time.Time{}, 0
	r.mu.Unlock()
	attrs := []any{"outage", time.Since(since).Round(time.Millisecond), "failures_total", failures}
	if pending, oldest, err := r.outbox.Backlog(ctx); err == nil {
		attrs = append(attrs, "backlog", pending)
		if pending > 0 {
			attrs = append(attrs, "oldest_pending_age", time.Since(oldest).Round(time.Millisecond))
		}
	}
	r.log.Info("events are being published again", attrs...)
}

// prune deletes events published more than Retention ago, when the outbox can.
func (r *Relay) prune(ctx context.Context) {
	p, ok := r.outbox.(pruner)
	if !ok {
		return
	}
	n, err := p.Prune(ctx, time.Now().Add(-r.o.Retention))
	if err != nil {
		if ctx.Err() == nil {
			r.log.Warn("pruning the outbox failed", "err", err)
		}
		return
	}
	r.mu.Lock()
	r.stats.Pruned += uint64(n)
	r.mu.Unlock()
	if n > 0 {
		r.log.Debug("pruned published events from the outbox", "events", n, "retention", r.o.Retention)
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
