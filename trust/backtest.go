package trust

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/parleyhq/parley"
)

// BacktestMethod tells readers of a report how the replay approximated the past.
const BacktestMethod = "Each comment is replayed from its stored body with the flags the other stages raised on it, " +
	"its author's level as it stood (the last level change before the comment) and the author's signals as they stood, " +
	"approximated as today's signals less what the author's later comments in the sample added (published, rejected, " +
	"days posted). Account and story ages are taken at the comment's time. Before is the rules in force now; after, " +
	"with the proposal. Levels compare what today's signals earn under each set of thresholds, within the level bounds " +
	"of each rule set as the trust consumer applies them."

// Backtest replays a proposal over the site's latest comments and stores the report with
// the proposal. Those who may vote may run it, and a draft's author.
func (s *Rules) Backtest(ctx context.Context, id string, n int) (*parley.RuleProposal, error) {
	if n < 1 || n > parley.MaxBacktestComments {
		return nil, parley.FieldErrorf("comments", "A back-test replays 1 to %d comments.", parley.MaxBacktestComments)
	}
	p, site, err := s.proposalFor(ctx, id)
	if err != nil {
		return nil, err
	}
	_, voter, err := s.viewer(ctx, site)
	if err != nil {
		return nil, err
	}
	if !voter.Eligible {
		return nil, parley.Errorf(parley.EFORBIDDEN, "Only those who vote on the site's proposals may back-test them.")
	}
	if p.State == parley.ProposalWithdrawn || p.State == parley.ProposalEnacted || p.State == parley.ProposalRejected {
		return nil, closed(p)
	}
	report, err := s.Replay(ctx, site, p, n)
	if err != nil {
		return nil, err
	}
	return s.store.UpdateProposal(ctx, id, nil, func(p *parley.RuleProposal) (parley.EventPayload, error) {
		p.Backtest = report
		if p.State == parley.ProposalDraft {
			return nil, nil
		}
		return parley.ProposalChanged{Proposal: *p, Change: parley.ProposalBacktested}, nil
	})
}

// Replay computes a back-test report without storing it.
func (s *Rules) Replay(ctx context.Context, site *parley.Site, p *parley.RuleProposal, n int) (*parley.BacktestReport, error) {
	start := time.Now()
	gov := parley.RuleSettingsOf(site.Settings)
	current, err := s.store.Rules(ctx, site.ID)
	if err != nil {
		return nil, err
	}
	before, err := s.engine.RuleSet(current, gov.CostLimit)
	if err != nil {
		return nil, err
	}
	after, err := s.proposed(current, p, gov.CostLimit)
	if err != nil {
		return nil, err
	}
	items, err := s.store.BacktestSample(ctx, site.ID, n)
	if err != nil {
		return nil, err
	}
	signals := map[string]*parley.TrustSignals{}
	for _, it := range items {
		a := it.Comment.AuthorID
		if a == "" || signals[a] != nil {
			continue
		}
		sig, err := s.trust.TrustSignals(ctx, site.ID, a, s.now())
		if err != nil {
			if parley.ErrorCode(err) == parley.ENOTFOUND {
				sig = parley.TrustSignals{SiteID: site.ID, UserID: a}
			} else {
				return nil, err
			}
		}
		signals[a] = &sig
	}
	thresholds := parley.TrustSettingsOf(site.Settings)
	newThresholds := thresholds
	if p.Kind == parley.ProposalChangeThresholds && p.Thresholds != nil {
		newThresholds = *p.Thresholds
	}
	report := ReplayItems(items, signals, site.Settings, before, after, thresholds, newThresholds)
	for i := range report.Users {
		u := &report.Users[i]
		rec, err := s.trust.TrustRecord(ctx, site.ID, u.UserID)
		if err != nil {
			return nil, err
		}
		if rec.Pinned != nil {
			u.UserID = "" // a pinned level does not move; dropped below
		}
	}
	users := report.Users[:0]
	for _, u := range report.Users {
		if u.UserID != "" {
			users = append(users, u)
		}
	}
	report.Users = users
	report.Requested = n
	report.RanAt = s.now().UTC()
	report.DurationMs = int(time.Since(start) / time.Millisecond)
	return report, nil
}

