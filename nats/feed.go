package nats

import (
	"context"
	"log/slog"
	"sync"
	"time"

	natsgo "github.com/nats-io/nats.go"

	"github.com/parleyhq/parley"
)

// Feed delivers a story's events to live subscribers through core NATS subscriptions on the
// event subjects, so NATS does the fan-out across replicas: every replica's subscribers get a
// comment posted through any replica, as soon as the relay publishes it. Within a replica,
// the subscribers of one subject share one NATS subscription, so an event is received and
// decoded once however many readers a story has; each subscriber has a small buffer, and a
// full one loses the event rather than holding the others up.
type Feed struct {
	conn     func() *natsgo.Conn
	instance string
	logger   *slog.Logger

	mu     sync.Mutex
	topics map[string]*topic
}

// topic is one NATS subscription and the local subscribers it feeds.
type topic struct {
	sub         *natsgo.Subscription
	mu          sync.Mutex // guards subscribers; taken after Feed.mu when both are
	subscribers map[chan parley.OutboxEvent]struct{}
}

// NewFeed returns a feed on the connection conn returns (a function, because the embedded
// server's connection is replaced when the server restarts).
func NewFeed(conn func() *natsgo.Conn, instance string, logger *slog.Logger) *Feed {
	return &Feed{conn: conn, instance: instance, logger: orDiscard(logger), topics: map[string]*topic{}}
}

var _ parley.EventSource = (*Feed)(nil)

// feedBuffer is how many events one subscriber may fall behind before it loses events.
const feedBuffer = 16

// StoryEvents subscribes to every event of one story until ctx ends.
func (f *Feed) StoryEvents(ctx context.Context, storyID string) (<-chan parley.OutboxEvent, error) {
	if !parley.IsID(storyID) {
		return nil, parley.Errorf(parley.ENOTFOUND, "Story not found.")
	}
	return f.subscribe(ctx, SubjectPrefix+"."+f.instance+".*.*.*."+storyID)
}

// SiteEvents subscribes to every event of one site's stories until ctx ends.
func (f *Feed) SiteEvents(ctx context.Context, siteID string) (<-chan parley.OutboxEvent, error) {
	if !parley.IsID(siteID) {
		return nil, parley.Errorf(parley.ENOTFOUND, "Site not found.")
	}
	return f.subscribe(ctx, SubjectPrefix+"."+f.instance+".*.*."+siteID+".*")
}

// CommentEventsEverywhere subscribes to every comment event of the instance, for
// notifications; all its subscribers share one NATS subscription.
func (f *Feed) CommentEventsEverywhere(ctx context.Context) (<-chan parley.OutboxEvent, error) {
	return f.subscribe(ctx, SubjectPrefix+"."+f.instance+".comment.*.*.*")
}

// AllEvents subscribes to every event of the instance, for caches that must forget what
// changed.
func (f *Feed) AllEvents(ctx context.Context) (<-chan parley.OutboxEvent, error) {
	return f.subscribe(ctx, SubjectPrefix+"."+f.instance+".*.*.*.*")
}

func (f *Feed) subscribe(ctx context.Context, subject string) (<-chan parley.OutboxEvent, error) {
	out := make(chan parley.OutboxEvent, feedBuffer)
	f.mu.Lock()
	defer f.mu.Unlock()
	t := f.topics[subject]
	if t == nil {
		t = &topic{subscribers: map[chan parley.OutboxEvent]struct{}{}}
		sub, err := f.conn().Subscribe(subject, func(m *natsgo.Msg) { f.deliver(t, m) })
		if err != nil {
			return nil, err
		}
		// Make sure the server has the subscription before the caller is told it is live.
		if err := f.conn().FlushTimeout(5 * time.Second); err != nil {
			_ = sub.Unsubscribe()
			return nil, err
		}
		t.sub = sub
		f.topics[subject] = t
	}
	t.mu.Lock()
	t.subscribers[out] = struct{}{}
	t.mu.Unlock()
	// No goroutine waits for the end: with ten thousand subscribers, each idle goroutine's
	// stack is memory the server holds for nothing.
	context.AfterFunc(ctx, func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		t.mu.Lock()
		delete(t.subscribers, out)
		close(out)
		empty := len(t.subscribers) == 0
		t.mu.Unlock()
		if empty {
			_ = t.sub.Unsubscribe()
			delete(f.topics, subject)
		}
	})
	return out, nil
}

// deliver decodes an event once and hands it to every subscriber of its topic.
func (f *Feed) deliver(t *topic, m *natsgo.Msg) {
	env, err := DecodeEnvelope(m.Data)
	if err != nil {
		f.logger.Warn("live: undecodable event", "subject", m.Subject, "error", err)
		return
	}
	e := env.Event()
	t.mu.Lock()
	defer t.mu.Unlock()
	for ch := range t.subscribers {
		select {
		case ch <- e:
		default: // a slow subscriber loses events; it never holds the others up
		}
	}
}
