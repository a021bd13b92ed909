package parley

import (
	"context"
	"strconv"
	"time"
)

// RuleEffectKind is what a community rule does when its expression holds.
type RuleEffectKind string

// The effects a rule may have. HOLD, REJECT and APPROVE decide a comment as a pipeline stage
// does; FLAG adds a reason code and lets the run go on; the others act on the author's
// standing: a floor or ceiling on the trust level, the weight of the author's reports, and a
// rate of comments per minute.
const (
	EffectHold         RuleEffectKind = "HOLD"
	EffectReject       RuleEffectKind = "REJECT"
	EffectApprove      RuleEffectKind = "APPROVE"
	EffectFlag         RuleEffectKind = "FLAG"
	EffectLevelFloor   RuleEffectKind = "LEVEL_FLOOR"
	EffectLevelCeiling RuleEffectKind = "LEVEL_CEILING"
	EffectReportWeight RuleEffectKind = "REPORT_WEIGHT"
	EffectRate         RuleEffectKind = "RATE"
)

// RuleEffect is an effect with its argument: Code for FLAG, Level for the level bounds,
// Weight for REPORT_WEIGHT, PerMinute for RATE. The other fields are zero.
type RuleEffect struct {
	Kind      RuleEffectKind `json:"kind"`
	Code      string         `json:"code,omitempty"`
	Level     int            `json:"level,omitempty"`
	Weight    float64        `json:"weight,omitempty"`
	PerMinute int            `json:"perMinute,omitempty"`
}

// Bounds on rules and proposals.
const (
	MaxRuleNameLength       = 80
	MaxRuleExpressionLength = 4000
	MaxRuleFlagCodeLength   = 40
	MaxRationaleLength      = 4000
	MaxRulesPerSite         = 100
	MaxReportWeight         = 10
	MaxRatePerMinute        = 600
	// MaxBacktestComments bounds a back-test's replay.
	MaxBacktestComments = 100000
	// DefaultBacktestComments is the replay of a back-test that names no number.
	DefaultBacktestComments = 1000
	// MaxBacktestChanges bounds how many changed comments a report lists; it counts all.
	MaxBacktestChanges = 1000
)

// Validate checks the effect's kind and argument, naming the input field at fault.
func (e RuleEffect) Validate() error {
	switch e.Kind {
	case EffectHold, EffectReject, EffectApprove:
	case EffectFlag:
		if e.Code == "" || len(e.Code) > MaxRuleFlagCodeLength || !isFlagCode(e.Code) {
			return FieldErrorf("effect.code", "A FLAG effect needs a code of 1 to %d capital letters, digits or underscores.", MaxRuleFlagCodeLength)
		}
	case EffectLevelFloor, EffectLevelCeiling:
		if !TrustLevel(e.Level).Valid() {
			return FieldErrorf("effect.level", "A level bound is a trust level, 0 to 4.")
		}
	case EffectReportWeight:
		if e.Weight < 0 || e.Weight > MaxReportWeight {
			return FieldErrorf("effect.weight", "A report weight is 0 to %d.", MaxReportWeight)
		}
	case EffectRate:
		if e.PerMinute < 1 || e.PerMinute > MaxRatePerMinute {
			return FieldErrorf("effect.perMinute", "A rate is 1 to %d comments per minute.", MaxRatePerMinute)
		}
	default:
		return FieldErrorf("effect.kind", "Unknown effect %q.", e.Kind)
	}
	return nil
}

// Decides reports whether the effect decides a comment (HOLD, REJECT or APPROVE).
func (e RuleEffect) Decides() bool {
	return e.Kind == EffectHold || e.Kind == EffectReject || e.Kind == EffectApprove
}