// proposed returns the rule set with the proposal applied.
func (s *Rules) proposed(current []*parley.Rule, p *parley.RuleProposal, costLimit int) (*RuleSet, error) {
	set := &RuleSet{}
	var replaced bool
	for _, r := range current {
		if r.ID == p.RuleID && p.RuleID != "" && (p.Kind == parley.ProposalChangeRule || p.Kind == parley.ProposalRetireRule) {
			replaced = true
			if p.Kind == parley.ProposalRetireRule {
				continue
			}
			c, err := s.engine.CompileExpression(proposedRule(p, r.ID, r.Version+1), costLimit)
			if err != nil {
				return nil, err
			}
			set.add(c)
			continue
		}
		c, err := s.engine.Compile(r, costLimit)
		if err != nil {
			return nil, err
		}
		set.add(c)
	}
	if p.Kind == parley.ProposalAddRule || p.Kind == parley.ProposalChangeRule && !replaced {
		c, err := s.engine.CompileExpression(proposedRule(p, "proposed", 1), costLimit)
		if err != nil {
			return nil, err
		}
		set.add(c)
	}
	return set, nil
}

func proposedRule(p *parley.RuleProposal, id string, version int) *parley.Rule {
	return &parley.Rule{ID: id, SiteID: p.SiteID, Name: p.Name, Expression: p.Expression, Effect: p.Effect, Shadow: p.Shadow,
		Version: version, ProposalID: p.ID}
}

