package parley

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// SanctionKind is what moderators impose on a user.
type SanctionKind string

// Sanctions. BAN and SUSPEND stop a user's comments (SUSPEND for a time), PREMOD holds them
// all for review, WARN must be acknowledged before the user comments again, and MESSAGE only
// tells the user something.
const (
	SanctionBan     SanctionKind = "BAN"
	SanctionSuspend SanctionKind = "SUSPEND"
	SanctionPremod  SanctionKind = "PREMOD"
	SanctionWarn    SanctionKind = "WARN"
	SanctionMessage SanctionKind = "MESSAGE"
)

// Valid reports whether k is a known kind.
func (k SanctionKind) Valid() bool {
	switch k {
	case SanctionBan, SanctionSuspend, SanctionPremod, SanctionWarn, SanctionMessage:
		return true
	}
	return false
}

// Sanction is one measure on a user, on one site or (SiteID "") on every site.
type Sanction struct {
	ID             string
	UserID         string
	SiteID         string
	Kind           SanctionKind
	Message        string
	ModeratorID    string
	CreatedAt      time.Time
	ExpiresAt      *time.Time
	RevokedAt      *time.Time
	AcknowledgedAt *time.Time
}

// Bounds on sanctions.
const (
	MaxSanctionMessageLength = 2000
	MaxSuspension            = 365 * 24 * time.Hour
)

// SanctionInput imposes a sanction.
type SanctionInput struct {
	UserID string
	// SiteID "" applies the sanction on every site, which only admins may do.
	SiteID  string
	Kind    SanctionKind
	Message string
	// Duration is required for SUSPEND and ignored otherwise.
	Duration time.Duration
	// RejectExisting rejects the user's published and pending comments too (BAN only).
	RejectExisting bool
}

// Validate checks the input.
func (in *SanctionInput) Validate() error {
	in.Message = strings.TrimSpace(in.Message)
	switch {
	case !in.Kind.Valid():
		return FieldErrorf("kind", "Unknown sanction %q.", in.Kind)
	case !utf8.ValidString(in.Message) || utf8.RuneCountInString(in.Message) > MaxSanctionMessageLength:
		return FieldErrorf("message", "The message must be text of at most %d characters.", MaxSanctionMessageLength)
	case (in.Kind == SanctionWarn || in.Kind == SanctionMessage) && VisibleLength(in.Message) == 0:
		return FieldErrorf("message", "A warning or message needs words for the user to read.")
	case in.Kind == SanctionSuspend && (in.Duration < time.Minute || in.Duration > MaxSuspension):
		return FieldErrorf("durationSeconds", "A suspension lasts from a minute to a year.")
	case in.RejectExisting && in.Kind != SanctionBan:
		return FieldErrorf("rejectExistingComments", "Only a ban can reject the user's existing comments.")
	}
	return nil
}

// UserNote is a moderator's note on a user, seen by the site's moderators only.
type UserNote struct {
	ID          string
	UserID      string
	SiteID      string
	ModeratorID string
	Body        string
	CreatedAt   time.Time
}

// MaxUserNoteLength bounds a moderator's note.
const MaxUserNoteLength = 2000

// CommentCounts counts a user's comments on a site by status.
type CommentCounts struct {
	Published int
	Pending   int
	Rejected  int
	Deleted   int
}

// SanctionService imposes and lifts sanctions and keeps moderators' notes. Moderators act on
// their sites; admins everywhere; users read and acknowledge their own sanctions.
type SanctionService interface {
	Sanction(ctx context.Context, in SanctionInput) (*Sanction, error)
	// RevokeSanction lifts a sanction early (an unban, say).
	RevokeSanction(ctx context.Context, id string) (*Sanction, error)
	// AcknowledgeSanction is the user's acknowledgement of a warning or message.
	AcknowledgeSanction(ctx context.Context, id string) (*Sanction, error)
	// FindSanctions lists a user's sanctions on a site (with the instance-wide ones),
	// newest first; activeOnly leaves out expired and revoked ones.
	FindSanctions(ctx context.Context, userID, siteID string, activeOnly bool) ([]*Sanction, error)
	AddNote(ctx context.Context, userID, siteID, body string) (*UserNote, error)
	FindNotes(ctx context.Context, userID, siteID string) ([]*UserNote, error)
	// CommentCounts counts a user's comments on a site, for the moderators' user drawer.
	CommentCounts(ctx context.Context, userID, siteID string) (*CommentCounts, error)
	// FindUserComments returns a page of a user's comments on a site, newest first, for the
	// site's moderators.
	FindUserComments(ctx context.Context, userID, siteID string, first int, after *Cursor) (*CommentPage, error)
}
