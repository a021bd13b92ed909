package parley

import "context"

// CommentEvent is a change to a story's comments, as a live subscriber receives it.
type CommentEvent struct {
	// Kind is the event kind, such as EventCommentCreated or EventCommentEdited.
	Kind    string
	Comment *Comment
}

// LiveService streams a story's comment events to one viewer, filtered to what that viewer
// may see: a pending comment reaches its author and the site's moderators, nobody else.
type LiveService interface {
	// CommentEvents delivers the story's new comments (created) or the changes to its
	// comments (not created) until ctx ends; the channel is closed then. A subscriber that
	// does not keep up loses events rather than slowing anyone else.
	CommentEvents(ctx context.Context, storyID string, created bool) (<-chan *Comment, error)
	// QueueEvents delivers every comment event of a site to its moderators, for queues that
	// update themselves.
	QueueEvents(ctx context.Context, siteID string) (<-chan *CommentEvent, error)
	// Notifications delivers what concerns the signed-in viewer: replies to their comments
	// and moderators' decisions on them.
	Notifications(ctx context.Context) (<-chan *Notification, error)
}

// Notification kinds.
const (
	NotificationReply    = "REPLY"
	NotificationDecision = "DECISION"
)

// Notification tells a user of a reply to their comment (Comment is the reply) or of a
// moderator's decision on one (Comment is theirs, with its new status).
type Notification struct {
	Kind    string
	Comment *Comment
}

// EventSource delivers events from the event bus, decoded; nats.Feed implements it. Each
// channel is closed when ctx ends. Events this build cannot read (an unknown kind or a newer
// version) never reach the channels: the source skips and counts them. A subscriber that
// does not keep up loses events rather than holding up the others.
type EventSource interface {
	// StoryEvents delivers every event of one story.
	StoryEvents(ctx context.Context, storyID string) (<-chan Event, error)
	// SiteEvents delivers every event of one site's stories.
	SiteEvents(ctx context.Context, siteID string) (<-chan Event, error)
	// CommentEventsEverywhere delivers every comment event of the instance.
	CommentEventsEverywhere(ctx context.Context) (<-chan Event, error)
}
