package trust

import (
	"context"
	"fmt"

	"github.com/parleyhq/parley"
)

var _ parley.ReportWeigher = (*Stage)(nil)

// ReportWeight implements parley.ReportWeigher: it evaluates the site's REPORT_WEIGHT rules
// (the lowest weight of those that hold wins) on the reporter's signals, level and role, with
// the comment's fields empty. A rule that fails to evaluate leaves the default weight, as a
// failing level rule leaves the level unbounded: a reader's report is never refused because a
// rule broke.
func (s *Stage) ReportWeight(ctx context.Context, st parley.ReportStanding, userID string) (parley.ReportWeight, error) {
	set, err := s.ruleSet(ctx, st.SiteID, parley.RuleSettingsOf(st.Settings))
	if err != nil {
		return parley.ReportWeight{}, err
	}
	if !set.has(parley.EffectReportWeight) {
		return parley.DefaultReportWeight, nil
	}
	now := s.now()
	f := &Facts{Sub: &parley.Submission{Comment: &parley.Comment{SiteID: st.SiteID}, Settings: st.Settings,
		Author: &parley.User{ID: userID}, Role: st.Role, History: parley.AuthorHistory{TrustLevel: st.Level}}, Now: now}
	if set.NeedsSignals() {
		sig, err := s.signals.TrustSignals(ctx, st.SiteID, userID, now)
		if err != nil {
			return parley.ReportWeight{}, fmt.Errorf("read the reporter's signals: %w", err)
		}
		f.Signals = &sig
	}
	standing, _, err := set.Bounds(f)
	if err != nil || standing.ReportWeight == nil {
		return parley.DefaultReportWeight, nil
	}
	return parley.ReportWeight{Weight: *standing.ReportWeight, Rule: standing.ReportWeightRule}, nil
}

// has reports whether a rule in force (not in shadow) has the effect kind, so the effects
// outside the pipeline cost nothing on a site without such rules.
func (rs *RuleSet) has(kind parley.RuleEffectKind) bool {
	for _, c := range rs.Rules {
		if c.Rule.Effect.Kind == kind && !c.Rule.Shadow {
			return true
		}
	}
	return false
}
