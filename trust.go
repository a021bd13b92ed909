package parley

import (
	"context"
	"time"
)

// TrustLevel is a user's standing on one site, 0 (new) to 4 (leader). Levels 0 to 3 are
// earned from TrustSignals; 4 is only ever given by a moderator's pin.
type TrustLevel int

// The trust levels, after Discourse's: what each allows is decided by the capabilities that
// read them (moderation, rate limits), not here.
const (
	TrustNew     TrustLevel = 0
	TrustBasic   TrustLevel = 1
	TrustMember  TrustLevel = 2
	TrustRegular TrustLevel = 3
	TrustLeader  TrustLevel = 4
)

// Valid reports whether l is one of the five levels.
func (l TrustLevel) Valid() bool { return l >= TrustNew && l <= TrustLeader }

// RejectedByPipeline is the reason a comment's rejection is counted under when the pipeline,
// not a moderator, rejected it.
const RejectedByPipeline = "PIPELINE"

// TrustSignals are what a user did on a site, as the trust consumer counted it from events.
// Every field is a count that only events change, except AccountAge and the active sanctions,
// which the clock also moves.
type TrustSignals struct {
	SiteID string `json:"siteID"`
	UserID string `json:"userID"`
	// AccountAge is how long ago the account was made.
	AccountAge time.Duration `json:"accountAge"`
	// DaysVisited counts the distinct days (UTC) on which the user posted on the site.
	DaysVisited int `json:"daysVisited"`
	// CommentsPublished counts the user's comments that are published now.
	CommentsPublished int `json:"commentsPublished"`
	// Rejected counts rejections of the user's comments by reason (a RejectReason, or
	// RejectedByPipeline); every rejection counts, also of a comment later restored.
	Rejected map[string]int `json:"rejected"`
	// ReportsAgainstUpheld counts the user's reported comments that a moderator then rejected.
	ReportsAgainstUpheld int `json:"reportsAgainstUpheld"`
	// ReportsFiledUpheld and ReportsFiledDismissed count the user's own reports on comments
	// a moderator then rejected or approved.
	ReportsFiledUpheld    int `json:"reportsFiledUpheld"`
	ReportsFiledDismissed int `json:"reportsFiledDismissed"`
	// ReactionsFromDistinctUsers counts the other readers who have a reaction on one of the
	// user's comments.
	ReactionsFromDistinctUsers int `json:"reactionsFromDistinctUsers"`
	// ActiveSanctions and PastSanctions count sanctions on the site (or everywhere) that are
	// in force now, and those lifted or expired.
	ActiveSanctions int `json:"activeSanctions"`
	PastSanctions   int `json:"pastSanctions"`
}

// RejectedTotal sums the rejections over every reason.
func (s TrustSignals) RejectedTotal() int {
	n := 0
	for _, c := range s.Rejected {
		n += c
	}
	return n
}

// TrustThresholds are what a level asks for, one set per earned level. A zero field asks
// nothing; MaxRejected and MaxReportsAgainst are ceilings, the others floors.
type TrustThresholds struct {
	AccountAgeDays    int  `json:"accountAgeDays"`
	DaysVisited       int  `json:"daysVisited"`
	CommentsPublished int  `json:"commentsPublished"`
	ReactionsReceived int  `json:"reactionsReceived"`
	MaxRejected       int  `json:"maxRejected"`
	MaxReportsAgainst int  `json:"maxReportsAgainst"`
	NoActiveSanctions bool `json:"noActiveSanctions"`
}

// TrustSettings are a site's trust thresholds for levels 1, 2 and 3. Level 4 has none: only
// a moderator's pin gives it.
type TrustSettings struct {
	Basic   TrustThresholds `json:"basic"`
	Member  TrustThresholds `json:"member"`
	Regular TrustThresholds `json:"regular"`
}

// DefaultTrustSettings are Discourse's defaults adapted to a comment section, where people
// post more and read less inside the platform than on a forum.
func DefaultTrustSettings() TrustSettings {
	return TrustSettings{
		Basic:   TrustThresholds{DaysVisited: 1, CommentsPublished: 1, NoActiveSanctions: true},
		Member:  TrustThresholds{AccountAgeDays: 7, DaysVisited: 5, CommentsPublished: 10, ReactionsReceived: 3, MaxRejected: 3, NoActiveSanctions: true},
		Regular: TrustThresholds{AccountAgeDays: 50, DaysVisited: 30, CommentsPublished: 50, ReactionsReceived: 20, MaxRejected: 3, MaxReportsAgainst: 2, NoActiveSanctions: true},
	}
}

