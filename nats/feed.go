package nats

import (
	"context"
	"log/slog"
	"time"

	natsgo "github.com/nats-io/nats.go"

	"github.com/parleyhq/parley"
)

// Feed delivers a story's events to live subscribers through core NATS subscriptions on the
// event subjects, so NATS does the fan-out across replicas: every replica's subscribers get a
// comment posted through any replica, as soon as the relay publishes it.
type Feed struct {
	conn     func() *natsgo.Conn
	instance string
	logger   *slog.Logger
}

// NewFeed returns a feed on the connection conn returns (a function, because the embedded
// server's connection is replaced when the server restarts).
func NewFeed(conn func() *natsgo.Conn, instance string, logger *slog.Logger) *Feed {
	return &Feed{conn: conn, instance: instance, logger: orDiscard(logger)}
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

func (f *Feed) subscribe(ctx context.Context, subject string) (<-chan parley.OutboxEvent, error) {
	out := make(chan parley.OutboxEvent, feedBuffer)
	sub, err := f.conn().Subscribe(subject, func(m *natsgo.Msg) {
		env, err := DecodeEnvelope(m.Data)
		if err != nil {
			f.logger.Warn("live: undecodable event", "subject", m.Subject, "error", err)
			return
		}
		select {
		case out <- env.Event():
		default: // a slow subscriber loses events; it never blocks the connection
		}
	})
	if err != nil {
		return nil, err
	}
	// Make sure the server has the subscription before the caller is told it is live.
	if err := f.conn().FlushTimeout(5 * time.Second); err != nil {
		_ = sub.Unsubscribe()
		return nil, err
	}
	// No goroutine waits for the end: with ten thousand subscribers, each idle goroutine's
	// stack is memory the server holds for nothing.
	context.AfterFunc(ctx, func() {
		_ = sub.Unsubscribe()
		close(out)
	})
	return out, nil
}
