// Package webhook sends a site's events to the HTTP endpoints its admins registered: signed
// requests, retried with backoff for a day from a delivery table any replica may send from,
// refused when they would reach a private network. It consumes the event stream like every
// other consumer (DESIGN.md §3) and reaches storage through parley.WebhookStore.
package webhook

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/parleyhq/parley"
)

// Body is what a delivery's request carries: the event as the outbox holds it, under a small
// envelope, the same as the event stream's. Payload is the typed event's JSON with its version ("v"), the shape the README
// documents for every kind.
type Body struct {
	ID        string          `json:"id"`
	Kind      string          `json:"kind"`
	SiteID    string          `json:"siteID"`
	StoryID   string          `json:"storyID,omitempty"`
	CreatedAt time.Time       `json:"createdAt"`
	Payload   json.RawMessage `json:"payload"`
}

// Consumer queues a delivery of each event for every endpoint subscribed to it. It is safe
// to feed the same event twice: the store refuses an event ID it has queued.
type Consumer struct {
	store  parley.WebhookStore
	wake   func()
	logger *slog.Logger
}

// NewConsumer returns a consumer queueing into store; wake, when set, is called after a
// delivery is queued (the sender's Wake), so it goes out at once.
func NewConsumer(store parley.WebhookStore, wake func(), logger *slog.Logger) *Consumer {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Consumer{store: store, wake: wake, logger: logger}
}

// Handle queues one event. It needs not decode the payload: an event of a kind this build
// does not know is passed on as it is, to endpoints subscribed to that kind.
func (c *Consumer) Handle(ctx context.Context, e parley.OutboxEvent) error {
	return c.HandleBatch(ctx, []parley.OutboxEvent{e})
}

// HandleBatch queues a run of events: one query finds the few that an endpoint wants, and
// only those are written, each in its own transaction.
func (c *Consumer) HandleBatch(ctx context.Context, es []parley.OutboxEvent) error {
	perSite := es[:0:0]
	for _, e := range es {
		if e.SiteID != "" && parley.IsID(e.ID) { // webhooks are per site
			perSite = append(perSite, e)
		}
	}
	if len(perSite) == 0 {
		return nil
	}
	wanted, err := c.store.WantedWebhookEvents(ctx, perSite)
	if err != nil {
		return err
	}
	queued := 0
	for _, e := range perSite {
		if !wanted[e.ID] {
			continue
		}
		body, err := json.Marshal(Body{ID: e.ID, Kind: e.Kind, SiteID: e.SiteID, StoryID: e.StoryID, CreatedAt: e.CreatedAt.UTC(), Payload: e.Payload})
		if err != nil {
			c.logger.Warn("webhooks: event with a malformed payload skipped", "event", e.ID, "kind", e.Kind, "error", err)
			continue
		}
		n, err := c.store.EnqueueWebhookEvent(ctx, e, body)
		if err != nil {
			return err
		}
		queued += n
	}
	if queued > 0 && c.wake != nil {
		c.wake()
	}
	return nil
}