// For returns the thresholds of an earned level (1 to 3), and false for any other.
func (t TrustSettings) For(l TrustLevel) (TrustThresholds, bool) {
	switch l {
	case TrustBasic:
		return t.Basic, true
	case TrustMember:
		return t.Member, true
	case TrustRegular:
		return t.Regular, true
	}
	return TrustThresholds{}, false
}

// TrustSettingsOf returns a site's trust thresholds: its own, or the defaults when it has
// never set them.
func TrustSettingsOf(s SiteSettings) TrustSettings {
	if s.Trust == nil {
		return DefaultTrustSettings()
	}
	return *s.Trust
}

// Validate refuses negative thresholds.
func (t TrustSettings) Validate() error {
	for _, th := range []TrustThresholds{t.Basic, t.Member, t.Regular} {
		if th.AccountAgeDays < 0 || th.DaysVisited < 0 || th.CommentsPublished < 0 || th.ReactionsReceived < 0 || th.MaxRejected < 0 || th.MaxReportsAgainst < 0 {
			return FieldErrorf("trust", "Trust thresholds cannot be negative.")
		}
	}
	return nil
}

// TrustChange is one change of a user's level, automatic or a moderator's pin, kept so the
// user can be told why and what restores a privilege.
type TrustChange struct {
	ID     string     `json:"id"`
	SiteID string     `json:"siteID"`
	UserID string     `json:"userID"`
	From   TrustLevel `json:"from"`
	To     TrustLevel `json:"to"`
	// RuleVersion names the rules that decided an automatic change; "" for a pin.
	RuleVersion string `json:"ruleVersion"`
	// Signals are the user's signals when the change was decided.
	Signals TrustSignals `json:"signals"`
	// Crossed names the thresholds crossed (for a demotion, those no longer met), such as
	// "commentsPublished>=10".
	Crossed []string `json:"crossed"`
	// ModeratorID and Reason are set for a pin or an unpin.
	ModeratorID string    `json:"moderatorID"`
	Reason      string    `json:"reason"`
	CreatedAt   time.Time `json:"createdAt"`
}

// TrustRecord is a user's stored level on a site.
type TrustRecord struct {
	Level TrustLevel
	// Pinned is the level a moderator pinned, nil when the level is earned.
	Pinned *TrustLevel
	// PromotedAt is when the user last reached the level they hold, zero for never.
	PromotedAt time.Time
}

// TrustStanding is what a user (or a moderator) is told of a standing: the level, whether
// pinned, the signals and the last change.
type TrustStanding struct {
	SiteID  string
	UserID  string
	Level   TrustLevel
	Pinned  bool
	Signals TrustSignals
	// Next is the level above, with its thresholds and what is missing; nil at the top or
	// when pinned.
	Next *TrustLevel
	// Needs are the next level's thresholds, each with the user's value, met or not.
	Needs      []TrustRequirement
	LastChange *TrustChange
	// Privileges are what the level allows on the site, and what higher levels would add.
	Privileges []TrustPrivilege
}

// TrustRequirement is one threshold of a level and where the user stands against it.
type TrustRequirement struct {
	// Signal names the signal, such as "commentsPublished".
	Signal string
	// Max is true for a ceiling (at most Need), false for a floor (at least Need).
	Max  bool
	Need int
	Have int
	Met  bool
}

// TrustOpKind names one change the trust consumer asks its store to make.
type TrustOpKind int

// The operations of TrustOp; each says which fields it reads.
const (
	// TrustOpPublished adds N to UserID's published comments.
	TrustOpPublished TrustOpKind = iota + 1
	// TrustOpRejected adds N to UserID's rejections for Reason.
	TrustOpRejected
	// TrustOpVisit records Day as a day UserID visited.
	TrustOpVisit
	// TrustOpReaction adds N (1 or -1) to the reactions from OtherID to UserID's comments.
	TrustOpReaction
	// TrustOpReport records OtherID's open report (ID) on CommentID, written by UserID.
	TrustOpReport
	// TrustOpResolve closes CommentID's open reports: Upheld counts them for and against.
	TrustOpResolve
	// TrustOpSanction records sanction ID on UserID: kind Reason, Expires and Revoked.
	TrustOpSanction
)

