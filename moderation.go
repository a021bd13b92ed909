package parley

import (
	"context"
	"time"
)

// Decision is what a moderation stage, or the pipeline as a whole, says about a comment.
type Decision string

// Decisions. PASS lets the next stage decide; the first APPROVE, HOLD or REJECT ends a run.
// A run in which every stage passes publishes the comment.
const (
	DecisionPass    Decision = "PASS"
	DecisionApprove Decision = "APPROVE"
	DecisionHold    Decision = "HOLD"
	DecisionReject  Decision = "REJECT"
)

// Status is the comment status a final decision leads to.
func (d Decision) Status() CommentStatus {
	switch d {
	case DecisionHold:
		return StatusPending
	case DecisionReject:
		return StatusRejected
	}
	return StatusPublished
}

// StageVerifiedEmail names the stage that holds a first comment until its author verifies
// their email address. A comment it decided is held for that reason alone, so verifying the
// address publishes it (parley.RecoveryStore.VerifyEmail).
const StageVerifiedEmail = "verified_email"

// ReasonEmailVerified is the reason of the approval Parley records when a comment held only
// for its author's unverified address is published because the address was verified.
const ReasonEmailVerified = "EMAIL_VERIFIED"

// Verdict is one stage's answer: a decision with the reasons behind it, so that moderators,
// the author and the public log can be told why.
type Verdict struct {
	Decision Decision `json:"decision"`
	// Flags are reason codes, such as "LINKS" or "BANNED_WORD".
	Flags []string `json:"flags,omitempty"`
	// Score is a stage's confidence or measure (a spam probability, a rate), when it has one.
	Score float64 `json:"score,omitempty"`
	// Evidence says in words what the stage saw, for moderators.
	Evidence string `json:"evidence,omitempty"`
	// Version names the rule, list or model version that decided.
	Version string `json:"version,omitempty"`
}

// SubmissionAction tells a new comment from an edit.
type SubmissionAction string

// Submission actions.
const (
	ActionCreate SubmissionAction = "CREATE"
	ActionEdit   SubmissionAction = "EDIT"
)

// AuthorHistory is what the pipeline knows of a comment's author on the comment's site.
// Counts are bounded (at the site's new-commenter threshold, and at least 20) so that reading
// them costs the same for every author.
type AuthorHistory struct {
	Published int
	Pending   int
	Rejected  int
	// RecentRejected and RecentTotal count the author's last 100 decided comments of the
	// last 30 days, on a site that holds comments on a rejection rate
	// (SiteSettings.HoldRejectionRate); elsewhere nothing reads them, and they are zero.
	RecentRejected int
	RecentTotal    int
	// SameBodyRecently tells whether the author posted the same text on the site in the
	// last few minutes.
	SameBodyRecently bool
	// Sanctions are the author's active sanctions on the site, instance-wide ones included.
	Sanctions []*Sanction
	// TrustLevel is the author's trust level on the site (pinned or earned), for stages that
	// treat new and trusted authors differently.
	TrustLevel TrustLevel
}

// Submission is what a pipeline judges: the comment as it would be stored (rendered body,
// place in the thread), where it goes, who wrote it and with which standing.
type Submission struct {
	Action   SubmissionAction
	Comment  *Comment
	Story    *Story
	Settings SiteSettings
	Author   *User
	Role     Role
	History  AuthorHistory
	// Previous is the comment as it stood before an edit; nil for a new comment.
	Previous *Comment
	// Flags are the reason codes raised so far in this run by earlier stages (shadow ones
	// left out), so that a later stage, such as the community rules, can build on them.
	Flags []string
	// Site is what storage read about the site with the draft, in the same round trip; nil
	// when it was not read, and stages then ask for what they need.
	Site *SiteFacts
}

// SiteFacts are what stages would otherwise each ask storage for on every comment, read with
// the draft so that a stage with nothing to do (a site that subscribes to no labels, a spam
// model still learning) costs no round trip.
type SiteFacts struct {
	// LabelSubscriptions counts the site's subscriptions to peers' labels (those of
	// defederated peers left out).
	LabelSubscriptions int
	// SpamDocs are the documents the site's spam model has learnt from, in each class.
	SpamDocs SpamCounts
}

// StageResult is one entry of a decision trail: what one stage said, how long it took, and
// whether it failed or ran in shadow mode (recorded, without effect).
type StageResult struct {
	Stage    string        `json:"stage"`
	Verdict  Verdict       `json:"verdict"`
	Duration time.Duration `json:"durationNs"`
	Error    string        `json:"error,omitempty"`
	Shadow   bool          `json:"shadow,omitempty"`
}

// Moderation is the pipeline's outcome for one submission: the final decision and the trail
// of every stage that ran.
type Moderation struct {
	Decision Decision
	// DecidedBy names the stage whose verdict ended the run, "" when every stage passed.
	DecidedBy string
	Trail     []StageResult
}

// Moderator judges submissions. The comment service asks it before it writes, and stores
// its trail in the same transaction as the comment.
type Moderator interface {
	Moderate(ctx context.Context, s *Submission) (*Moderation, error)
	// StageNames lists the stages a site may put in its pipeline.
	StageNames() []string
	// DefaultPipeline is what a site that chooses no stages runs, in order, with each
	// stage's policies, so a dashboard can show the pipeline in force.
	DefaultPipeline() []StageSetting
	// CanBeWrong reports whether a stage judges what comments say, so that its agreement
	// with moderators measures its accuracy; rules that apply settings as written cannot be
	// wrong, and a dashboard should not grade them.
	CanBeWrong(stage string) bool
}

// ModerationRecord is one stored decision on a comment, with its trail.
type ModerationRecord struct {
	ID        string
	CommentID string
	Action    SubmissionAction
	Decision  Decision
	DecidedBy string
	Trail     []StageResult
	CreatedAt time.Time
}
