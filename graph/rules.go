package graph

import (
	"github.com/parleyhq/parley"
)

// errNoRules answers rule questions on a server built without the rule service.
var errNoRules = parley.Errorf(parley.ENOTFOUND, "Community rules are not kept on this server.")

// ruleEffect translates an effect into its GraphQL shape, with only its kind's argument set.
func ruleEffect(e parley.RuleEffect) *RuleEffect {
	out := &RuleEffect{Kind: e.Kind}
	switch e.Kind {
	case parley.EffectFlag:
		out.Code = &e.Code
	case parley.EffectLevelFloor, parley.EffectLevelCeiling:
		out.Level = &e.Level
	case parley.EffectReportWeight:
		out.Weight = &e.Weight
	case parley.EffectRate:
		out.PerMinute = &e.PerMinute
	}
	return out
}

// effectInput translates an effect input; nil stays nil.
func effectInput(in *RuleEffectInput) *parley.RuleEffect {
	if in == nil {
		return nil
	}
	e := &parley.RuleEffect{Kind: in.Kind, Code: deref(in.Code)}
	if in.Level != nil {
		e.Level = *in.Level
	}
	if in.Weight != nil {
		e.Weight = *in.Weight
	}
	if in.PerMinute != nil {
		e.PerMinute = *in.PerMinute
	}
	return e
}

// proposalInput translates proposeRule's input.
func proposalInput(in ProposeRuleInput) parley.ProposalInput {
	out := parley.ProposalInput{SiteID: in.SiteID, Kind: in.Kind, RuleID: deref(in.RuleID), Name: deref(in.Name),
		Expression: deref(in.Expression), Effect: effectInput(in.Effect), Thresholds: in.Thresholds, Rationale: in.Rationale}
	if in.Shadow != nil {
		out.Shadow = *in.Shadow
	}
	if in.RollbackTo != nil {
		out.RollbackTo = *in.RollbackTo
	}
	if in.Draft != nil {
		out.Draft = *in.Draft
	}
	return out
}
