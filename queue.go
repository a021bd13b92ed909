package parley

import (
	"context"
	"strings"
	"unicode/utf8"
)

// ModerationQueue is one of the lists moderators work through.
type ModerationQueue string

// Queues. A comment a person has approved leaves UNMODERATED for APPROVED; a report on it
// brings it back to REPORTED until a person decides again.
const (
	QueuePending     ModerationQueue = "PENDING"
	QueueReported    ModerationQueue = "REPORTED"
	QueueUnmoderated ModerationQueue = "UNMODERATED"
	QueueApproved    ModerationQueue = "APPROVED"
	QueueRejected    ModerationQueue = "REJECTED"
)

// Queues lists every queue, in the order a dashboard shows them.
var Queues = []ModerationQueue{QueuePending, QueueReported, QueueUnmoderated, QueueApproved, QueueRejected}

// Valid reports whether q is a known queue.
func (q ModerationQueue) Valid() bool {
	for _, v := range Queues {
		if q == v {
			return true
		}
	}
	return false
}

// QueueFilter selects a page of a queue, newest first: one site's, or one story's.
type QueueFilter struct {
	Queue   ModerationQueue
	SiteID  string
	StoryID string
	First   int
	// After is a NEWEST-ordered cursor.
	After *Cursor
}

// RejectReason is why a moderator rejects a comment.
type RejectReason string

// Reject reasons.
const (
	RejectSpam       RejectReason = "SPAM"
	RejectOffensive  RejectReason = "OFFENSIVE"
	RejectAbusive    RejectReason = "ABUSIVE"
	RejectOffTopic   RejectReason = "OFF_TOPIC"
	RejectBannedWord RejectReason = "BANNED_WORD"
	RejectIllegal    RejectReason = "ILLEGAL"
	RejectOther      RejectReason = "OTHER"
)

// Valid reports whether r is a known reason.
func (r RejectReason) Valid() bool {
	switch r {
	case RejectSpam, RejectOffensive, RejectAbusive, RejectOffTopic, RejectBannedWord, RejectIllegal, RejectOther:
		return true
	}
	return false
}

// StageRejectReason is the reason an author is told when the pipeline, not a person,
// rejected their comment. The stages whose rejections have a reason of their own (the word
// lists and the spam classifier of package moderation) name it; any other (a ban, a repeated
// post, a plug-in) is OTHER.
func StageRejectReason(stage string) RejectReason {
	switch stage {
	case "word_list":
		return RejectBannedWord
	case "spam":
		return RejectSpam
	}
	return RejectOther
}

// MaxModeratorNoteLength bounds a moderator's note.
const MaxModeratorNoteLength = 2000

// ModerateInput is a moderator's decision on one comment.
type ModerateInput struct {
	CommentID string
	// Reason is required to reject, and unused otherwise.
	Reason RejectReason
	Note   string
	// Version, when not 0, is the comment's version the moderator judged (Comment.Version):
	// if the comment changed since (its author edited it, another moderator decided), the
	// decision is refused with ECONFLICT rather than applied to something else.
	Version int
}

// ValidateReject checks a rejection's reason and note.
func (in *ModerateInput) ValidateReject() error {
	in.Note = strings.TrimSpace(in.Note)
	switch {
	case !in.Reason.Valid():
		return FieldErrorf("reason", "Say why the comment is rejected: SPAM, OFFENSIVE, ABUSIVE, OFF_TOPIC, BANNED_WORD, ILLEGAL or OTHER.")
	case !utf8.ValidString(in.Note) || utf8.RuneCountInString(in.Note) > MaxModeratorNoteLength:
		return FieldErrorf("note", "The note must be text of at most %d characters.", MaxModeratorNoteLength)
	case in.Reason == RejectOther && VisibleLength(in.Note) == 0:
		return FieldErrorf("note", "Add a note when the reason is OTHER.")
	}
	return nil
}

// Moderator actions recorded in the log.
const (
	ActionApprove   = "APPROVE"
	ActionReject    = "REJECT"
	ActionFeature   = "FEATURE"
	ActionUnfeature = "UNFEATURE"
	// ActionHold is logged when a site's rule (such as its report threshold) holds a
	// comment; such entries have no moderator.
	ActionHold = "HOLD"
	// ActionUndo takes back a moderator's last decision on a comment.
	ActionUndo = "UNDO"
)

// QueueService serves moderators: their queues and their decisions. Every method is for the
// site's moderators and admins.
type QueueService interface {
	ModerationQueue(ctx context.Context, f QueueFilter) (*CommentPage, error)
	// QueueCounts counts each queue of a site (or of one story).
	QueueCounts(ctx context.Context, siteID, storyID string) (map[ModerationQueue]int, error)
	ApproveComment(ctx context.Context, in ModerateInput) (*Comment, error)
	RejectComment(ctx context.Context, in ModerateInput) (*Comment, error)
	FeatureComment(ctx context.Context, commentID string, featured bool) (*Comment, error)
	// BulkModerate approves (StatusPublished) or rejects (StatusRejected, with a reason) many
	// comments at once, all or none.
	BulkModerate(ctx context.Context, commentIDs []string, status CommentStatus, reason RejectReason, note string) ([]*Comment, error)
	// UndoModeration takes back the last approval or rejection of a comment.
	UndoModeration(ctx context.Context, commentID string) (*Comment, error)
	// StageStats compares each stage's verdicts on a site with the decisions people made
	// afterwards on the same comments.
	StageStats(ctx context.Context, siteID string) ([]*StageStats, error)
}

// StageStats measures a stage against people: of the comments a moderator then approved
// or rejected, which the stage flagged (held or rejected, or would have in shadow mode).
type StageStats struct {
	Stage string
	// Decided is how many of the stage's verdicts a person's decision followed.
	Decided        int
	TruePositives  int // flagged, and a person rejected
	FalsePositives int // flagged, and a person approved
	FalseNegatives int // passed, and a person rejected
}

// Precision is the share of the stage's flags that people agreed with; ok is false while
// the stage has flagged nothing decided.
func (s StageStats) Precision() (float64, bool) {
	n := s.TruePositives + s.FalsePositives
	return float64(s.TruePositives) / float64(max(n, 1)), n > 0
}

// Recall is the share of people's rejections the stage flagged; ok is false while people
// rejected nothing the stage saw.
func (s StageStats) Recall() (float64, bool) {
	n := s.TruePositives + s.FalseNegatives
	return float64(s.TruePositives) / float64(max(n, 1)), n > 0
}