// ReplayItems is the replay itself, over a sample read newest first: it needs no storage,
// so its speed can be measured alone. signals are the authors' signals today.
func ReplayItems(items []parley.BacktestItem, signals map[string]*parley.TrustSignals, settings parley.SiteSettings,
	before, after *RuleSet, thresholds, newThresholds parley.TrustSettings) *parley.BacktestReport {
	now := time.Now()
	if len(items) > 0 {
		now = items[0].Comment.CreatedAt
	}
	report := &parley.BacktestReport{Comments: len(items), Changed: []parley.BacktestChange{}, Users: []parley.BacktestLevelChange{},
		Agreement: []parley.EffectAgreement{}, Method: BacktestMethod}
	type later struct {
		published, rejected int
		days                map[string]bool
	}
	laters := map[string]*later{}
	agree := map[string]*parley.EffectAgreement{}
	for _, c := range after.Rules {
		if k := effectKey(c.Rule.Effect); k != "" {
			agree[k] = &parley.EffectAgreement{}
		}
	}
	// Each author's level at their latest comment in the sample.
	levels := map[string]parley.TrustLevel{}
	for _, it := range items {
		c := it.Comment
		l := laters[c.AuthorID]
		if l == nil {
			l = &later{days: map[string]bool{}}
			laters[c.AuthorID] = l
		}
		sig := parley.TrustSignals{}
		if now := signals[c.AuthorID]; now != nil {
			sig = *now
		}
		sig.CommentsPublished = max(0, sig.CommentsPublished-l.published)
		if l.rejected > 0 {
			sig.Rejected = map[string]int{parley.RejectedByPipeline: max(0, sig.RejectedTotal()-l.rejected)}
		}
		sig.DaysVisited = max(1, sig.DaysVisited-len(l.days))
		sub := &parley.Submission{Action: parley.ActionCreate, Comment: c, Story: it.Story, Settings: settings, Role: it.Role,
			Author: &parley.User{ID: c.AuthorID, CreatedAt: it.AuthorCreatedAt}, History: parley.AuthorHistory{TrustLevel: it.Level}}
		f := &Facts{Sub: sub, Flags: it.Flags, Signals: &sig, Now: c.CreatedAt}
		b, errB := before.Evaluate(f)
		a, errA := after.Evaluate(f)
		if errB != nil {
			b = Outcome{Decision: parley.DecisionPass}
		}
		if errA != nil {
			a = Outcome{Decision: parley.DecisionPass}
		}
		if b.Decision != a.Decision {
			report.ChangedCount++
			if len(report.Changed) < parley.MaxBacktestChanges {
				report.Changed = append(report.Changed, parley.BacktestChange{CommentID: c.ID, StoryID: c.StoryID, StoryURL: it.Story.URL,
					Before: b.Decision, After: a.Decision})
			}
		}
		if _, seen := levels[c.AuthorID]; !seen && c.AuthorID != "" {
			levels[c.AuthorID] = it.Level
		}
		countAgreement(agree, a, it.Human)
		// What this comment added to its author's signals, for the older comments.
		switch c.Status {
		case parley.StatusPublished:
			l.published++
		case parley.StatusRejected:
			l.rejected++
		}
		l.days[c.CreatedAt.UTC().Format(time.DateOnly)] = true
	}
	for effect, ag := range agree {
		ag.Effect = effect
		if d := ag.TruePositives + ag.FalsePositives; d > 0 {
			v := float64(ag.TruePositives) / float64(d)
			ag.Precision = &v
		}
		if d := ag.TruePositives + ag.FalseNegatives; d > 0 {
			v := float64(ag.TruePositives) / float64(d)
			ag.Recall = &v
		}
		report.Agreement = append(report.Agreement, *ag)
	}
	sort.Slice(report.Agreement, func(i, j int) bool { return report.Agreement[i].Effect < report.Agreement[j].Effect })
	authors := make([]string, 0, len(levels))
	for a := range levels {
		authors = append(authors, a)
	}
	sort.Strings(authors)
	for _, a := range authors {
		sig := parley.TrustSignals{}
		if now := signals[a]; now != nil {
			sig = *now
		}
		// The bounds as the trust consumer applies them: on the author's signals and level.
		f := &Facts{Sub: &parley.Submission{Comment: &parley.Comment{}, Settings: settings, Author: &parley.User{ID: a},
			History: parley.AuthorHistory{TrustLevel: levels[a]}}, Signals: &sig, Now: now}
		bb, _, errB := before.Bounds(f)
		ba, _, errA := after.Bounds(&Facts{Sub: f.Sub, Signals: &sig, Now: now})
		if errB != nil || errA != nil {
			continue
		}
		from := bb.Clamp(Earned(sig, thresholds))
		to := ba.Clamp(Earned(sig, newThresholds))
		if from != to {
			report.Users = append(report.Users, parley.BacktestLevelChange{UserID: a, From: from, To: to})
		}
	}
	return report
}

// countAgreement compares one comment's outcome under the proposal with the moderators'
// decision: HOLD, REJECT and FLAG agree with a rejection, APPROVE with an approval.
func countAgreement(agree map[string]*parley.EffectAgreement, out Outcome, human parley.Decision) {
	fired := map[string]bool{}
	for _, r := range out.Fired {
		if k := effectKey(r.Effect); k != "" {
			fired[k] = true
		}
	}
	for effect, ag := range agree {
		want := parley.DecisionReject
		if effect == string(parley.EffectApprove) {
			want = parley.DecisionApprove
		}
		positive := human == want
		if fired[effect] {
			ag.Predicted++
		}
		if human != "" {
			ag.Decided++
		}
		switch {
		case fired[effect] && positive:
			ag.TruePositives++
		case fired[effect] && human != "":
			ag.FalsePositives++
		case !fired[effect] && positive:
			ag.FalseNegatives++
		}
	}
}

// effectKey names an effect in agreement reports; "" for effects on standing, which no
// moderator decision measures.
func effectKey(e parley.RuleEffect) string {
	switch e.Kind {
	case parley.EffectHold, parley.EffectReject, parley.EffectApprove:
		return string(e.Kind)
	case parley.EffectFlag:
		return fmt.Sprintf("FLAG:%s", e.Code)
	}
	return ""
}
