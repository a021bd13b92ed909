package parley

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// CommentStatus is where a comment stands in moderation.
type CommentStatus string

// Comment statuses. Only PUBLISHED comments are public; an author also sees their own
// PENDING and REJECTED ones. A comment a reader may not read (DELETED, or PENDING or REJECTED
// and not theirs) stays in its thread as a placeholder, without body or author, while a reply
// below it shows, so that its replies stay reachable.
const (
	StatusPublished CommentStatus = "PUBLISHED"
	StatusPending   CommentStatus = "PENDING"
	StatusRejected  CommentStatus = "REJECTED"
	StatusDeleted   CommentStatus = "DELETED"
)

// Comment is one post in a story's thread.
type Comment struct {
	ID      string
	StoryID string
	SiteID  string
	// AuthorID is "" once the author's account is gone.
	AuthorID string
	// ParentID is "" for a top-level comment; RootID is the top-level ancestor (itself for a
	// top-level comment). Depth is 0 for top-level comments.
	ParentID string
	RootID   string
	Depth    int
	// Body is sanitised HTML rendered from BodySource, the Markdown the author wrote. Both are
	// empty for a deleted comment.
	Body       string
	BodySource string
	Status     CommentStatus
	// ReplyCount is how many direct replies the caller finds below the comment: the ones
	// every reader finds (SharedReplyCount) and the caller's own pending or rejected replies,
	// or the placeholders above them, that show to the caller alone.
	ReplyCount int
	// SharedReplyCount counts the direct replies that show to every reader: published ones,
	// and placeholders that lead to a published reply. The MOST_REPLIES order sorts by it.
	SharedReplyCount int
	ReactionCount    int
	ReportCount      int
	// Featured comments are picked by moderators to show first.
	Featured bool
	// Version counts the changes to the comment's body and status (edits, decisions, holds,
	// deletion). A change prepared against one version is refused (ECONFLICT) once another
	// has been stored, so that nobody's decision silently overwrites what they never saw.
	Version   int
	CreatedAt time.Time
	EditedAt  *time.Time
	DeletedAt *time.Time
}

// Revision is an earlier body of an edited comment.
type Revision struct {
	ID         string
	CommentID  string
	Body       string
	BodySource string
	CreatedAt  time.Time
}

// CommentOrder is how a story's comments or a comment's replies are sorted.
type CommentOrder string

// Comment orders.
const (
	OrderNewest        CommentOrder = "NEWEST"
	OrderOldest        CommentOrder = "OLDEST"
	OrderMostReplies   CommentOrder = "MOST_REPLIES"
	OrderMostReactions CommentOrder = "MOST_REACTIONS"
)

// Valid reports whether o is a known order.
func (o CommentOrder) Valid() bool {
	switch o {
	case OrderNewest, OrderOldest, OrderMostReplies, OrderMostReactions:
		return true
	}
	return false
}

// Page size bounds for every connection.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// PageSize returns a bounded page size: the default for nil, an error outside 1..MaxPageSize.
func PageSize(first *int) (int, error) {
	if first == nil {
		return DefaultPageSize, nil
	}
	if *first < 1 || *first > MaxPageSize {
		return 0, FieldErrorf("first", "first must be between 1 and %d.", MaxPageSize)
	}
	return *first, nil
}

// CommentFilter selects a page of comments visible to the caller: either a story's top-level
// comments (ParentID "") or one comment's direct replies.
type CommentFilter struct {
	StoryID  string
	ParentID string
	Order    CommentOrder
	First    int
	After    *Cursor
}

// CommentPage is one page of a connection.
type CommentPage struct {
	Comments    []*Comment
	HasNextPage bool
}

// CreateCommentInput posts a comment to a story, given by ID or by URL.
type CreateCommentInput struct {
	StoryID  string
	StoryURL string
	ParentID string
	Body     string
}

// EditCommentInput replaces a comment's body.
type EditCommentInput struct {
	CommentID string
	Body      string
	// Version, when not 0, is the comment's version the author edited (Comment.Version): if
	// the comment changed since (a moderator decided, another edit landed), the edit is
	// refused with ECONFLICT rather than written over what the author never saw.
	Version int
}

// ValidateBody checks a comment's Markdown source against a site's length limits. The
// minimum counts what a reader sees (VisibleLength: invisible code points such as U+200B
// count as space, so a comment of only those is empty); the maximum counts every character
// stored, after trimming spaces.
func ValidateBody(body string, s SiteSettings) (string, error) {
	if !utf8.ValidString(body) {
		return "", FieldErrorf("body", "Comment is not valid UTF-8 text.")
	}
	if strings.ContainsRune(body, 0) {
		return "", FieldErrorf("body", "Comment contains a NUL character.")
	}
	body = strings.TrimSpace(body)
	if visible := VisibleLength(body); visible < s.MinCommentLength || visible == 0 {
		if visible == 0 {
			return "", FieldErrorf("body", "Comment is empty.")
		}
		return "", FieldErrorf("body", "Comment must be at least %d characters.", s.MinCommentLength)
	}
	n := utf8.RuneCountInString(body)
	if n > s.MaxCommentLength {
		return "", FieldErrorf("body", "Comment is %d characters; the limit is %d.", n, s.MaxCommentLength)
	}
	return body, nil
}

// ValidateDraft checks text an author is still writing, for a preview: the site's maximum
// holds, its minimum does not yet, and blank text is no error but nothing to show ("").
func ValidateDraft(body string, s SiteSettings) (string, error) {
	if VisibleLength(strings.TrimSpace(body)) == 0 {
		return "", nil
	}
	s.MinCommentLength = 0
	return ValidateBody(body, s)
}

