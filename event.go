package parley

import "time"

// Event kinds written to the outbox. Consumers (live updates, federation, webhooks, trust)
// switch on them, so they are part of the contract.
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
	EventStoryCreated     = "story.created"
	EventStoryUpdated     = "story.updated"
	EventUserCreated      = "user.created"
	EventUserRoleChanged  = "user.role_changed"
	EventUserDeleted      = "user.deleted"
)

// Event is a change, written to the outbox in the same transaction as the change itself so
// that no consumer can miss one. ID is unique; consumers deduplicate on it.
type Event struct {
	ID        string
	Kind      string
	SiteID    string
	StoryID   string
	Payload   any
	CreatedAt time.Time
}
