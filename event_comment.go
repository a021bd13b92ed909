package parley

import "time"

// CommentSnapshot is a comment as an event carries it: enough to show the comment without
// reading it back, so that live readers of a busy story cost no query per new comment, and a
// peer or a webhook receiver can keep its own copy. Counters (replies, reactions, reports)
// are left out: they change without the comment's own events.
type CommentSnapshot struct {
	ID      string `json:"id"`
	StoryID string `json:"storyID"`
	SiteID  string `json:"siteID"`
	// AuthorID is "" once the author's account is gone.
	AuthorID string `json:"authorID"`
	// ParentID is "" for a top-level comment; RootID is the top-level ancestor.
	ParentID string        `json:"parentID"`
	RootID   string        `json:"rootID"`
	Depth    int           `json:"depth"`
	Status   CommentStatus `json:"status"`
	// Body is sanitised HTML; BodySource is the Markdown the author wrote.
	Body       string     `json:"body"`
	BodySource string     `json:"bodySource"`
	CreatedAt  time.Time  `json:"createdAt"`
	EditedAt   *time.Time `json:"editedAt"`
	// Version is the comment's version after the change (Comment.Version), so a consumer
	// can tell an event older than the copy it holds.
	Version int `json:"version"`
}

// SnapshotOf returns what events carry of c.
func SnapshotOf(c *Comment) CommentSnapshot {
	return CommentSnapshot{ID: c.ID, StoryID: c.StoryID, SiteID: c.SiteID, AuthorID: c.AuthorID,
		ParentID: c.ParentID, RootID: c.RootID, Depth: c.Depth, Status: c.Status, Body: c.Body,
		BodySource: c.BodySource, CreatedAt: c.CreatedAt, EditedAt: c.EditedAt, Version: c.Version}
}

// Comment returns a new comment built from the snapshot, its counters zero.
func (s CommentSnapshot) Comment() *Comment {
	return &Comment{ID: s.ID, StoryID: s.StoryID, SiteID: s.SiteID, AuthorID: s.AuthorID,
		ParentID: s.ParentID, RootID: s.RootID, Depth: s.Depth, Status: s.Status, Body: s.Body,
		BodySource: s.BodySource, CreatedAt: s.CreatedAt, EditedAt: s.EditedAt, Version: s.Version}
}

// CommentCreated is a new comment, whatever the pipeline decided: its status says whether it
// is published, held for a moderator (PENDING) or rejected.
type CommentCreated struct {
	CommentSnapshot
	// RepliedToAuthorID is the author of the comment replied to ("" for a top-level comment),
	// who is notified of a published reply. It is the author of the comment the reader
	// answered, which may be deeper than ParentID when the thread reached the site's depth cap.
	RepliedToAuthorID string `json:"repliedToAuthorID"`
	// DecidedBy names the moderation stage whose verdict set the status, "" when every stage
	// passed the comment.
	DecidedBy string `json:"decidedBy"`
}

// Kind implements EventPayload.
func (CommentCreated) Kind() string { return EventCommentCreated }

// CommentEdited is a comment as its author's edit left it. An edit runs the pipeline again,
// so the status may differ from PreviousStatus.
type CommentEdited struct {
	CommentSnapshot
	PreviousStatus CommentStatus `json:"previousStatus"`
	// DecidedBy names the moderation stage whose verdict set the status, "" when every stage
	// passed the edit.
	DecidedBy string `json:"decidedBy"`
}

// Kind implements EventPayload.
func (CommentEdited) Kind() string { return EventCommentEdited }

// CommentDeleted is a comment its author deleted (or that went with its author's account).
// A comment nobody else had seen (PreviousStatus PENDING) is gone entirely; any other is a
// tombstone without body that keeps its replies in place.
type CommentDeleted struct {
	ID      string `json:"id"`
	StoryID string `json:"storyID"`
	SiteID  string `json:"siteID"`
	// AuthorID is who deleted it: the author.
	AuthorID       string        `json:"authorID"`
	PreviousStatus CommentStatus `json:"previousStatus"`
	DeletedAt      *time.Time    `json:"deletedAt"`
}

// Kind implements EventPayload.
func (CommentDeleted) Kind() string { return EventCommentDeleted }

// CommentModerated is an action on a comment by a moderator, or by a site's rule (such as
// its report threshold, or rejecting a banned user's comments): approving, rejecting,
// holding, featuring, taking a featured comment back, or undoing the last decision.
type CommentModerated struct {
	// ActionID identifies the entry of the moderation log.
	ActionID  string `json:"actionID"`
	CommentID string `json:"commentID"`
	// AuthorID is the comment's author, whom a decision is notified to.
	AuthorID string `json:"authorID"`
	// ModeratorID is who decided, "" when a site's rule did.
	ModeratorID string `json:"moderatorID"`
	// Action is one of the Action* constants, such as ActionApprove.
	Action string `json:"action"`
	// Reason is why: for REJECT a RejectReason, or BANNED_USER when a ban rejected the
	// user's comments; for a HOLD by the report threshold, REPORTS; "" otherwise.
	Reason         string        `json:"reason"`
	PreviousStatus CommentStatus `json:"previousStatus"`
	Status         CommentStatus `json:"status"`
	Featured       bool          `json:"featured"`
}

// Kind implements EventPayload.
func (CommentModerated) Kind() string { return EventCommentModerated }

// CommentReported is a reader's report of a published comment. Reaching the site's report
// threshold also holds the comment, which is a CommentModerated event of its own.
type CommentReported struct {
	ReportID  string `json:"reportID"`
	CommentID string `json:"commentID"`
	// AuthorID is the comment's author; UserID is the reader who reported it.
	AuthorID string       `json:"authorID"`
	UserID   string       `json:"userID"`
	Reason   ReportReason `json:"reason"`
	Details  string       `json:"details"`
	// ReportCount is how many reports the comment has, this one included.
	ReportCount int `json:"reportCount"`
}

// Kind implements EventPayload.
func (CommentReported) Kind() string { return EventCommentReported }

// ReactionAdded is a reader's reaction to a comment.
type ReactionAdded struct {
	CommentID string `json:"commentID"`
	// AuthorID is the comment's author (who received the reaction); UserID is the reader
	// who gave it.
	AuthorID string `json:"authorID"`
	UserID   string `json:"userID"`
	// ReactionKind is the reaction kind, one of the site's (Site.Settings.ReactionKinds).
	ReactionKind string `json:"kind"`
	// ReactionCount is the comment's total of reactions of every kind after the change.
	ReactionCount int `json:"reactionCount"`
}

// Kind implements EventPayload.
func (ReactionAdded) Kind() string { return EventReactionAdded }

// ReactionRemoved is a reaction taken back, by the reader or with their account. It carries
// the same fields as ReactionAdded.
type ReactionRemoved ReactionAdded

// Kind implements EventPayload.
func (ReactionRemoved) Kind() string { return EventReactionRemoved }
