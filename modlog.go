package parley

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"time"
)

// LogKind names what one entry of the public moderation log reports.
type LogKind string

// Log entry kinds. The RULE_* kinds are written by the rule proposals code through the
// moderation_log table (see postgres.AppendModerationLog); the others are read from the
// decisions, sanctions and pins themselves.
const (
	// LogDecisions counts the decisions of one day taken for one reason.
	LogDecisions LogKind = "DECISIONS"
	// LogSanction is one sanction of a user.
	LogSanction LogKind = "SANCTION"
	// LogLevelPin is one moderator's pin (or unpin) of a user's trust level.
	LogLevelPin LogKind = "LEVEL_PIN"
	// LogRuleProposal is a rule proposal opened, approved, rejected or withdrawn.
	LogRuleProposal LogKind = "RULE_PROPOSAL"
	// LogRuleVotes is a proposal's vote tally when its vote closed.
	LogRuleVotes LogKind = "RULE_VOTES"
	// LogRuleEnacted is a rule (or threshold) change that took effect.
	LogRuleEnacted LogKind = "RULE_ENACTED"
)

// DecidedBy tells who took the decisions a DECISIONS entry counts.
type DecidedBy string

// Deciders of DECISIONS entries.
const (
	// DecidedByModerators counts moderators' decisions, and holds a site's rules made on
	// published comments (such as its report threshold).
	DecidedByModerators DecidedBy = "MODERATORS"
	// DecidedByPipeline counts the holds and rejections of the moderation pipeline when a
	// comment was posted or edited.
	DecidedByPipeline DecidedBy = "PIPELINE"
)

// CommunityLogKind reports whether k is one of the kinds the rule proposals code writes.
func CommunityLogKind(k LogKind) bool {
	return k == LogRuleProposal || k == LogRuleVotes || k == LogRuleEnacted
}

// RuleLogPayload is what the proposals code stores with a RULE_* entry; every field is
// public. Fields that do not apply stay empty.
type RuleLogPayload struct {
	ProposalID string `json:"proposalID,omitempty"`
	// Rule names the rule (or threshold) the proposal changes.
	Rule string `json:"rule,omitempty"`
	// State is the proposal's state after the change, such as OPEN or ENACTED.
	State string `json:"state,omitempty"`
	// Version is the rule version an enactment made.
	Version  int `json:"version,omitempty"`
	VotesFor int `json:"votesFor,omitempty"`
	// VotesAgainst counts the votes against the proposal.
	VotesAgainst int `json:"votesAgainst,omitempty"`
	// Summary is one public sentence, such as the proposal's title.
	Summary string `json:"summary,omitempty"`
}

// LogEntry is one entry of a site's public moderation log. Storage fills every name it
// knows; the log service blanks those the site keeps private before anyone sees them.
type LogEntry struct {
	// Key orders entries that share At and makes the cursor.
	Key  string
	Kind LogKind
	At   time.Time

	// DECISIONS: who decided, the UTC day, the action (APPROVE, REJECT, HOLD …), its
	// reason (for the pipeline, the stage that decided) and count.
	By     DecidedBy
	Day    time.Time
	Action string
	Reason string
	Count  int

	// SANCTION: its kind and end; LEVEL_PIN: the levels.
	SanctionKind SanctionKind
	ExpiresAt    *time.Time
	FromLevel    TrustLevel
	ToLevel      *TrustLevel
	// Unpinned tells a LEVEL_PIN that lifted a pin (ToLevel is then what the user earns).
	Unpinned bool

	// Username and Moderator name the people, "" when hidden (or unknown).
	Username  string
	Moderator string

	// Rule is set for the RULE_* kinds.
	Rule *RuleLogPayload
}

// LogCursor marks a position in the log: the At and Key of the last entry seen.
type LogCursor struct {
	At  time.Time `json:"t"`
	Key string    `json:"k"`
}

// Encode returns the cursor as an opaque string.
func (c LogCursor) Encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Cursor returns the cursor that follows e.
func (e *LogEntry) Cursor() string { return LogCursor{At: e.At, Key: e.Key}.Encode() }

// MaxLogKey bounds a log cursor's key.
const MaxLogKey = 160

// DecodeLogCursor parses a cursor from a client; anything it could not have made is
// INVALID naming the after field.
func DecodeLogCursor(s string) (*LogCursor, error) {
	bad := FieldErrorf("after", "The cursor is not valid; start again from the first page.")
	if len(s) > MaxCursorLength*2 {
		return nil, bad
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, bad
	}
	var c LogCursor
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, bad
	}
	if c.At.Before(MinCursorTime) || c.At.After(MaxCursorTime) || c.Key == "" || len(c.Key) > MaxLogKey {
		return nil, bad
	}
	return &c, nil
}

// LogPage is one page of the log, newest first.
type LogPage struct {
	Entries []*LogEntry
	HasNext bool
}

// Bounds on a log page: those of every connection, so the complexity limit prices it right.
const (
	DefaultLogPage = DefaultPageSize
	MaxLogPage     = MaxPageSize
)

// ModerationLogStore reads a site's log from what storage keeps; it returns every name it
// has and decides nothing.
type ModerationLogStore interface {
	// ModerationLog returns up to first entries after the cursor (nil: from the newest).
	ModerationLog(ctx context.Context, siteID string, first int, after *LogCursor) (*LogPage, error)
}

// ModerationLogService answers the public log: anyone may read it, signed in or not.
type ModerationLogService interface {
	// ModerationLog returns a page of a site's log; first is 1 to MaxLogPage (0 means
	// DefaultLogPage) and after an opaque cursor ("" for the first page).
	ModerationLog(ctx context.Context, siteID string, first int, after string) (*LogPage, error)
}
