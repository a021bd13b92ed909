package parley

import (
	"context"
	"encoding/json"
	"io"
	"time"
)

// SiteFileFormat and SiteFileVersion name the whole-site file (`parley site export`): a
// reader refuses a file of another format or a version it does not know, rather than
// guessing at fields.
const (
	SiteFileFormat  = "parley-site"
	SiteFileVersion = 1
)

// SiteSections are the record sections of a site file in the order they come: each record
// refers only to records of earlier sections (or earlier in its own, for a reply), so an
// import can write them as it reads them.
var SiteSections = []string{"users", "stories", "comments", "revisions", "reactions", "reports",
	"sanctions", "notes", "wordLists", "rules", "trustLevels"}

// PortableSite is a site as a site file carries it. SSOSecret is the single sign-on secret,
// so host sites keep signing their readers in after the move.
type PortableSite struct {
	ID             string       `json:"id"`
	Name           string       `json:"name"`
	AllowedOrigins []string     `json:"allowedOrigins"`
	Settings       SiteSettings `json:"settings"`
	SSOSecret      string       `json:"ssoSecret,omitempty"`
	CreatedAt      time.Time    `json:"createdAt"`
}

// PortableUser is an account that took part in the site. PasswordHash is kept so members
// sign in on the new instance with the password they had; Role is the site role ("" for
// none); an instance's admin flag never travels.
type PortableUser struct {
	ID            string    `json:"id"`
	Username      string    `json:"username"`
	DisplayName   string    `json:"displayName,omitempty"`
	Email         string    `json:"email,omitempty"`
	EmailVerified bool      `json:"emailVerified,omitempty"`
	PasswordHash  string    `json:"passwordHash,omitempty"`
	Role          Role      `json:"role,omitempty"`
	Guest         bool      `json:"guest,omitempty"`
	SSOSubject    string    `json:"ssoSubject,omitempty"`
	CreatedAt     time.Time `json:"createdAt"`
	// DeletionDueAt is when the account's scheduled erasure happens (its owner deleted it and
	// may still come back); the move keeps the schedule, so the erasure is not lost.
	DeletionDueAt           *time.Time `json:"deletionDueAt,omitempty"`
	DeletionRemovesComments bool       `json:"deletionRemovesComments,omitempty"`
	// MergeByEmail, set by the importer (never read from a file), lets storage use an
	// existing account whose verified email is Email instead of making one.
	MergeByEmail bool `json:"-"`
}

// PortableStory is a story of the site.
type PortableStory struct {
	ID         string    `json:"id"`
	URL        string    `json:"url"`
	Title      string    `json:"title,omitempty"`
	Closed     bool      `json:"closed,omitempty"`
	Moderation string    `json:"moderation,omitempty"`
	CreatedAt  time.Time `json:"createdAt"`
}

// PortableComment is a comment with its place in its thread and its moderation state.
type PortableComment struct {
	ID          string        `json:"id"`
	StoryID     string        `json:"storyID"`
	ParentID    string        `json:"parentID,omitempty"`
	AuthorID    string        `json:"authorID,omitempty"`
	Body        string        `json:"body"`
	BodySource  string        `json:"bodySource"`
	Status      CommentStatus `json:"status"`
	Featured    bool          `json:"featured,omitempty"`
	Version     int           `json:"version,omitempty"`
	CreatedAt   time.Time     `json:"createdAt"`
	EditedAt    *time.Time    `json:"editedAt,omitempty"`
	DeletedAt   *time.Time    `json:"deletedAt,omitempty"`
	ModeratedAt *time.Time    `json:"moderatedAt,omitempty"`
}

// PortableRevision is an earlier body of a comment.
type PortableRevision struct {
	ID         string    `json:"id"`
	CommentID  string    `json:"commentID"`
	Body       string    `json:"body"`
	BodySource string    `json:"bodySource"`
	CreatedAt  time.Time `json:"createdAt"`
}

// PortableReaction is a reader's reaction to a comment.
type PortableReaction struct {
	CommentID string    `json:"commentID"`
	UserID    string    `json:"userID"`
	Kind      string    `json:"kind"`
	CreatedAt time.Time `json:"createdAt"`
}

// PortableReport is a reader's report of a comment.
type PortableReport struct {
	ID        string    `json:"id"`
	CommentID string    `json:"commentID"`
	UserID    string    `json:"userID"`
	Reason    string    `json:"reason"`
	Details   string    `json:"details,omitempty"`
	Weight    float64   `json:"weight"`
	CreatedAt time.Time `json:"createdAt"`
}

// PortableSanction is a sanction the site's moderators gave.
type PortableSanction struct {
	ID             string     `json:"id"`
	UserID         string     `json:"userID"`
	Kind           string     `json:"kind"`
	Message        string     `json:"message,omitempty"`
	ModeratorID    string     `json:"moderatorID,omitempty"`
	CreatedAt      time.Time  `json:"createdAt"`
	ExpiresAt      *time.Time `json:"expiresAt,omitempty"`
	RevokedAt      *time.Time `json:"revokedAt,omitempty"`
	AcknowledgedAt *time.Time `json:"acknowledgedAt,omitempty"`
}

