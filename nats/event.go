// Package nats is Parley's event bus: it relays the PostgreSQL outbox to a JetStream stream,
// names the subjects every consumer (live updates, federation, webhooks, trust) subscribes
// to, and runs an embedded NATS server for single-replica installs that set no NATS_URL.
//
// The database stays the source of truth: the relay is the only publisher, the request path
// never waits for NATS, and an outage of the bus delays events without losing any.
package nats

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/parleyhq/parley"
)

// Header names set on every event message. Consumers may route or filter on them without
// decoding the body; Nats-Msg-Id (jetstream.MsgIDHeader) carries the event ID.
const (
	// HeaderKind carries the event kind, such as "comment.created".
	HeaderKind = "Parley-Event-Kind"
	// HeaderContentType says the body is an Envelope in JSON.
	HeaderContentType = "Content-Type"
	// ContentTypeJSON is the value of HeaderContentType.
	ContentTypeJSON = "application/json"
)

// SubjectPrefix is the first token of every event subject. Events are published on
// parley.<instance>.<noun>.<verb>.<site>.<story>, always six tokens, so a subscriber can
// narrow by any position with "*" (one story's comments: parley.<instance>.comment.*.*.<story>).
const SubjectPrefix = "parley"

// noValue stands for an empty token (an event without a site or a story): NATS subjects
// cannot hold empty tokens, and "-" is never a UUID.
const noValue = "-"

// reservedInstance names the subject space of moderation plug-ins (parley.moderation.<name>);
// an instance of that name would feed every plug-in subscriber our events.
const reservedInstance = "moderation"

// Envelope is the body of every event message, shared by the relay and the consumers so
// that both sides decode the same JSON. Payload is the event's own JSON as written to the
// outbox by parley.EncodeEvent (its version "v" first), passed on untouched; consumers read
// it with parley.DecodeEvent, or Event().Decode(). SiteID and StoryID are "" for events
// without one. Consumers switch on Kind and deduplicate on ID.
type Envelope struct {
	ID        string          `json:"id"`
	Kind      string          `json:"kind"`
	SiteID    string          `json:"siteID"`
	StoryID   string          `json:"storyID"`
	Payload   json.RawMessage `json:"payload"`
	CreatedAt time.Time       `json:"createdAt"`
}

// NewEnvelope turns an outbox event into its wire form, with the time in UTC so that every
// replica writes the same bytes for the same event.
func NewEnvelope(e parley.OutboxEvent) Envelope {
	payload := e.Payload
	if len(payload) == 0 {
		payload = json.RawMessage("null")
	}
	return Envelope{ID: e.ID, Kind: e.Kind, SiteID: e.SiteID, StoryID: e.StoryID,
		Payload: payload, CreatedAt: e.CreatedAt.UTC()}
}

// Event turns an envelope back into the outbox's form, for consumers that share code with
// the storage side.
func (env Envelope) Event() parley.OutboxEvent {
	return parley.OutboxEvent{ID: env.ID, Kind: env.Kind, SiteID: env.SiteID, StoryID: env.StoryID,
		Payload: env.Payload, CreatedAt: env.CreatedAt}
}

// DecodeEnvelope reads a message body written by the relay.
func DecodeEnvelope(data []byte) (Envelope, error) {
	var env Envelope
	if err := json.Unmarshal(data, &env); err != nil {
		return Envelope{}, fmt.Errorf("decode event envelope: %w", err)
	}
	if env.ID == "" || env.Kind == "" {
		return Envelope{}, fmt.Errorf("decode event envelope: missing id or kind")
	}
	return env, nil
}

// Subject is where an event is published: parley.<instance>.<noun>.<verb>.<site>.<story>.
// The kind "comment.created" gives the noun and verb tokens; an empty site or story becomes
// "-". Characters a subject token cannot hold are replaced by "_", so every event gets a
// six-token subject that the stream binds, whatever its kind. The instance must have passed
// ValidateInstance.
func Subject(instance string, e parley.OutboxEvent) string {
	noun, verb, _ := strings.Cut(e.Kind, ".")
	var b strings.Builder
	b.Grow(len(SubjectPrefix) + len(instance) + len(e.Kind) + len(e.SiteID) + len(e.StoryID) + 5)
	b.WriteString(SubjectPrefix)
	for _, tok := range [...]string{instance, noun, verb, e.SiteID, e.StoryID} {
		b.WriteByte('.')
		writeToken(&b, tok)
	}
	return b.String()
}

// writeToken writes s as one subject token: "-" when empty, unsafe bytes as "_".
func writeToken(b *strings.Builder, s string) {
	if s == "" {
		b.WriteString(noValue)
		return
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; tokenByte(c) {
			b.WriteByte(c)
		} else {
			b.WriteByte('_')
		}
	}
}

// tokenByte reports whether c may appear in a subject token as Parley writes them. NATS
// allows more, but wildcards, separators, spaces and non-ASCII are what break subscriptions.
func tokenByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}

// ValidateInstance checks an instance name before it becomes a subject token: 1 to 64
// lower-case letters, digits, "-" or "_", starting with a letter or digit, and not the
// reserved "moderation". Configuration calls it at start-up so that a bad name fails
// loudly instead of publishing events nobody subscribes to.
func ValidateInstance(name string) error {
	if name == "" || len(name) > 64 {
		return parley.FieldErrorf("instance", "The instance name must be 1 to 64 characters long.")
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		ok := c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || (i > 0 && (c == '-' || c == '_'))
		if !ok {
			return parley.FieldErrorf("instance", "The instance name %q may hold only lower-case letters, digits, \"-\" and \"_\", and must start with a letter or digit.", name)
		}
	}
	if name == reservedInstance {
		return parley.FieldErrorf("instance", "The instance name %q is reserved for moderation plug-ins.", name)
	}
	return nil
}
