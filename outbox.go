package parley

import (
	"context"
	"encoding/json"
	"time"
)

// OutboxEvent is an event as stored in the transactional outbox and carried by the bus: its
// payload still in JSON, as EncodeEvent wrote it. The relay passes it on untouched, so that an
// event a newer replica wrote reaches every consumer even when this build cannot read it.
type OutboxEvent struct {
	ID        string
	Kind      string
	SiteID    string
	StoryID   string
	Payload   json.RawMessage
	CreatedAt time.Time
}

// Decode returns the event with its payload decoded by DecodeEvent; an error matching
// ErrUnknownEvent means this build does not know the event's kind or version.
func (e OutboxEvent) Decode() (Event, error) {
	p, err := DecodeEvent(e.Kind, e.Payload)
	if err != nil {
		return Event{}, err
	}
	return Event{ID: e.ID, SiteID: e.SiteID, StoryID: e.StoryID, Payload: p, CreatedAt: e.CreatedAt}, nil
}

// Outbox is the storage side of event delivery. Every change writes its event in its own
// transaction; a relay drains the outbox to the event bus. Several relays (one per replica)
// may drain at once: each event is handed to one of them at a time.
type Outbox interface {
	// Drain locks up to limit unpublished events, oldest first, skipping events another
	// relay holds, and passes them to publish. The events whose IDs publish returns are
	// marked published when publish returns; the others stay pending for a later drain, also
	// when publish returns an error. Drain returns how many events were marked.
	Drain(ctx context.Context, limit int, publish func(ctx context.Context, events []OutboxEvent) (published []string, err error)) (int, error)
	// Backlog reports how many events wait and when the oldest was written (zero when none).
	Backlog(ctx context.Context) (pending int, oldest time.Time, err error)
}