// PortableNote is a moderator's note about a reader.
type PortableNote struct {
	ID          string    `json:"id"`
	UserID      string    `json:"userID"`
	ModeratorID string    `json:"moderatorID,omitempty"`
	Body        string    `json:"body"`
	CreatedAt   time.Time `json:"createdAt"`
}

// PortableWordList is one of the site's word lists, with its version, which the site's
// settings name.
type PortableWordList struct {
	Kind      WordListKind `json:"kind"`
	Terms     string       `json:"terms"`
	TermCount int          `json:"termCount"`
	Version   string       `json:"version"`
	UpdatedAt time.Time    `json:"updatedAt"`
}

// PortableRule is a community rule with every version enacted; Version is the current one.
type PortableRule struct {
	ID       string                `json:"id"`
	Name     string                `json:"name"`
	Version  int                   `json:"version"`
	Retired  bool                  `json:"retired,omitempty"`
	Versions []PortableRuleVersion `json:"versions"`
}

// PortableRuleVersion is one enacted version of a rule.
type PortableRuleVersion struct {
	Version    int             `json:"version"`
	Name       string          `json:"name"`
	Expression string          `json:"expression"`
	Effect     json.RawMessage `json:"effect"`
	Shadow     bool            `json:"shadow,omitempty"`
	Retired    bool            `json:"retired,omitempty"`
	ProposalID string          `json:"proposalID"`
	EnactedAt  time.Time       `json:"enactedAt"`
}

// PortableTrustLevel is a reader's trust level on the site; Pinned is a moderator's choice.
type PortableTrustLevel struct {
	UserID     string     `json:"userID"`
	Level      int        `json:"level"`
	Pinned     *int       `json:"pinned,omitempty"`
	PromotedAt *time.Time `json:"promotedAt,omitempty"`
}

// SiteExportService writes a whole site as a site file (SiteFileFormat), for an instance
// admin who moves the community to another instance.
type SiteExportService interface {
	ExportSite(ctx context.Context, siteID string, w io.Writer) error
}

// SiteExportStore reads a whole site for export.
type SiteExportStore interface {
	// ExportSite reads the site and then each section of SiteSections in order, in one
	// consistent snapshot, calling site once and emit for every record (a *Portable* value)
	// as it is read, so memory does not grow with the site.
	ExportSite(ctx context.Context, siteID string, site func(PortableSite) error, emit func(section string, record any) error) error
}

// PortableBatch is a batch of records of a site file, their IDs already this instance's.
type PortableBatch struct {
	Stories     []PortableStory
	Comments    []PortableComment
	Revisions   []PortableRevision
	Reactions   []PortableReaction
	Reports     []PortableReport
	Sanctions   []PortableSanction
	Notes       []PortableNote
	WordLists   []PortableWordList
	Rules       []PortableRule
	TrustLevels []PortableTrustLevel
}

// Len is the number of records in b.
func (b *PortableBatch) Len() int {
	return len(b.Stories) + len(b.Comments) + len(b.Revisions) + len(b.Reactions) + len(b.Reports) +
		len(b.Sanctions) + len(b.Notes) + len(b.WordLists) + len(b.Rules) + len(b.TrustLevels)
}

// SiteImportStore writes a site file's records. Every write is keyed by the record's ID (which
// the importer derives from the source's), so a second run writes nothing twice.
type SiteImportStore interface {
	// PrepareSiteImport makes the site site.ID from site when no site has that ID and create
	// is set (ENOTFOUND when it is not). It refuses (ECONFLICT) a site holding stories that no
	// earlier run of this source wrote (each story an import writes is keyed by its source), so
	// an import goes into a new or empty site only.
	PrepareSiteImport(ctx context.Context, site PortableSite, source string, create bool) error
	// ImportSiteUsers writes a batch of accounts in one transaction and returns, for each
	// user ID of the batch, the account it became: itself when an account with that ID
	// exists or is made, or the existing account of the same verified email when the user
	// has MergeByEmail (its password and role are then left as they are, except that a role
	// is granted when it has none on the site). It grants the site roles.
	ImportSiteUsers(ctx context.Context, siteID string, users []PortableUser) (map[string]string, error)
	// ImportSiteRecords writes a batch in one transaction, skipping records already there or
	// whose story, comment or user is not on the site, and returns how many it wrote and the
	// IDs of the replies it left out because their parent is not there (written before, or
	// earlier in the batch).
	ImportSiteRecords(ctx context.Context, siteID, source string, b PortableBatch) (written int, orphans []string, err error)
	// FinishImport recounts the replies and counters of what the source's runs wrote (the
	// same method as ImportStore's).
	FinishImport(ctx context.Context, siteID, source string) error
}
