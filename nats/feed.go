package nats

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	natsgo "github.com/nats-io/nats.go"

	"github.com/parleyhq/parley"
)

// Feed delivers a story's events to live subscribers through core NATS subscriptions on the
// event subjects, so NATS does the fan-out across replicas: every replica's subscribers get a
// comment posted through any replica, as soon as the relay publishes it. Within a replica,
// the subscribers of one subject share one NATS subscription, so an event is received and
// decoded (by parley.DecodeEvent) once however many readers a story has; each subscriber has
// a small buffer, and a full one loses the event rather than holding the others up.
//
// An event this build cannot read, of a kind it does not know or a version newer than it
// knows (a newer replica wrote it, during a rolling upgrade), is skipped and counted, and
// the events after it flow as before.
type Feed struct {
	conn     func() *natsgo.Conn
	instance string
	logger   *slog.Logger

	skipped     atomic.Uint64
	undecodable atomic.Uint64

	mu     sync.Mutex
	topics map[string]*topic
}

// FeedStats counts the events a feed did not deliver, for /metrics and tests. Each
// subscription that receives an event counts it, so an event several subscriptions match
// counts once for each.
type FeedStats struct {
	// Skipped counts events of a kind or version this build does not know.
	Skipped uint64
	// Undecodable counts messages that were not events at all, or events whose payload does
	// not fit their kind: a defect of their writer.
	Undecodable uint64
}

// Stats returns what the feed has not delivered so far.
func (f *Feed) Stats() FeedStats {
	return FeedStats{Skipped: f.skipped.Load(), Undecodable: f.undecodable.Load()}
}

// topic is one NATS subscription and the local subscribers it feeds.
type topic struct {
	sub         *natsgo.Subscription
	mu          sync.Mutex // guards subscribers and recent; taken after Feed.mu when both are
	subscribers map[chan parley.Event]struct{}
	recent      recentIDs
}

// recentIDs remembers the last feedDedupe event IDs of a topic. The stream drops an event
// published twice (a relay that died between publishing and marking its batch), but core
// NATS subscribers hear both publishes; the feed passes on only the first.
type recentIDs struct {
	seen map[string]struct{}
	ring [feedDedupe]string
	next int
}

// feedDedupe is how many recent event IDs each topic remembers: more than a relay's batch.
const feedDedupe = 1024

// add records id and reports whether it is new.
func (r *recentIDs) add(id string) bool {
	if r.seen == nil {
		r.seen = make(map[string]struct{}, feedDedupe)
	}
	if _, ok := r.seen[id]; ok {
		return false
	}
	if old := r.ring[r.next]; old != "" {
		delete(r.seen, old)
	}
	r.ring[r.next] = id
	r.next = (r.next + 1) % feedDedupe
	r.seen[id] = struct{}{}
	return true
}

// NewFeed returns a feed on the connection conn returns (a function, because the embedded
// server's connection is replaced when the server restarts).
func NewFeed(conn func() *natsgo.Conn, instance string, logger *slog.Logger) *Feed {
	return &Feed{conn: conn, instance: instance, logger: orDiscard(logger), topics: map[string]*topic{}}
}

var _ parley.EventSource = (*Feed)(nil)

// feedBuffer is how many events one subscriber may fall behind before it loses events. A
// NATS outage ends with the outbox's backlog published at once, a burst that must fit.
const feedBuffer = 256

// StoryEvents subscribes to every event of one story until ctx ends.
func (f *Feed) StoryEvents(ctx context.Context, storyID string) (<-chan parley.Event, error) {
	if !parley.IsID(storyID) {
		return nil, parley.Errorf(parley.ENOTFOUND, "Story not found.")
	}
	return f.subscribe(ctx, SubjectPrefix+"."+f.instance+".*.*.*."+storyID)
}

// SiteEvents subscribes to every event of one site's stories until ctx ends.
func (f *Feed) SiteEvents(ctx context.Context, siteID string) (<-chan parley.Event, error) {
	if !parley.IsID(siteID) {
		return nil, parley.Errorf(parley.ENOTFOUND, "Site not found.")
	}
	return f.subscribe(ctx, SubjectPrefix+"."+f.instance+".*.*."+siteID+".*")
}

// CommentEventsEverywhere subscribes to every comment event of the instance, for
// notifications; all its subscribers share one NATS subscription.
func (f *Feed) CommentEventsEverywhere(ctx context.Context) (<-chan parley.Event, error) {
	return f.subscribe(ctx, SubjectPrefix+"."+f.instance+".comment.*.*.*")
}

// AllEvents subscribes to every event of the instance, for caches that must forget what
// changed.
func (f *Feed) AllEvents(ctx context.Context) (<-chan parley.Event, error) {
	return f.subscribe(ctx, SubjectPrefix+"."+f.instance+".*.*.*.*")
}

func (f *Feed) subscribe(ctx context.Context, subject string) (<-chan parley.Event, error) {
	out := make(chan parley.Event, feedBuffer)
	f.mu.Lock()
	defer f.mu.Unlock()
	t := f.topics[subject]
	if t == nil {
		t = &topic{subscribers: map[chan parley.Event]struct{}{}}
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
		f.undecodable.Add(1)
		f.logger.Warn("live: undecodable event", "subject", m.Subject, "error", err)
		return
	}
	e, err := env.Event().Decode()
	switch {
	case errors.Is(err, parley.ErrUnknownEvent):
		f.skipped.Add(1)
		f.logger.Debug("live: skipped an event this build does not know", "event", env.ID, "kind", env.Kind, "error", err)
		return
	case err != nil:
		f.undecodable.Add(1)
		f.logger.Warn("live: undecodable event", "event", env.ID, "kind", env.Kind, "error", err)
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.recent.add(env.ID) {
		return
	}
	for ch := range t.subscribers {
		select {
		case ch <- e:
		default: // a slow subscriber loses events; it never holds the others up
		}
	}
}
