package moderation

import (
	"context"
	"fmt"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/markup"
)

// Reason codes of the trust level effects. Each names the level, so a trail or a log says
// which level made the difference.
const (
	// FlagTrustNew holds a level 0 author's comment where the site pre-moderates new
	// commenters.
	FlagTrustNew = "TRUST_LEVEL_0"
	// FlagTrustNewLinks holds a level 0 author's comment with a link where the site holds
	// new commenters' links.
	FlagTrustNewLinks = "TRUST_LEVEL_0_LINKS"
	// FlagTrustedLinks marks a comment whose links were published without the site's link
	// hold because its author is at level 2 or more.
	FlagTrustedLinks = "TRUST_LEVEL_2_LINKS"
	// FlagFollowedLinks marks a comment whose links lost rel=nofollow because its author is
	// at level 3 or more.
	FlagFollowedLinks = "TRUST_LEVEL_3_FOLLOW"
	// ReasonTrustedReport is the reason logged when a level 3 reader's report holds a
	// comment at once.
	ReasonTrustedReport = "TRUST_LEVEL_3_REPORT"
)

// hasLink reports whether a rendered body holds a link a reader could click.
func hasLink(body string) bool { return strings.Contains(body, "<a ") }

// NewLevel applies the site's treatment of trust level 0 authors: it holds every comment
// (PREMOD) or those with links (HOLD_LINKS), and passes everyone else.
func NewLevel() Stage {
	return stageFunc{"trust_level_0", func(s *parley.Submission) parley.Verdict {
		if s.History.TrustLevel != parley.TrustNew {
			return pass
		}
		switch s.Settings.TrustEffects.Treatment() {
		case parley.TreatPremod:
			return parley.Verdict{Decision: parley.DecisionHold, Flags: []string{FlagTrustNew},
				Evidence: "The author is at trust level 0 (new) on this site, and the site reviews new commenters' comments first."}
		case parley.TreatHoldLinks:
			if hasLink(s.Comment.Body) {
				return parley.Verdict{Decision: parley.DecisionHold, Flags: []string{FlagTrustNewLinks},
					Evidence: "The author is at trust level 0 (new) on this site, and the site reviews new commenters' links first."}
			}
		}
		return pass
	}}
}

// trustedLinks is the pass premod_links gives an author whose level lifts the link hold.
func trustedLinks(l parley.TrustLevel) parley.Verdict {
	return parley.Verdict{Decision: parley.DecisionPass, Flags: []string{FlagTrustedLinks}, Score: float64(l),
		Evidence: fmt.Sprintf("The author is at trust level %d; links of level %d and up are published without a hold.", l, parley.LevelForFreeLinks)}
}

// followLinks takes nofollow off the links of a comment whose author is at level 3 or more
// and that the pipeline did not reject, and adds a trail entry saying why.
func followLinks(d *parley.Draft, m *parley.Moderation) {
	if d.History.TrustLevel < parley.LevelForFollowedLinks || m.Decision == parley.DecisionReject || !hasLink(d.Comment.Body) {
		return
	}
	d.Comment.Body = markup.FollowLinks(d.Comment.Body)
	m.Trail = append(m.Trail, parley.StageResult{Stage: "trust_links", Verdict: parley.Verdict{
		Decision: parley.DecisionPass, Flags: []string{FlagFollowedLinks}, Score: float64(d.History.TrustLevel),
		Evidence: fmt.Sprintf("The author is at trust level %d; links of level %d and up are published without rel=nofollow.", d.History.TrustLevel, parley.LevelForFollowedLinks),
	}})
}

// CanReport applies the site's rule on who may report: trust level 1 and up, anyone when
// the site lets new readers report, and always the site's members and staff by role.
func CanReport(st parley.ReportStanding) error {
	if st.Level >= parley.LevelToReport || st.Settings.TrustEffects.NewMayReport || st.Role.AtLeast(parley.RoleMember) {
		return nil
	}
	return parley.Errorf(parley.EFORBIDDEN,
		"New readers cannot report comments yet on this site: reporting opens at trust level 1, after your first published comment.")
}

// reportHold is the report's hold rule for a reporter at level whose reports weigh w: a
// report from level 3 or more holds the comment at once, unless a community rule weighs it
// below 1; otherwise the site's report threshold decides on the summed weights, and a report
// of weight 0 never holds.
func reportHold(level parley.TrustLevel, w parley.ReportWeight) parley.HoldRule {
	if level < parley.LevelForHoldingReports || w.Weight < 1 {
		return weighedThreshold(w)
	}
	return func(c *parley.Comment, _ float64, s parley.SiteSettings) *parley.ActionReason {
		if c.Status != parley.StatusPublished {
			return nil
		}
		return &parley.ActionReason{Reason: ReasonTrustedReport,
			Note: fmt.Sprintf("A reader at trust level %d reported it; reports from level %d and up hold a comment at once.", level, parley.LevelForHoldingReports)}
	}
}

// reportWithStanding records a report after the reporter's standing allowed it.
func (s *ReportService) reportWithStanding(ctx context.Context, in parley.ReportInput) (*parley.Comment, error) {
	u := parley.UserFromContext(ctx)
	if u == nil {
		return nil, parley.Errorf(parley.EUNAUTHENTICATED, "Sign in to report a comment.")
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	st, err := s.levels.ReportStanding(ctx, in.CommentID, u.ID)
	if err != nil {
		return nil, err
	}
	if err := CanReport(st); err != nil {
		return nil, err
	}
	w := parley.DefaultReportWeight
	if s.weigher != nil {
		if w, err = s.weigher.ReportWeight(ctx, st, u.ID); err != nil {
			return nil, fmt.Errorf("weigh the report: %w", err)
		}
	}
	return s.RecordReport(ctx, in, w, reportHold(st.Level, w))
}
