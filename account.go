package parley

import "time"

// DeleteConfirmation is what an account without a password (one that signs in only through a
// host site's single sign-on) types to confirm its deletion, since it has no password to give.
const DeleteConfirmation = "DELETE"

// DeleteAccountInput confirms that the signed-in user means to delete their account: an
// account with a password gives it; an account without one gives Confirm = DeleteConfirmation.
type DeleteAccountInput struct {
	Password string
	Confirm  string
	// RemoveComments asks that the erasure remove the account's comments rather than leave
	// "deleted account" tombstones; a comment with replies still stays as a tombstone without
	// author or body, so the replies keep their place.
	RemoveComments bool
}

// UserExport is everything Parley holds about one user, for the user to download.
type UserExport struct {
	GeneratedAt time.Time
	Account     *User
	Comments    []*ExportedComment
	Reactions   []*ExportedReaction
	Reports     []*ExportedReport
	Mutes       []*ExportedMute
	Sanctions   []*ExportedSanction
	// Notes are what moderators wrote about the user, without saying which moderator.
	Notes []*ExportedNote
	// Sessions and APITokens are the user's sign-ins and API tokens, revoked and expired
	// ones too; their hashes are never part of an export.
	Sessions  []*ExportedToken
	APITokens []*ExportedToken
}

// ExportedComment is one comment the user wrote, with where it stands and its earlier bodies.
type ExportedComment struct {
	ID         string
	StoryURL   string
	StoryTitle string
	SiteName   string
	BodySource string
	Status     CommentStatus
	CreatedAt  time.Time
	EditedAt   *time.Time
	// Revisions are the earlier Markdown sources, oldest first.
	Revisions []string
}

// ExportedReaction is one reaction the user gave.
type ExportedReaction struct {
	CommentID string
	Kind      string
	CreatedAt time.Time
}

// ExportedReport is one report the user made.
type ExportedReport struct {
	CommentID string
	Reason    ReportReason
	Details   string
	CreatedAt time.Time
}

// ExportedMute is one user the exported user muted.
type ExportedMute struct {
	UserID    string
	Username  string
	CreatedAt time.Time
}

// ExportedSanction is one sanction imposed on the user. SiteName is "" for an instance-wide one.
type ExportedSanction struct {
	Kind      SanctionKind
	Message   string
	SiteName  string
	CreatedAt time.Time
	ExpiresAt *time.Time
	RevokedAt *time.Time
}

// ExportedNote is one note a moderator wrote about the user. The author is left out: which
// moderator wrote it is the moderator's data, as for sanctions.
type ExportedNote struct {
	SiteName  string
	Body      string
	CreatedAt time.Time
}

// ExportedToken is one session or API token of the user, without its secret or hash, so an
// export cannot be used to sign in.
type ExportedToken struct {
	ID         string
	Name       string
	CreatedAt  time.Time
	ExpiresAt  *time.Time
	RevokedAt  *time.Time
	LastUsedAt *time.Time
}
