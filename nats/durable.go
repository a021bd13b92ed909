package nats

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleyhq/parley"
)

// Handler applies one event. It must be idempotent by event ID: JetStream delivers at least
// once. A nil answer acknowledges the event; an error has it delivered again later.
type Handler func(ctx context.Context, e parley.OutboxEvent) error

// BatchHandler applies a run of events, in their order, as one (RunDurableBatch). It must
// be idempotent by event ID: an error has the whole run delivered again later.
type BatchHandler func(ctx context.Context, es []parley.OutboxEvent) error

// DurableOptions configure RunDurable.
type DurableOptions struct {
	// Name is the durable consumer's name, such as "trust": the stream remembers how far
	// it got, across restarts and replicas (which share the work).
	Name string
	// Stream is the event stream's name, DefaultStreamName by default.
	Stream string
	// Instance narrows delivery to this instance's events; "" takes every event.
	Instance string
	// Retry is how long a failed event waits before it is delivered again, 5 s by default.
	Retry time.Duration
	// Linger, for a batch consumer, is how long a run waits after its first event for more,
	// up to its max: a consumer that keeps up with a steady flow then takes it in runs, each
	// with one transaction and one acknowledgement, instead of event by event. Zero takes
	// only what is ready at once.
	Linger time.Duration
	Logger *slog.Logger
}

// RunDurable feeds the stream's events to handle through a durable consumer, one at a time
// and in order (the handler may rely on a report arriving before its resolution), until ctx
// ends. A new consumer starts at the stream's first event. Messages that are not events are
// terminated, never redelivered. When the connection fails it tries again with backoff.
func RunDurable(ctx context.Context, js jetstream.JetStream, o DurableOptions, handle Handler) error {
	return RunDurableBatch(ctx, js, o, 1, func(ctx context.Context, es []parley.OutboxEvent) error { return handle(ctx, es[0]) })
}

// RunDurableBatch is RunDurable for a handler that takes runs of up to max events, in
// order: whatever the stream has ready when the handler is free, so a consumer that keeps
// up gets one event at a time, and one behind gets its backlog max at once.
func RunDurableBatch(ctx context.Context, js jetstream.JetStream, o DurableOptions, max int, handle BatchHandler) error {
	if o.Name == "" {
		return errors.New("durable consumer: no name")
	}
	if o.Stream == "" {
		o.Stream = DefaultStreamName
	}
	if o.Retry <= 0 {
		o.Retry = 5 * time.Second
	}
	max = cmp.Or(max, 1)
	logger := orDiscard(o.Logger).With("consumer", o.Name)
	subject := DefaultStreamSubject
	if o.Instance != "" {
		subject = SubjectPrefix + "." + o.Instance + ".*.*.*.*"
	}
	for attempt := 0; ; attempt++ {
		err := consume(ctx, js, o, subject, max, handle, logger)
		if ctx.Err() != nil {
			return nil
		}
		logger.Warn("durable consumer interrupted, retrying", "error", err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff(attempt, 100*time.Millisecond, 10*time.Second)):
		}
	}
}

// ackWait is how long the stream waits for an event's ack before it delivers the event
// again. It is short because a delivery can be lost: a consumer that stops leaves its last
// pull request open on the server, and an event sent to it waits out ackWait (with
// MaxAckPending 1, so does everything after it). A handler that takes longer (waiting for a
// recompute, say) keeps its event with progress notes.
const ackWait = 5 * time.Second

// handleInProgress runs handle, telling the stream every ackWait/3 that the events are
// still being applied, so a slow handler's events are not delivered a second time meanwhile.
func handleInProgress(ctx context.Context, msgs []jetstream.Msg, es []parley.OutboxEvent, handle BatchHandler) error {
	done := make(chan struct{})
	defer close(done)
	go func() {
		tick := time.NewTicker(ackWait / 3)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				for _, msg := range msgs {
					_ = msg.InProgress()
				}
			}
		}
	}()
	return handle(ctx, es)
}

// readyWait is how long a run waits for an event the stream has already sent on its way.
const readyWait = time.Millisecond

func consume(ctx context.Context, js jetstream.JetStream, o DurableOptions, subject string, max int, handle BatchHandler, logger *slog.Logger) error {
	cons, err := js.CreateOrUpdateConsumer(ctx, o.Stream, jetstream.ConsumerConfig{
		Durable:       o.Name,
		Description:   "Parley " + o.Name + ": applies every event once, in order.",
		DeliverPolicy: jetstream.DeliverAllPolicy,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       ackWait,
		MaxAckPending: max,
		FilterSubject: subject,
	})
	if err != nil {
		return fmt.Errorf("create consumer %s: %w", o.Name, err)
	}
	it, err := cons.Messages()
	if err != nil {
		return fmt.Errorf("consume %s: %w", o.Name, err)
	}
	stop := context.AfterFunc(ctx, it.Stop)
	defer stop()
	defer it.Stop()
	for {
		msg, err := it.Next()
		if err != nil {
			return err
		}
		// The run is what is ready now; an iterator that closed meanwhile says so at the
		// next Next, after this run is applied.
		ready := []jetstream.Msg{msg}
		until := time.Now().Add(o.Linger)
		for len(ready) < max {
			wait := time.Until(until)
			if wait < readyWait {
				wait = readyWait
			}
			m, err := it.Next(jetstream.NextMaxWait(wait))
			if err != nil {
				break
			}
			ready = append(ready, m)
		}
		msgs, es := ready[:0], make([]parley.OutboxEvent, 0, len(ready))
		for _, msg := range ready {
			env, err := DecodeEnvelope(msg.Data())
			if err != nil {
				logger.Warn("not an event, dropped", "subject", msg.Subject(), "error", err)
				_ = msg.Term()
				continue
			}
			msgs, es = append(msgs, msg), append(es, env.Event())
		}
		if len(es) == 0 {
			continue
		}
		if err := handleInProgress(ctx, msgs, es, handle); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			logger.Warn("events failed, will be delivered again", "first", es[0].ID, "kind", es[0].Kind, "events", len(es), "error", err)
			for _, msg := range msgs {
				_ = msg.NakWithDelay(o.Retry)
			}
			continue
		}
		// The events are applied: their acks go out even when shutdown began meanwhile, or
		// the stream would hold them (MaxAckPending) for AckWait before anything else could
		// flow. Acks go out in order on one connection, so the last one's confirmation
		// confirms them all.
		for _, msg := range msgs[:len(msgs)-1] {
			_ = msg.Ack()
		}
		ackCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		err = msgs[len(msgs)-1].DoubleAck(ackCtx)
		cancel()
		if err != nil {
			logger.Warn("ack failed; the events will come again and be skipped", "event", es[len(es)-1].ID, "error", err)
		}
	}
}
