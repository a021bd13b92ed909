package parley

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Event kinds written to the outbox. Consumers (live updates, federation, webhooks, trust)
// switch on them and integrators subscribe to them, so the strings are a contract: a kind is
// never renamed, and a new kind is added rather than an old one reused for another shape.
const (
	EventCommentCreated   = "comment.created"
	EventCommentEdited    = "comment.edited"
	EventCommentDeleted   = "comment.deleted"
	EventReactionAdded    = "reaction.added"
	EventReactionRemoved  = "reaction.removed"
	EventCommentReported  = "comment.reported"
	EventCommentModerated = "comment.moderated"
	EventUserSanctioned   = "user.sanctioned"
	EventSiteCreated      = "site.created"
	EventSiteUpdated      = "site.updated"
	EventWordListChanged  = "site.word_list_changed"
	// EventLabelSubscriptionChanged is a site's subscription to a peer's labels made,
	// changed or ended.
	EventLabelSubscriptionChanged = "site.label_subscription_changed"
	EventStoryCreated             = "story.created"
	EventStoryUpdated             = "story.updated"
	EventUserCreated              = "user.created"
	EventUserRoleChanged          = "user.role_changed"
	EventUserDeleted              = "user.deleted"
	EventProposalChanged          = "rule.proposal_changed"
	EventRuleEnacted              = "rule.enacted"
	EventTokensRevoked            = "user.tokens_revoked"
)

// EventPayload is what one kind of event says: one Go type per kind, so that the storage
// that writes an event and every consumer that reads it share a single definition instead of
// each copying a JSON shape. The types are in event_*.go; EncodeEvent and DecodeEvent are
// the only way between them and their JSON.
type EventPayload interface {
	// Kind is the event kind the payload is written under, such as EventCommentCreated.
	Kind() string
}

// Event is a change, written to the outbox in the same transaction as the change itself so
// that no consumer can miss one, and delivered to consumers decoded. ID is unique; consumers
// deduplicate on it. SiteID and StoryID are "" for events about neither; they route the event
// (they are tokens of its subject) and so are not repeated in every payload.
type Event struct {
	ID        string
	SiteID    string
	StoryID   string
	Payload   EventPayload
	CreatedAt time.Time
}

// Kind is the event's kind, which its payload decides; "" for an event without one.
func (e Event) Kind() string {
	if e.Payload == nil {
		return ""
	}
	return e.Payload.Kind()
}

// ErrUnknownEvent is the error, matched with errors.Is, of an event whose kind this build
// does not know or whose version is newer than the one it knows. A consumer skips such an
// event and goes on: during a rolling upgrade, a newer replica's events reach older ones.
var ErrUnknownEvent = errors.New("unknown event kind or version")

// eventType is what the codec knows of one kind: the version this build writes (and the
// newest it reads) and how to decode its payload.
type eventType struct {
	version int
	decode  func(data []byte) (EventPayload, error)
}

// typeOf describes the payload type T at the given version.
func typeOf[T EventPayload](version int) eventType {
	return eventType{version: version, decode: func(data []byte) (EventPayload, error) {
		var p T
		err := json.Unmarshal(data, &p)
		return p, err
	}}
}

// eventTypes is the catalogue. A change that only adds a field keeps a kind's version; one
// that removes, renames or changes the meaning of a field raises it, and the decoder then
// keeps reading the older versions it may still meet.
var eventTypes = map[string]eventType{
	EventCommentCreated:           typeOf[CommentCreated](1),
	EventCommentEdited:            typeOf[CommentEdited](1),
	EventCommentDeleted:           typeOf[CommentDeleted](1),
	EventCommentModerated:         typeOf[CommentModerated](1),
	EventCommentReported:          typeOf[CommentReported](1),
	EventReactionAdded:            typeOf[ReactionAdded](1),
	EventReactionRemoved:          typeOf[ReactionRemoved](1),
	EventUserCreated:              typeOf[UserCreated](1),
	EventUserDeleted:              typeOf[UserDeleted](1),
	EventUserRoleChanged:          typeOf[UserRoleChanged](1),
	EventUserSanctioned:           typeOf[UserSanctioned](1),
	EventTokensRevoked:            typeOf[TokensRevoked](1),
	EventSiteCreated:              typeOf[SiteCreated](1),
	EventSiteUpdated:              typeOf[SiteUpdated](1),
	EventWordListChanged:          typeOf[WordListChanged](1),
	EventLabelSubscriptionChanged: typeOf[LabelSubscriptionChanged](1),
	EventStoryCreated:             typeOf[StoryCreated](1),
	EventStoryUpdated:             typeOf[StoryUpdated](1),
	EventProposalChanged:          typeOf[ProposalChanged](1),
	EventRuleEnacted:              typeOf[RuleEnacted](1),
	EventImportCompleted:          typeOf[ImportCompleted](1),
	EventCommentsClaimed:          typeOf[CommentsClaimed](1),
}

// EventKinds lists every kind this build knows, for documentation and tests.
func EventKinds() []string {
	kinds := make([]string, 0, len(eventTypes))
	for k := range eventTypes {
		kinds = append(kinds, k)
	}
	return kinds
}

// EventVersion is the version of kind's payload that this build writes, 0 for an unknown
// kind.
func EventVersion(kind string) int { return eventTypes[kind].version }

// EncodeEvent returns the JSON of a payload as the outbox stores it and the bus carries it:
// the payload's own fields with its version first, as {"v":1,...}.
func EncodeEvent(p EventPayload) ([]byte, error) {
	if p == nil {
		return nil, errors.New("encode event: no payload")
	}
	t, ok := eventTypes[p.Kind()]
	if !ok {
		return nil, fmt.Errorf("encode event: %w: %q", ErrUnknownEvent, p.Kind())
	}
	body, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encode %s event: %w", p.Kind(), err)
	}
	if len(body) < 2 || body[0] != '{' {
		return nil, fmt.Errorf("encode %s event: the payload is not a JSON object", p.Kind())
	}
	out := make([]byte, 0, len(body)+16)
	out = append(out, `{"v":`...)
	out = strconv.AppendInt(out, int64(t.version), 10)
	if len(body) > 2 {
		out = append(out, ',')
	}
	return append(out, body[1:]...), nil
}

// DecodeEvent reads the payload of an event of the given kind. An unknown kind, or a version
// newer than this build knows, is an error matching ErrUnknownEvent; anything else that
// fails is a malformed event. A payload without "v" is version 1: events written before
// payloads carried a version have the shape of version 1.
func DecodeEvent(kind string, data []byte) (EventPayload, error) {
	t, ok := eventTypes[kind]
	if !ok {
		return nil, fmt.Errorf("decode event: %w: %q", ErrUnknownEvent, kind)
	}
	var head struct {
		V int `json:"v"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("decode %s event: %w", kind, err)
	}
	switch {
	case head.V > t.version:
		return nil, fmt.Errorf("decode %s event: %w: version %d, this build reads up to %d", kind, ErrUnknownEvent, head.V, t.version)
	case head.V < 0:
		return nil, fmt.Errorf("decode %s event: version %d", kind, head.V)
	}
	p, err := t.decode(data)
	if err != nil {
		return nil, fmt.Errorf("decode %s event: %w", kind, err)
	}
	return p, nil
}
