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
// over its cost limit fails the stage, whose failure policy then passes or holds. A new
// comment over the author's RATE answers ERATELIMITED, naming the rule.
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
	if err := s.overRate(ctx, sub, out.Standing, f.Now); err != nil {
		return out.Verdict(), err
	}
	return out.Verdict(), nil
}

// overRate refuses a new comment when the author already wrote as many on the site in the
// last minute as the lowest RATE rule that holds for them allows. The answer is
// ERATELIMITED, which the pipeline treats as a refusal (the comment is not stored), not as a
// hold: a rate exists to slow a writer down, and a hold would fill the moderators' queue
// with what it is meant to keep out. Edits are not counted, and the count reads no more rows
// than the rate.
func (s *Stage) overRate(ctx context.Context, sub *parley.Submission, st Standing, now time.Time) error {
	if st.RatePerMinute == 0 || sub.Action != parley.ActionCreate || sub.Author == nil {
		return nil
	}
	n, err := s.signals.CommentsSince(ctx, sub.Comment.SiteID, sub.Author.ID, now.Add(-time.Minute), st.RatePerMinute)
	if err != nil {
		return fmt.Errorf("count the author's comments of the last minute: %w", err)
	}
	if n < st.RatePerMinute {
		return nil
	}
	return parley.RateLimitedf(time.Minute, "This site's community rule %q (%s) allows you %d comments a minute; try again in a minute.",
		st.RateName, st.RateRule, st.RatePerMinute)
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
