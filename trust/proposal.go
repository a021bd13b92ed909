package trust

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/parleyhq/parley"
)

// proposal builds a proposal's content from the input, checking every field.
func (s *Rules) proposal(ctx context.Context, in parley.ProposalInput, gov parley.RuleSettings) (*parley.RuleProposal, error) {
	in.Rationale = strings.TrimSpace(in.Rationale)
	switch {
	case in.Rationale == "":
		return nil, parley.FieldErrorf("rationale", "Say why the change is wanted.")
	case utf8.RuneCountInString(in.Rationale) > parley.MaxRationaleLength:
		return nil, parley.FieldErrorf("rationale", "A rationale is at most %d characters long.", parley.MaxRationaleLength)
	}
	p := &parley.RuleProposal{Kind: in.Kind, Rationale: in.Rationale}
	var current *parley.Rule
	var versions []*parley.Rule
	switch in.Kind {
	case parley.ProposalAddRule:
	case parley.ProposalChangeRule, parley.ProposalRetireRule:
		if in.RuleID == "" {
			return nil, parley.FieldErrorf("ruleID", "Name the rule to %s.", map[bool]string{true: "retire", false: "change"}[in.Kind == parley.ProposalRetireRule])
		}
		var err error
		if versions, err = s.RuleVersions(ctx, in.SiteID, in.RuleID); err != nil {
			return nil, notFound(err, "Rule not found.")
		}
		current = versions[0]
		if current.Retired {
			return nil, parley.Errorf(parley.ENOTFOUND, "Rule not found.")
		}
		p.RuleID, p.BaseVersion = current.ID, current.Version
	case parley.ProposalChangeThresholds:
		if in.Thresholds == nil {
			return nil, parley.FieldErrorf("thresholds", "Give the proposed thresholds.")
		}
		if err := in.Thresholds.Validate(); err != nil {
			return nil, parley.FieldErrorf("thresholds", "%s", parley.ErrorMessage(err))
		}
		p.Thresholds = in.Thresholds
		return p, nil
	default:
		return nil, parley.FieldErrorf("kind", "Unknown proposal kind %q.", in.Kind)
	}
	if in.Kind == parley.ProposalRetireRule {
		p.Name, p.Expression, p.Effect, p.Shadow = current.Name, current.Expression, current.Effect, current.Shadow
		return p, nil
	}
	if in.RollbackTo != 0 {
		if in.Kind != parley.ProposalChangeRule {
			return nil, parley.FieldErrorf("rollbackTo", "Only a CHANGE_RULE proposal rolls back.")
		}
		var old *parley.Rule
		for _, v := range versions {
			if v.Version == in.RollbackTo && v.Version != current.Version {
				old = v
			}
		}
		if old == nil || old.Retired {
			return nil, parley.FieldErrorf("rollbackTo", "The rule has no earlier version %d to restore.", in.RollbackTo)
		}
		p.Name, p.Expression, p.Effect, p.Shadow, p.RollbackOf = old.Name, old.Expression, old.Effect, old.Shadow, old.Version
		return p, nil
	}
	p.Name, p.Expression, p.Shadow = strings.TrimSpace(in.Name), in.Expression, in.Shadow
	if in.Effect != nil {
		p.Effect = *in.Effect
	}
	if current != nil {
		if p.Name == "" {
			p.Name = current.Name
		}
		if p.Expression == "" {
			p.Expression = current.Expression
		}
		if in.Effect == nil {
			p.Effect = current.Effect
		}
	}
	inForce, err := s.store.Rules(ctx, in.SiteID)
	if err != nil {
		return nil, err
	}
	if in.Kind == parley.ProposalAddRule && len(inForce) >= parley.MaxRulesPerSite {
		return nil, parley.FieldErrorf("kind", "The site has %d rules, the most it may have; retire one first.", parley.MaxRulesPerSite)
	}
	for _, r := range inForce {
		if strings.EqualFold(r.Name, p.Name) && r.ID != p.RuleID {
			return nil, parley.FieldErrorf("name", "The site already has a rule named %q.", r.Name)
		}
	}
	switch {
	case p.Name == "":
		return nil, parley.FieldErrorf("name", "A rule needs a name.")
	case utf8.RuneCountInString(p.Name) > parley.MaxRuleNameLength:
		return nil, parley.FieldErrorf("name", "A rule's name is at most %d characters long.", parley.MaxRuleNameLength)
	case p.Effect.Kind == "":
		return nil, parley.FieldErrorf("effect", "A rule needs an effect.")
	}
	if err := p.Effect.Validate(); err != nil {
		return nil, err
	}
	if err := CheckError(s.engine.Check(p.Expression, gov.CostLimit)); err != nil {
		return nil, err
	}
	return p, nil
}
