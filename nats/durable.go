package nats

import (
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
	Retry  time.Duration
	Logger *slog.Logger
}

// RunDurable feeds the stream's events to handle through a durable consumer, one at a time
// and in order (the handler may rely on a report arriving before its resolution), until ctx
// ends. A new consumer starts at the stream's first event. Messages that are not events are
// terminated, never redelivered. When the connection fails it tries again with backoff.
func RunDurable(ctx context.Context, js jetstream.JetStream, o DurableOptions, handle Handler) error {
	if o.Name == "" {
		return errors.New("durable consumer: no name")
	}
	if o.Stream == "" {
		o.Stream = DefaultStreamName
	}
	if o.Retry <= 0 {
		o.Retry = 5 * time.Second
	}
	logger := orDiscard(o.Logger).With("consumer", o.Name)
	subject := DefaultStreamSubject
	if o.Instance != "" {
		subject = SubjectPrefix + "." + o.Instance + ".*.*.*.*"
	}
	for attempt := 0; ; attempt++ {
		err := consume(ctx, js, o, subject, handle, logger)
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

// handleInProgress runs handle, telling the stream every ackWait/3 that the event is still
// being applied, so a slow handler's event is not delivered a second time meanwhile.
func handleInProgress(ctx context.Context, msg jetstream.Msg, e parley.OutboxEvent, handle Handler) error {
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
				_ = msg.InProgress()
			}
		}
	}()
	return handle(ctx, e)
}

func consume(ctx context.Context, js jetstream.JetStream, o DurableOptions, subject string, handle Handler, logger *slog.Logger) error {
	cons, err := js.CreateOrUpdateConsumer(ctx, o.Stream, jetstream.ConsumerConfig{
		Durable:       o.Name,
		Description:   "Parley " + o.Name + ": applies every event once, in order.",
		DeliverPolicy: jetstream.DeliverAllPolicy,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       ackWait,
		MaxAckPending: 1,
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
		env, err := DecodeEnvelope(msg.Data())
		if err != nil {
			logger.Warn("not an event, dropped", "subject", msg.Subject(), "error", err)
			_ = msg.Term()
			continue
		}
		if err := handleInProgress(ctx, msg, env.Event(), handle); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			logger.Warn("event failed, will be delivered again", "event", env.ID, "kind", env.Kind, "error", err)
			_ = msg.NakWithDelay(o.Retry)
			continue
		}
		// The event is applied: its ack goes out even when shutdown began meanwhile, or the
		// stream would hold it (MaxAckPending 1) for AckWait before anything else could flow.
		ackCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		err = msg.DoubleAck(ackCtx)
		cancel()
		if err != nil {
			logger.Warn("ack failed; the event will come again and be skipped", "event", env.ID, "error", err)
		}
	}
}
