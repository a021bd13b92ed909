package parley

import "context"

// The levels at which trust's effects open. The pipeline, the report rule and the vote rule
// apply them (packages moderation and trust); the widget is told them through privileges.
const (
	// LevelToReport may report comments (unless the site lets new readers report).
	LevelToReport = TrustBasic
	// LevelForFreeLinks has links published without the site's link hold.
	LevelForFreeLinks = TrustMember
	// LevelToVote may vote on rule proposals where the site allows member votes.
	LevelToVote = TrustMember
	// LevelForHoldingReports holds a comment at once by reporting it.
	LevelForHoldingReports = TrustRegular
	// LevelForFollowedLinks has links published without rel=nofollow.
	LevelForFollowedLinks = TrustRegular
)

// NewCommenterTreatment is what a site does with the comments of trust level 0 authors.
type NewCommenterTreatment string

// Treatments of level 0 authors. The empty value is TreatNone, so that a site that never
// chose keeps publishing as it did before trust levels existed.
const (
	TreatNone      NewCommenterTreatment = "NONE"
	TreatHoldLinks NewCommenterTreatment = "HOLD_LINKS"
	TreatPremod    NewCommenterTreatment = "PREMOD"
)

// Valid reports whether t is a treatment ("" counts as TreatNone).
func (t NewCommenterTreatment) Valid() bool {
	switch t {
	case "", TreatNone, TreatHoldLinks, TreatPremod:
		return true
	}
	return false
}

// TrustEffectSettings are a site's choices about what trust levels allow. Every zero value
// is the default, so a site that never set them needs nothing stored.
type TrustEffectSettings struct {
	// NewCommenters is the treatment of trust level 0 authors: hold their links, hold every
	// comment, or nothing ("" is nothing).
	NewCommenters NewCommenterTreatment `json:"newCommenters,omitempty"`
	// NewMayReport lets trust level 0 readers report comments; by default only TL1 and up
	// may, so that throwaway accounts cannot bury a comment under reports.
	NewMayReport bool `json:"newMayReport,omitempty"`
}

// Validate refuses an unknown treatment.
func (e TrustEffectSettings) Validate() error {
	if !e.NewCommenters.Valid() {
		return FieldErrorf("trustEffects.newCommenters", "The treatment of new commenters is NONE, HOLD_LINKS or PREMOD.")
	}
	return nil
}

// Treatment returns the site's treatment of level 0 authors, TreatNone when unset.
func (e TrustEffectSettings) Treatment() NewCommenterTreatment {
	if e.NewCommenters == "" {
		return TreatNone
	}
	return e.NewCommenters
}

// PublicLogSettings are what a site's public moderation log shows about people. By default
// it names no one: sanctioned users are "a commenter" and moderators are not shown.
type PublicLogSettings struct {
	// ShowUsernames names sanctioned and pinned users by their username.
	ShowUsernames bool `json:"showUsernames,omitempty"`
	// ShowModerators names the moderators who sanctioned or pinned.
	ShowModerators bool `json:"showModerators,omitempty"`
}

// ReportStanding is what deciding about a report needs to know of the reporter: the
// reported comment's site, the site's settings and the reporter's trust level and role there.
type ReportStanding struct {
	SiteID   string
	Settings SiteSettings
	Level    TrustLevel
	Role     Role
}

// TrustLevels reads stored trust levels for the capabilities that apply their effects
// (reports, rate limits). It only reads: levels are decided by the trust consumer.
type TrustLevels interface {
	// ReportStanding returns the reporter's standing on the site of a comment the reporter
	// can see; ENOTFOUND when the comment is unknown or not visible.
	ReportStanding(ctx context.Context, commentID, userID string) (ReportStanding, error)
	// HighestTrustLevel returns the user's highest level over every site (0 when none), so
	// a request that names no site can still tell a brand-new account.
	HighestTrustLevel(ctx context.Context, userID string) (TrustLevel, error)
}

// ReportWeigher weighs a reporter's reports by the site's community rules (REPORT_WEIGHT),
// so the report service can count them toward the report threshold without knowing the
// rules. The trust rules stage implements it.
type ReportWeigher interface {
	// ReportWeight returns the weight of userID's reports under st; DefaultReportWeight
	// when no rule weighs them.
	ReportWeight(ctx context.Context, st ReportStanding, userID string) (ReportWeight, error)
}

// TrustPrivilege is one thing a trust level allows on a site, with the level it opens at,
// so a reader can be told what they may do and what the next level would add.
type TrustPrivilege struct {
	// Name is a stable code, such as REPORT or FOLLOWED_LINKS.
	Name string
	// Level is the level the privilege opens at on this site.
	Level   TrustLevel
	Allowed bool
	// Description says in words what the privilege is.
	Description string
}