// Renderer turns a comment's Markdown source into sanitised HTML. It is safe for concurrent use.
type Renderer interface {
	Render(source string) string
}

// CommentService stores comments and their revisions.
type CommentService interface {
	FindCommentByID(ctx context.Context, id string) (*Comment, error)
	// FindCommentsByIDs returns the comments it finds that the caller may see; it serves dataloaders.
	FindCommentsByIDs(ctx context.Context, ids []string) ([]*Comment, error)
	FindComments(ctx context.Context, f CommentFilter) (*CommentPage, error)
	// FindReplyPages answers, for each of parentIDs (comments of the story storyID), the
	// first page of its replies in order, as FindComments does for one: in one statement, for
	// pages that show a few replies under each of their comments. A parent without replies
	// the caller finds has an empty page.
	FindReplyPages(ctx context.Context, storyID string, parentIDs []string, order CommentOrder, first int) (map[string]*CommentPage, error)
	FindRevisions(ctx context.Context, commentID string) ([]*Revision, error)
	CreateComment(ctx context.Context, in CreateCommentInput) (*Comment, error)
	EditComment(ctx context.Context, in EditCommentInput) (*Comment, error)
	// DeleteComment is for the author: the body goes, a tombstone keeps the thread.
	DeleteComment(ctx context.Context, id string) (*Comment, error)
	// FindModerations returns a comment's moderation decisions, oldest first; for the
	// site's moderators.
	FindModerations(ctx context.Context, commentID string) ([]*ModerationRecord, error)
	// ModerationsOf answers FindModerations for many comments in one statement, for those
	// of the given comments whose site the caller moderates; it leaves out the others (whose
	// FindModerations says why not). It serves dataloaders.
	ModerationsOf(ctx context.Context, commentIDs []string) (map[string][]*ModerationRecord, error)
	// RejectionReasons says why each of the given comments was rejected, for those that
	// stand rejected and that the caller wrote or moderates; it leaves out every other, so
	// that no one else learns why. It serves dataloaders.
	RejectionReasons(ctx context.Context, commentIDs []string) (map[string]RejectReason, error)
}

// ReactionCount is how many readers gave one kind of reaction to a comment.
type ReactionCount struct {
	Kind          string
	Count         int
	ViewerReacted bool
}

// ReactionService stores reactions; a user gives each kind at most once per comment.
type ReactionService interface {
	AddReaction(ctx context.Context, commentID, kind string) (*Comment, error)
	RemoveReaction(ctx context.Context, commentID, kind string) (*Comment, error)
	// ReactionCounts returns the counts per comment, with ViewerReacted for the caller; it
	// serves dataloaders.
	ReactionCounts(ctx context.Context, commentIDs []string) (map[string][]ReactionCount, error)
}

// ReportReason is why a reader reports a comment.
type ReportReason string

// Report reasons.
const (
	ReportSpam      ReportReason = "SPAM"
	ReportOffensive ReportReason = "OFFENSIVE"
	ReportAbusive   ReportReason = "ABUSIVE"
	ReportOffTopic  ReportReason = "OFF_TOPIC"
	ReportIllegal   ReportReason = "ILLEGAL"
	ReportOther     ReportReason = "OTHER"
)

// Valid reports whether r is a known reason.
func (r ReportReason) Valid() bool {
	switch r {
	case ReportSpam, ReportOffensive, ReportAbusive, ReportOffTopic, ReportIllegal, ReportOther:
		return true
	}
	return false
}

// MaxReportDetailsLength bounds a report's free text.
const MaxReportDetailsLength = 1000

// ReportInput reports a comment to the moderators.
type ReportInput struct {
	CommentID string
	Reason    ReportReason
	Details   string
}

// Validate checks the input.
func (in *ReportInput) Validate() error {
	in.Details = strings.TrimSpace(in.Details)
	switch {
	case !in.Reason.Valid():
		return FieldErrorf("reason", "Unknown report reason %q.", in.Reason)
	case !utf8.ValidString(in.Details):
		return FieldErrorf("details", "Details are not valid UTF-8 text.")
	case utf8.RuneCountInString(in.Details) > MaxReportDetailsLength:
		return FieldErrorf("details", "Details must be at most %d characters.", MaxReportDetailsLength)
	case in.Reason == ReportOther && VisibleLength(in.Details) == 0:
		return FieldErrorf("details", "Please say what is wrong when the reason is OTHER.")
	}
	return nil
}

// Report is one reader's report on a comment.
type Report struct {
	ID        string
	CommentID string
	UserID    string
	Reason    ReportReason
	Details   string
	// Weight is how much the report counted toward the site's report threshold, and
	// WeightRule the rule version that set it (empty for the default weight of 1).
	Weight     float64
	WeightRule string
	CreatedAt  time.Time
}

// ReportService stores reports; a user reports a comment at most once.
type ReportService interface {
	ReportComment(ctx context.Context, in ReportInput) (*Comment, error)
	// FindReports lists a comment's reports, newest first, for the site's moderators.
	FindReports(ctx context.Context, commentID string) ([]*Report, error)
	// ReportsOf answers FindReports for many comments in one statement, for those of the
	// given comments whose site the caller moderates; it leaves out the others (whose
	// FindReports says why not). It serves dataloaders.
	ReportsOf(ctx context.Context, commentIDs []string) (map[string][]*Report, error)
}
