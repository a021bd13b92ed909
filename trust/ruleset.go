package trust

import (
	"fmt"
	"strings"

	"github.com/parleyhq/parley"
)

// RuleSet is a site's rules compiled at one rules version, evaluated together on each
// comment.
type RuleSet struct {
	Rules []*Compiled
	// signals is true when some rule reads the author's signals.
	signals bool
}

// RuleSet compiles the rules in force (retired versions left out) against a cost limit;
// each rule version is compiled once and cached.
func (e *Engine) RuleSet(rules []*parley.Rule, costLimit int) (*RuleSet, error) {
	rs := &RuleSet{}
	for _, r := range rules {
		if r.Retired {
			continue
		}
		c, err := e.Compile(r, costLimit)
		if err != nil {
			return nil, fmt.Errorf("rule %q: %w", r.Name, err)
		}
		rs.add(c)
	}
	return rs, nil
}

func (rs *RuleSet) add(c *Compiled) {
	rs.Rules = append(rs.Rules, c)
	rs.signals = rs.signals || c.signals
}

// NeedsSignals reports whether any rule reads the author's signals beyond level and role.
func (rs *RuleSet) NeedsSignals() bool { return rs != nil && rs.signals }

// Standing is what the rules that hold say about the author's standing: bounds on the trust
// level, the weight of their reports and a rate of comments. Zero fields say nothing.
type Standing struct {
	LevelFloor    *parley.TrustLevel
	LevelCeiling  *parley.TrustLevel
	ReportWeight  *float64
	RatePerMinute int
	// ReportWeightRule and RateRule name the rule versions that set ReportWeight and
	// RatePerMinute, so a held report or comment can say which rule counted.
	ReportWeightRule, RateRule string
	// RateName is the name of the RATE rule, for the author to be told.
	RateName string
}

// Clamp applies the level bounds to a level.
func (s Standing) Clamp(l parley.TrustLevel) parley.TrustLevel {
	if s.LevelFloor != nil && l < *s.LevelFloor {
		l = *s.LevelFloor
	}
	if s.LevelCeiling != nil && l > *s.LevelCeiling {
		l = *s.LevelCeiling
	}
	return l
}

// Outcome is what a rule set says about one comment.
type Outcome struct {
	// Decision is REJECT over HOLD over APPROVE over PASS, of the rules not in shadow.
	Decision parley.Decision
	// DecidedBy is the rule whose effect is the decision.
	DecidedBy *parley.Rule
	// Flags are the FLAG codes of the rules that held, not in shadow.
	Flags []string
	// Fired are the rules that held, shadow ones included.
	Fired    []*parley.Rule
	Standing Standing
}

var decisionRank = map[parley.Decision]int{parley.DecisionPass: 0, parley.DecisionApprove: 1, parley.DecisionHold: 2, parley.DecisionReject: 3}

// Evaluate runs every rule on the facts. A rule that fails (such as one over its cost
// limit) fails the evaluation: the stage's failure policy then decides.
func (rs *RuleSet) Evaluate(f *Facts) (Outcome, error) {
	out := Outcome{Decision: parley.DecisionPass}
	for _, c := range rs.Rules {
		ok, err := c.Eval(f)
		if err != nil {
			return Outcome{}, err
		}
		if !ok {
			continue
		}
		out.Fired = append(out.Fired, c.Rule)
		if c.Rule.Shadow {
			continue
		}
		out.apply(c.Rule)
	}
	return out, nil
}

func (out *Outcome) apply(r *parley.Rule) {
	e := r.Effect
	switch e.Kind {
	case parley.EffectHold, parley.EffectReject, parley.EffectApprove:
		d := parley.Decision(e.Kind)
		if decisionRank[d] > decisionRank[out.Decision] {
			out.Decision, out.DecidedBy = d, r
		}
	case parley.EffectFlag:
		out.Flags = append(out.Flags, e.Code)
	case parley.EffectLevelFloor:
		l := parley.TrustLevel(e.Level)
		if out.Standing.LevelFloor == nil || l > *out.Standing.LevelFloor {
			out.Standing.LevelFloor = &l
		}
	case parley.EffectLevelCeiling:
		l := parley.TrustLevel(e.Level)
		if out.Standing.LevelCeiling == nil || l < *out.Standing.LevelCeiling {
			out.Standing.LevelCeiling = &l
		}
	case parley.EffectReportWeight:
		w := e.Weight
		if out.Standing.ReportWeight == nil || w < *out.Standing.ReportWeight {
			out.Standing.ReportWeight, out.Standing.ReportWeightRule = &w, r.VersionName()
		}
	case parley.EffectRate:
		if out.Standing.RatePerMinute == 0 || e.PerMinute < out.Standing.RatePerMinute {
			out.Standing.RatePerMinute, out.Standing.RateRule, out.Standing.RateName = e.PerMinute, r.VersionName(), r.Name
		}
	}
}

// Verdict turns the outcome into the stage's verdict, naming the rules that held.
func (out Outcome) Verdict() parley.Verdict {
	v := parley.Verdict{Decision: out.Decision, Flags: out.Flags}
	var names, versions []string
	for _, r := range out.Fired {
		name := fmt.Sprintf("%q (%s", r.Name, r.Effect.Kind)
		if r.Shadow {
			name += ", shadow"
		}
		names = append(names, name+")")
		versions = append(versions, r.VersionName())
	}
	if len(names) > 0 {
		v.Evidence = "Community rules that held: " + strings.Join(names, ", ") + "."
		v.Version = strings.Join(versions, " ")
	}
	if out.DecidedBy != nil {
		v.Flags = append(v.Flags, "RULE_"+string(out.DecidedBy.Effect.Kind))
	}
	return v
}