func isFlagCode(s string) bool {
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// Rule is an enacted community rule at one version. Rules are never edited in place: each
// enacted proposal makes a new version, so a decision trail's rule version always names the
// expression that decided.
type Rule struct {
	ID         string     `json:"id"`
	SiteID     string     `json:"siteID"`
	Name       string     `json:"name"`
	Expression string     `json:"expression"`
	Effect     RuleEffect `json:"effect"`
	// Shadow runs the rule without effect; its verdicts are recorded for comparison.
	Shadow  bool `json:"shadow"`
	Version int  `json:"version"`
	// Retired is true for the version a RETIRE_RULE proposal enacted: the rule no longer runs.
	Retired    bool      `json:"retired"`
	ProposalID string    `json:"proposalID"`
	EnactedAt  time.Time `json:"enactedAt"`
}

// VersionName is how the trail and level changes name a rule version, "rule/<id>@<version>".
func (r *Rule) VersionName() string { return "rule/" + r.ID + "@" + strconv.Itoa(r.Version) }

// ProposalState is where a proposal is in its lifecycle:
// DRAFT → OPEN → APPROVED | REJECTED | WITHDRAWN, and APPROVED → ENACTED.
type ProposalState string

// Proposal states. Votes are taken while OPEN only.
const (
	ProposalDraft     ProposalState = "DRAFT"
	ProposalOpen      ProposalState = "OPEN"
	ProposalApproved  ProposalState = "APPROVED"
	ProposalRejected  ProposalState = "REJECTED"
	ProposalWithdrawn ProposalState = "WITHDRAWN"
	ProposalEnacted   ProposalState = "ENACTED"
)

// Valid reports whether s is one of the states.
func (s ProposalState) Valid() bool {
	switch s {
	case ProposalDraft, ProposalOpen, ProposalApproved, ProposalRejected, ProposalWithdrawn, ProposalEnacted:
		return true
	}
	return false
}

// ProposalKind is what a proposal changes.
type ProposalKind string

// Proposal kinds. A rollback is a CHANGE_RULE whose content is an earlier version's.
const (
	ProposalAddRule          ProposalKind = "ADD_RULE"
	ProposalChangeRule       ProposalKind = "CHANGE_RULE"
	ProposalRetireRule       ProposalKind = "RETIRE_RULE"
	ProposalChangeThresholds ProposalKind = "CHANGE_THRESHOLDS"
)

// RuleVote is one person's vote on a proposal; a second vote by the same person replaces it.
type RuleVote struct {
	UserID  string `json:"userID"`
	Approve bool   `json:"approve"`
	// Moderator is true when the voter voted as a moderator of the site (else as a member).
	Moderator bool      `json:"moderator"`
	VotedAt   time.Time `json:"votedAt"`
}

// VoteTally counts a proposal's votes against the site's quorum as it stood at the vote.
type VoteTally struct {
	ModeratorsFor     int  `json:"moderatorsFor"`
	ModeratorsAgainst int  `json:"moderatorsAgainst"`
	MembersFor        int  `json:"membersFor"`
	MembersAgainst    int  `json:"membersAgainst"`
	ModeratorQuorum   int  `json:"moderatorQuorum"`
	MemberQuorum      int  `json:"memberQuorum"`
	QuorumReached     bool `json:"quorumReached"`
}

// RuleProposal is a proposed change to a site's rules or trust thresholds, with its votes
// and its back-test report.
type RuleProposal struct {
	ID       string        `json:"id"`
	SiteID   string        `json:"siteID"`
	AuthorID string        `json:"authorID"`
	Kind     ProposalKind  `json:"kind"`
	State    ProposalState `json:"state"`
	// RuleID is the rule changed or retired; for ADD_RULE, the new rule once enacted.
	RuleID string `json:"ruleID"`
	// BaseVersion is the rule's version the proposal changes; enacting it when the rule has
	// moved on since is a conflict.
	BaseVersion int        `json:"baseVersion"`
	Name        string     `json:"name"`
	Expression  string     `json:"expression"`
	Effect      RuleEffect `json:"effect"`
	Shadow      bool       `json:"shadow"`
	// Thresholds are the proposed trust thresholds of CHANGE_THRESHOLDS.
	Thresholds *TrustSettings `json:"thresholds"`
	// RollbackOf is the earlier version whose content a rollback restores, 0 otherwise.
	RollbackOf int             `json:"rollbackOf"`
	Rationale  string          `json:"rationale"`
	Votes      []RuleVote      `json:"votes"`
	Tally      VoteTally       `json:"tally"`
	Backtest   *BacktestReport `json:"backtest"`
	CreatedAt  time.Time       `json:"createdAt"`
	OpenedAt   *time.Time      `json:"openedAt"`
	ClosedAt   *time.Time      `json:"closedAt"`
	// EnactAfter is when an approved proposal may be enacted (the site's delay).
	EnactAfter     *time.Time `json:"enactAfter"`
	EnactedAt      *time.Time `json:"enactedAt"`
	EnactedVersion int        `json:"enactedVersion"`
}

// RuleSettings are a site's governance of its rules: who must approve a proposal, after
// what delay it takes effect, and how much a rule may cost to evaluate.
type RuleSettings struct {
	// ModeratorQuorum is how many of the site's moderators must approve (at least 1).
	ModeratorQuorum int `json:"moderatorQuorum"`
	// MemberVotes lets members (the MEMBER role, or trust level 2 and up) vote.
	MemberVotes bool `json:"memberVotes"`
	// MemberQuorum is how many members must approve as well, when MemberVotes is on.
	MemberQuorum int `json:"memberQuorum"`
	// EnactDelaySeconds is how long an approved proposal waits before it may be enacted.
	EnactDelaySeconds int `json:"enactDelaySeconds"`
	// CostLimit bounds a rule's estimated and actual evaluation cost (CEL cost units).
	CostLimit int `json:"costLimit"`
	// Version counts the enactments on the site, so the pipeline knows without a query
	// whether its compiled rules are current. Enacting sets it; settings updates keep it.
	Version int `json:"version"`
}

// Governance defaults and bounds.
const (
	DefaultRuleCostLimit = 1000
	MaxRuleCostLimit     = 100000
	MaxEnactDelaySeconds = 30 * 24 * 3600
)

// DefaultRuleSettings are a site's governance when it chose none: one moderator's approval
// enacts a proposal at once.
func DefaultRuleSettings() RuleSettings {
	return RuleSettings{ModeratorQuorum: 1, CostLimit: DefaultRuleCostLimit}
}

// RuleSettingsOf returns a site's governance, or the defaults.
func RuleSettingsOf(s SiteSettings) RuleSettings {
	if s.Rules == nil {
		return DefaultRuleSettings()
	}
	r := *s.Rules
	if r.CostLimit <= 0 {
		r.CostLimit = DefaultRuleCostLimit
	}
	if r.ModeratorQuorum < 1 {
		r.ModeratorQuorum = 1
	}
	return r
}

// Validate checks the governance settings, naming the field at fault.
func (r RuleSettings) Validate() error {
	switch {
	case r.ModeratorQuorum < 1 || r.ModeratorQuorum > 100:
		return FieldErrorf("moderatorQuorum", "The moderator quorum is 1 to 100.")
	case r.MemberQuorum < 0 || r.MemberQuorum > 10000:
		return FieldErrorf("memberQuorum", "The member quorum is 0 to 10000.")
	case r.EnactDelaySeconds < 0 || r.EnactDelaySeconds > MaxEnactDelaySeconds:
		return FieldErrorf("enactDelaySeconds", "The delay is 0 to %d seconds.", MaxEnactDelaySeconds)
	case r.CostLimit < 1 || r.CostLimit > MaxRuleCostLimit:
		return FieldErrorf("costLimit", "The cost limit is 1 to %d.", MaxRuleCostLimit)
	}
	return nil
}

// BacktestReport is what a proposal would have done over a site's recent comments. It is
// stored with the proposal so that every voter reads the same report.
type BacktestReport struct {
	// Requested and Comments are the comments asked for and those replayed (a site may
	// have fewer).
	Requested int `json:"requested"`
	Comments  int `json:"comments"`
	// ChangedCount counts the comments whose outcome would change; Changed lists up to
	// MaxBacktestChanges of them, newest first.
	ChangedCount int                   `json:"changedCount"`
	Changed      []BacktestChange      `json:"changed"`
	Users        []BacktestLevelChange `json:"users"`
	Agreement    []EffectAgreement     `json:"agreement"`
	DurationMs   int                   `json:"durationMs"`
	RanAt        time.Time             `json:"ranAt"`
	// Method says how the replay approximated the past, for the reader of the report.
	Method string `json:"method"`
}

// BacktestChange is one comment whose outcome the proposal would change.
type BacktestChange struct {
	CommentID string   `json:"commentID"`
	StoryID   string   `json:"storyID"`
	StoryURL  string   `json:"storyURL"`
	Before    Decision `json:"before"`
	After     Decision `json:"after"`
}

// BacktestLevelChange is a user whose trust level the proposal would change.
type BacktestLevelChange struct {
	UserID string     `json:"userID"`
	From   TrustLevel `json:"from"`
	To     TrustLevel `json:"to"`
}

// EffectAgreement compares what one effect would have done with what moderators decided:
// a positive is a comment the effect acts on, and a moderator agreed when they rejected (or,
// for APPROVE, approved) the comment.
type EffectAgreement struct {
	Effect         string   `json:"effect"`
	Predicted      int      `json:"predicted"`
	Decided        int      `json:"decided"`
	TruePositives  int      `json:"truePositives"`
	FalsePositives int      `json:"falsePositives"`
	FalseNegatives int      `json:"falseNegatives"`
	Precision      *float64 `json:"precision"`
	Recall         *float64 `json:"recall"`
}

// ProposalInput proposes a change. Kind decides which fields are read: ADD_RULE reads Name,
// Expression, Effect and Shadow; CHANGE_RULE also RuleID (and, for a rollback, RollbackTo
// in place of the content); RETIRE_RULE reads RuleID; CHANGE_THRESHOLDS reads Thresholds.
type ProposalInput struct {
	SiteID     string
	Kind       ProposalKind
	RuleID     string
	Name       string
	Expression string
	Effect     *RuleEffect
	Shadow     bool
	Thresholds *TrustSettings
	RollbackTo int
	Rationale  string
	// Draft keeps the proposal a DRAFT, which only its author sees and which takes no votes.
	Draft bool
}

// RuleIssue is one problem found in a rule's expression, at a 1-based line and column.
type RuleIssue struct {
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Message string `json:"message"`
}

// RuleCheck is the outcome of checking an expression: its issues, or its estimated cost.
type RuleCheck struct {
	Valid  bool        `json:"valid"`
	Issues []RuleIssue `json:"issues"`
	// CostMax is the static estimate of the worst-case evaluation cost.
	CostMax int `json:"costMax"`
}

// RuleStore keeps rules, proposals and votes. Enactment is one transaction: the new rule
// version, the proposal's state and the site's rules version change together or not at all.
type RuleStore interface {
	// Rules returns the site's rules in force (latest version of each, retired left out).
	Rules(ctx context.Context, siteID string) ([]*Rule, error)
	// RuleVersions returns every version of a rule, newest first; ENOTFOUND when none.
	RuleVersions(ctx context.Context, siteID, ruleID string) ([]*Rule, error)
	// CreateProposal stores a new proposal.
	CreateProposal(ctx context.Context, p *RuleProposal) error
	// Proposal returns one proposal with its votes.
	Proposal(ctx context.Context, id string) (*RuleProposal, error)
	// Proposals lists a site's proposals, newest first, of one state ("" for all).
	Proposals(ctx context.Context, siteID string, state ProposalState) ([]*RuleProposal, error)
	// UpdateProposal runs fn on the proposal locked for update and stores what fn leaves in
	// it (state, times, tally, back-test), with the event fn returns, if any. A vote is
	// stored with it when vote is not nil, replacing the voter's earlier vote.
	UpdateProposal(ctx context.Context, id string, vote *RuleVote, fn func(p *RuleProposal) (EventPayload, error)) (*RuleProposal, error)
	// Enact enacts an approved proposal: it writes the rule's new version (or the site's
	// thresholds), marks the proposal ENACTED and bumps the site's rules version, in one
	// transaction. ECONFLICT when the proposal is no longer APPROVED or its rule has moved
	// past its base version.
	Enact(ctx context.Context, id string, now time.Time) (*RuleProposal, *Rule, error)
	// DueProposals lists up to limit APPROVED proposals of every site whose delay ended by
	// now, the longest-waiting first, for the job that enacts them.
	DueProposals(ctx context.Context, now time.Time, limit int) ([]string, error)
	// SetRuleSettings stores a site's governance, keeping its rules version.
	SetRuleSettings(ctx context.Context, siteID string, s RuleSettings) error
	// BacktestSample returns the site's latest n comments, newest first, with what a
	// back-test replays them with.
	BacktestSample(ctx context.Context, siteID string, n int) ([]BacktestItem, error)
}

// BacktestItem is one stored comment as a back-test replays it.
type BacktestItem struct {
	Comment *Comment
	Story   *Story
	// AuthorCreatedAt is when the author's account was made (zero once it is gone).
	AuthorCreatedAt time.Time
	// Role is the author's role on the site now (roles keep no history).
	Role Role
	// Level is the author's trust level as it stood: the last change before the comment.
	Level TrustLevel
	// Flags are the reason codes the pipeline's other stages raised on the comment.
	Flags []string
	// Human is the last moderator's decision on the comment: DecisionApprove,
	// DecisionReject, or "" when no moderator decided.
	Human Decision
}

// RuleService is the API's side of community rules.
type RuleService interface {
	// Rules lists the rules in force on a site; anyone may read them.
	Rules(ctx context.Context, siteID string) ([]*Rule, error)
	// RuleVersions lists every version of a rule, newest first.
	RuleVersions(ctx context.Context, siteID, ruleID string) ([]*Rule, error)
	// Proposals lists a site's proposals; drafts only to their authors.
	Proposals(ctx context.Context, siteID string, state ProposalState) ([]*RuleProposal, error)
	// CheckRule checks an expression and effect as proposeRule would.
	CheckRule(ctx context.Context, siteID, expression string) (*RuleCheck, error)
	// Propose makes a proposal, OPEN or a DRAFT; those who may vote may propose.
	Propose(ctx context.Context, in ProposalInput) (*RuleProposal, error)
	// Open opens a draft for votes.
	Open(ctx context.Context, id string) (*RuleProposal, error)
	// Vote records the viewer's vote (replacing an earlier one) and decides the proposal
	// when the quorum is reached: EFORBIDDEN for those not eligible, ECLOSED once decided.
	Vote(ctx context.Context, id string, approve bool) (*RuleProposal, error)
	// Backtest replays the proposal over the site's latest comments and stores the report.
	Backtest(ctx context.Context, id string, comments int) (*RuleProposal, error)
	// Enact enacts an approved proposal after the site's delay; ECONFLICT when another
	// enactment changed its rule first.
	Enact(ctx context.Context, id string) (*RuleProposal, error)
	// Withdraw withdraws the author's draft or open proposal.
	Withdraw(ctx context.Context, id string) (*RuleProposal, error)
	// Governance returns a site's rule settings; SetGovernance changes them (admins only).
	Governance(ctx context.Context, siteID string) (RuleSettings, error)
	// TrustThresholds returns the trust thresholds in force on a site (the defaults when it
	// never changed them), which a CHANGE_THRESHOLDS proposal starts from; anyone may read
	// them, as the rules readers are held to.
	TrustThresholds(ctx context.Context, siteID string) (TrustSettings, error)
	SetGovernance(ctx context.Context, siteID string, s RuleSettings) (RuleSettings, error)
	// ProposalEvents delivers a site's proposal changes and enactments, for its dashboard.
	ProposalEvents(ctx context.Context, siteID string) (<-chan *ProposalEvent, error)
}

// ProposalEvent is a change of a proposal as a live dashboard receives it.
type ProposalEvent struct {
	// Kind is EventProposalChanged or EventRuleEnacted.
	Kind     string
	Proposal *RuleProposal
}
