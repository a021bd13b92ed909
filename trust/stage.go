package trust

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/parleyhq/parley"
)

// StageName is the pipeline stage the community rules run as.
const StageName = "trust_rules"

// Stage runs a site's enacted rules as the trust_rules pipeline stage. It keeps each site's
// compiled rule set and reads the rules again only when the site's rules version
// (parley.RuleSettings.Version, which every enactment raises) moves, so a comment costs no
// query for its rules.
type Stage struct {
	engine  *Engine
	rules   parley.RuleStore
	signals parley.TrustStore
	now     func() time.Time
	mu      sync.Mutex
	sites   map[string]siteRules
}

type siteRules struct {
	version   int
	costLimit int
	set       *RuleSet
}

// NewStage returns the stage on the rule store, reading authors' signals from signals when
// a rule needs them.
func NewStage(engine *Engine, rules parley.RuleStore, signals parley.TrustStore) *Stage {
	return &Stage{engine: engine, rules: rules, signals: signals, now: time.Now, sites: map[string]siteRules{}}
}

// Name implements moderation.Stage.
func (s *Stage) Name() string { return StageName }

// Check implements moderation.Stage: it evaluates the site's rules on the submission. A rule
// over its cost limit fails the stage, whose failure policy then passes or holds.
func (s *Stage) Check(ctx context.Context, sub *parley.Submission) (parley.Verdict, error) {
	set, err := s.ruleSet(ctx, sub.Comment.SiteID, parley.RuleSettingsOf(sub.Settings))
	if err != nil {
		return parley.Verdict{}, err
	}
	if len(set.Rules) == 0 {
		return parley.Verdict{Decision: parley.DecisionPass}, nil
	}
	f := &Facts{Sub: sub, Flags: sub.Flags, Now: s.now()}
	if set.NeedsSignals() && sub.Author != nil {
		sig, err := s.signals.TrustSignals(ctx, sub.Comment.SiteID, sub.Author.ID, f.Now)
		if err != nil {
			return parley.Verdict{}, fmt.Errorf("read the author's signals: %w", err)
		}
		f.Signals = &sig
	}
	out, err := set.Evaluate(f)
	if err != nil {
		return parley.Verdict{}, err
	}
	return out.Verdict(), nil
}

// ruleSet returns the site's compiled rules, reading them when the site's rules version
// differs from the one held.
func (s *Stage) ruleSet(ctx context.Context, siteID string, gov parley.RuleSettings) (*RuleSet, error) {
	s.mu.Lock()
	held, ok := s.sites[siteID]
	s.mu.Unlock()
	if ok && held.version == gov.Version && held.costLimit == gov.CostLimit {
		return held.set, nil
	}
	rules, err := s.rules.Rules(ctx, siteID)
	if err != nil {
		return nil, fmt.Errorf("read the site's rules: %w", err)
	}
	set, err := s.engine.RuleSet(rules, gov.CostLimit)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.sites[siteID] = siteRules{version: gov.Version, costLimit: gov.CostLimit, set: set}
	s.mu.Unlock()
	return set, nil
}
