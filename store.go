package parley

import "context"

// The interfaces below are the storage side of services whose rules live in a capability's
// package (package moderation puts the pipeline, the report threshold and what a ban does
// on top of them). Storage stores and offers primitives; it does not decide. Each one also
// answers its service's interface with no rule applied, which is what a deployment without
// moderation, and storage's own tests, get.

// Draft is a new comment or an edit that storage has prepared for the moderation pipeline:
// the Submission the pipeline judges, and what storage needs to write the comment after it.
// Storage prepares a draft with no lock held and no transaction open, so the pipeline may
// take its time; the write then makes sure that nothing changed meanwhile.
type Draft struct {
	Submission
	// Version is the edited comment's version when the edit was prepared (0 for a new
	// comment). The write refuses the edit with ECONFLICT when the comment has another one by
	// then: another edit or a moderator's decision came first.
	Version int
	// RepliedToAuthorID is the author of the comment a reply answers, who is told of it; the
	// reply may hang below an ancestor instead when the thread is at its depth limit.
	RepliedToAuthorID string
}

// Unchanged reports whether an edit leaves the body as it was: there is then nothing to
// judge and nothing to write.
func (d *Draft) Unchanged() bool {
	return d.Action == ActionEdit && d.Previous != nil && d.Comment.BodySource == d.Previous.BodySource
}

// CommentStore is the storage of comments. Its CommentService methods publish every new or
// edited comment; a moderated service instead prepares a draft, runs the pipeline outside
// any transaction, then writes the draft with the pipeline's outcome.
type CommentStore interface {
	CommentService
	// PrepareComment validates a new comment and reads, in one round trip, what judging it
	// needs: its story and site settings, its place in the thread, and its author's role,
	// history and sanctions on the site. The comment is rendered and has its ID.
	PrepareComment(ctx context.Context, in CreateCommentInput) (*Draft, error)
	// PrepareEdit does the same for an edit by the comment's author, within the site's edit
	// window. An edit that leaves the body as it was gives an Unchanged draft.
	PrepareEdit(ctx context.Context, in EditCommentInput) (*Draft, error)
	// InsertComment writes a new comment with its status from m (published when m is nil),
	// its decision trail, counters and event, all or nothing. A story closed since the draft
	// was prepared is ECLOSED.
	InsertComment(ctx context.Context, d *Draft, m *Moderation) (*Comment, error)
	// UpdateComment writes an edit likewise, keeping the old body as a revision. A comment
	// whose version is no longer the draft's is ECONFLICT, and nothing is written.
	UpdateComment(ctx context.Context, d *Draft, m *Moderation) (*Comment, error)
}

// ActionReason is what the moderators' log records with an action that a rule, rather than
// someone's judgement of the one comment, led to: a reason code and a note in words.
type ActionReason struct {
	Reason string
	Note   string
}

// HoldRule is a site's rule on reported comments. Storage calls it inside the report's
// transaction with the reported comment (its new report count included), the summed weight
// of its reports (this one included) and the site's settings; it must only compute. A non-nil
// answer holds the published comment for review, logged with no moderator and with the
// answer's reason and note.
type HoldRule func(c *Comment, weight float64, settings SiteSettings) *ActionReason

// ReportWeight is how much one report counts toward its site's report threshold, as the
// site's community rules (REPORT_WEIGHT) set it for the reporter, so a community can count
// some readers' reports for more or less than one. It is stored with the report.
type ReportWeight struct {
	// Weight is 1 when no rule sets it, and never negative; 0 records the report without
	// letting it hold anything.
	Weight float64
	// Rule names the rule version that set the weight ("rule/<id>@<version>"), empty when
	// none did.
	Rule string
}

// DefaultReportWeight is the weight of a report that no community rule weighs.
var DefaultReportWeight = ReportWeight{Weight: 1}

// ReportStore is the storage of reports. Its ReportService methods record reports and
// hold nothing.
type ReportStore interface {
	ReportService
	// RecordReport records the caller's report with its weight and, in the same transaction,
	// holds the comment when hold (which may be nil) says so.
	RecordReport(ctx context.Context, in ReportInput, weight ReportWeight, hold HoldRule) (*Comment, error)
}

// SanctionStore is the storage of sanctions. Its SanctionService methods impose a sanction
// and leave the user's comments as they are, whatever SanctionInput.RejectExisting says.
type SanctionStore interface {
	SanctionService
	// ImposeSanction writes a sanction and its event. With reject, it also rejects in the
	// same transaction the user's published and pending comments within the sanction's reach
	// (its site, or every site), each logged as the caller's rejection with reject's reason
	// and note.
	ImposeSanction(ctx context.Context, in SanctionInput, reject *ActionReason) (*Sanction, error)
}