// TrustOp is one change to a site's trust signals, decided by the trust consumer from an
// event and made by the store.
type TrustOp struct {
	Kind      TrustOpKind
	UserID    string
	OtherID   string
	ID        string
	CommentID string
	Reason    string
	N         int
	Day       time.Time
	Upheld    bool
	Expires   *time.Time
	Revoked   *time.Time
}

// TrustOps are the ops one event makes on one site's signals.
type TrustOps struct {
	SiteID string
	Ops    []TrustOp
}

// TrustEventOps are an event and the ops it makes, as ApplyTrustEvents takes them.
type TrustEventOps struct {
	Event OutboxEvent
	Ops   []TrustOp
}

// TrustEvent is an event as the trust consumer's ledger keeps it: the history that
// `parley trust recompute` replays.
type TrustEvent struct {
	Seq   int64
	Event OutboxEvent
}

// TrustStore keeps trust signals and levels. The consumer's guard is the event ID: an event
// already applied is never applied again.
type TrustStore interface {
	// ApplyTrustEvent records e in the ledger and applies ops in one transaction; it
	// returns false, changing nothing, when e's ID was applied before.
	ApplyTrustEvent(ctx context.Context, e OutboxEvent, ops []TrustOp) (bool, error)
	// ApplyTrustEvents is ApplyTrustEvent for many events in one transaction, in their
	// order: applied[i] is false for an event whose ID was applied before (or earlier in
	// the same call), whose ops then change nothing.
	ApplyTrustEvents(ctx context.Context, events []TrustEventOps) (applied []bool, err error)
	// ExclusiveTrust runs fn while no event is being applied: ApplyTrustEvent waits until
	// fn returns, so that a recompute's reset and replay never interleave with live events.
	ExclusiveTrust(ctx context.Context, fn func(ctx context.Context) error) error
	// ReplayTrustOps applies the ops of events already in the ledger, in order and in one
	// transaction, for recompute.
	ReplayTrustOps(ctx context.Context, batch []TrustOps) error
	// ResetTrustSignals forgets the signals of one site ("" for every site), keeping the
	// ledger, levels and changes.
	ResetTrustSignals(ctx context.Context, siteID string) error
	// TrustLedger returns up to limit ledger events after seq, oldest first, of one site
	// ("" for every site).
	TrustLedger(ctx context.Context, siteID string, afterSeq int64, limit int) ([]TrustEvent, error)
	// TrustSignals returns a user's signals on a site as of now (zero counts for a user
	// the consumer has not seen); ENOTFOUND for an unknown user.
	TrustSignals(ctx context.Context, siteID, userID string, now time.Time) (TrustSignals, error)
	// TrustSites lists the sites with signals or levels.
	TrustSites(ctx context.Context) ([]string, error)
	// TrustUsers lists the users with signals on a site.
	TrustUsers(ctx context.Context, siteID string) ([]string, error)
	// TrustRecord returns a user's stored level (level 0, unpinned, when none).
	TrustRecord(ctx context.Context, siteID, userID string) (TrustRecord, error)
	// SetTrustLevel stores a new level (and pin) with the change that explains it.
	SetTrustLevel(ctx context.Context, rec TrustRecord, ch TrustChange) error
	// LastTrustChange returns the user's latest change, ENOTFOUND when there is none.
	LastTrustChange(ctx context.Context, siteID, userID string) (*TrustChange, error)
	// CommentsSince counts the user's comments on the site written after since, counting
	// no further than limit, so a RATE rule costs as many rows as its rate and no more.
	CommentsSince(ctx context.Context, siteID, userID string, since time.Time, limit int) (int, error)
}

// TrustService answers trust questions for the API.
type TrustService interface {
	// TrustStanding returns a user's standing on a site: one's own, or anyone's for the
	// site's moderators.
	TrustStanding(ctx context.Context, siteID, userID string) (*TrustStanding, error)
	// PinTrustLevel pins a user's level (nil unpins it); moderators only.
	PinTrustLevel(ctx context.Context, siteID, userID string, level *TrustLevel, reason string) (*TrustStanding, error)
}
