package moderation

import (
	"context"
	"fmt"
	"strconv"

	"github.com/parleyhq/parley"
)

// ReportService implements parley.ReportService with the site's report threshold: a
// published comment that as many readers reported as the site's ReportHoldThreshold is held
// for a moderator, in the same transaction as the report that reached it.
type ReportService struct {
	parley.ReportStore
	levels  parley.TrustLevels
	weigher parley.ReportWeigher
}

// NewReportService returns store's reports with the report threshold applied.
func NewReportService(store parley.ReportStore) *ReportService {
	return &ReportService{ReportStore: store}
}

// WithTrust applies the trust levels' effects on reports as well: reporting opens at level
// 1 (unless the site lets new readers report) and a report from level 3 holds the comment.
func (s *ReportService) WithTrust(levels parley.TrustLevels) *ReportService {
	s.levels = levels
	return s
}

var _ parley.ReportService = (*ReportService)(nil)

// WithWeights counts each report toward the threshold with the weight the site's community
// rules (REPORT_WEIGHT) give its reporter; it needs WithTrust, which reads the reporter's
// standing the rules are evaluated on.
func (s *ReportService) WithWeights(w parley.ReportWeigher) *ReportService {
	s.weigher = w
	return s
}

// ReportComment records the report and applies the threshold.
func (s *ReportService) ReportComment(ctx context.Context, in parley.ReportInput) (*parley.Comment, error) {
	if s.levels != nil {
		return s.reportWithStanding(ctx, in)
	}
	return s.RecordReport(ctx, in, parley.DefaultReportWeight, ReportThreshold)
}

// ReasonReports is the reason code logged when the report threshold holds a comment.
const ReasonReports = "REPORTS"

// ReportThreshold is the report threshold as a parley.HoldRule: it holds a published
// comment once the summed weight of its reports reaches the site's ReportHoldThreshold (0
// turns it off). With no community rule weighing reports, each weighs 1 and the weight is
// the number of readers who reported.
func ReportThreshold(c *parley.Comment, weight float64, s parley.SiteSettings) *parley.ActionReason {
	if s.ReportHoldThreshold == 0 || weight < float64(s.ReportHoldThreshold) || c.Status != parley.StatusPublished {
		return nil
	}
	note := fmt.Sprintf("%d readers reported it; the site holds comments from %d reports.", c.ReportCount, s.ReportHoldThreshold)
	if weight != float64(c.ReportCount) {
		note = fmt.Sprintf("%d readers reported it, weighing %s in all under the community's report weights; the site holds comments from %d reports.",
			c.ReportCount, strconv.FormatFloat(weight, 'g', 4, 64), s.ReportHoldThreshold)
	}
	return &parley.ActionReason{Reason: ReasonReports, Note: note}
}

// weighedThreshold is the report threshold for a report whose weight a community rule set:
// the note also names the rule version, so the moderators' log says why the report counted
// as it did. A report of weight 0 never holds.
func weighedThreshold(w parley.ReportWeight) parley.HoldRule {
	if w.Rule == "" {
		return ReportThreshold
	}
	return func(c *parley.Comment, weight float64, s parley.SiteSettings) *parley.ActionReason {
		if w.Weight == 0 {
			return nil
		}
		why := ReportThreshold(c, weight, s)
		if why != nil {
			why.Note += fmt.Sprintf(" The last report weighed %s (%s).", strconv.FormatFloat(w.Weight, 'g', 4, 64), w.Rule)
		}
		return why
	}
}

// SanctionService implements parley.SanctionService with what a ban does to the comments
// a user already wrote: when the moderator asks (SanctionInput.RejectExisting), they are
// rejected with the ban, in the same transaction.
type SanctionService struct {
	parley.SanctionStore
}

// NewSanctionService returns store's sanctions with the ban's rule applied.
func NewSanctionService(store parley.SanctionStore) *SanctionService {
	return &SanctionService{SanctionStore: store}
}

var _ parley.SanctionService = (*SanctionService)(nil)

// ReasonBannedUser is the reason code logged with the comments rejected along with a ban.
const ReasonBannedUser = "BANNED_USER"

// Sanction imposes the sanction; a ban with RejectExisting also rejects the user's published
// and pending comments on the ban's site (every site for an instance-wide ban).
func (s *SanctionService) Sanction(ctx context.Context, in parley.SanctionInput) (*parley.Sanction, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var reject *parley.ActionReason
	if in.Kind == parley.SanctionBan && in.RejectExisting {
		reject = &parley.ActionReason{Reason: ReasonBannedUser, Note: "Rejected with the author's ban."}
	}
	return s.ImposeSanction(ctx, in, reject)
}
