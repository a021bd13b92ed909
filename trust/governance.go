package trust

import (
	"context"
	"time"

	"github.com/parleyhq/parley"
)

// Rules implements parley.RuleService: proposals, votes, back-tests and enactment of a
// site's community rules. Rules change only through proposals that the site's quorum
// approved.
type Rules struct {
	engine *Engine
	store  parley.RuleStore
	trust  parley.TrustStore
	sites  parley.SiteService
	users  parley.UserService
	events parley.EventSource
	now    func() time.Time
}

// NewRules returns the rule service. events may be nil, which turns off live proposals.
func NewRules(engine *Engine, store parley.RuleStore, trust parley.TrustStore, sites parley.SiteService, users parley.UserService, events parley.EventSource, now func() time.Time) *Rules {
	if now == nil {
		now = time.Now
	}
	return &Rules{engine: engine, store: store, trust: trust, sites: sites, users: users, events: events, now: now}
}

var _ parley.RuleService = (*Rules)(nil)

// Voter is what a person may do with a site's proposals.
type Voter struct {
	// Moderator is true for the site's moderators and admins.
	Moderator bool
	// Eligible is true for everyone who may propose and vote.
	Eligible bool
}

// Eligibility decides who votes on a site's proposals: its moderators (and admins) always;
// members when the site lets members vote, a member being one with the MEMBER role or trust
// level 2 and up.
func Eligibility(role parley.Role, level parley.TrustLevel, gov parley.RuleSettings) Voter {
	if role.AtLeast(parley.RoleModerator) {
		return Voter{Moderator: true, Eligible: true}
	}
	member := role == parley.RoleMember || level >= parley.LevelToVote
	return Voter{Eligible: gov.MemberVotes && member}
}

// viewer returns the signed-in user's standing on the site's proposals.
func (s *Rules) viewer(ctx context.Context, site *parley.Site) (string, Voter, error) {
	uid := parley.UserIDFromContext(ctx)
	if uid == "" {
		return "", Voter{}, parley.Errorf(parley.EUNAUTHENTICATED, "Please sign in first.")
	}
	role, err := s.users.SiteRole(ctx, site.ID, uid)
	if err != nil {
		return "", Voter{}, err
	}
	rec, err := s.trust.TrustRecord(ctx, site.ID, uid)
	if err != nil {
		return "", Voter{}, err
	}
	return uid, Eligibility(role, rec.Level, parley.RuleSettingsOf(site.Settings)), nil
}

func (s *Rules) site(ctx context.Context, siteID string) (*parley.Site, error) {
	if !parley.IsID(siteID) {
		return nil, parley.Errorf(parley.ENOTFOUND, "Site not found.")
	}
	site, err := s.sites.FindSiteByID(ctx, siteID)
	if err != nil {
		return nil, notFound(err, "Site not found.")
	}
	return site, nil
}

// Rules lists the rules in force; they are public, as the rules readers are held to.
func (s *Rules) Rules(ctx context.Context, siteID string) ([]*parley.Rule, error) {
	if _, err := s.site(ctx, siteID); err != nil {
		return nil, err
	}
	return s.store.Rules(ctx, siteID)
}

// RuleVersions lists a rule's versions, newest first.
func (s *Rules) RuleVersions(ctx context.Context, siteID, ruleID string) ([]*parley.Rule, error) {
	if !parley.IsID(ruleID) {
		return nil, parley.Errorf(parley.ENOTFOUND, "Rule not found.")
	}
	return s.store.RuleVersions(ctx, siteID, ruleID)
}

// Proposals lists a site's proposals: drafts only to their authors, and the votes (who voted
// how) only to those who vote; everyone reads the tallies.
func (s *Rules) Proposals(ctx context.Context, siteID string, state parley.ProposalState) ([]*parley.RuleProposal, error) {
	if state != "" && !state.Valid() {
		return nil, parley.FieldErrorf("state", "Unknown proposal state %q.", state)
	}
	site, err := s.site(ctx, siteID)
	if err != nil {
		return nil, err
	}
	all, err := s.store.Proposals(ctx, siteID, state)
	if err != nil {
		return nil, err
	}
	uid := parley.UserIDFromContext(ctx)
	var voter Voter
	if uid != "" {
		if _, voter, err = s.viewer(ctx, site); err != nil {
			return nil, err
		}
	}
	out := all[:0]
	for _, p := range all {
		if p.State == parley.ProposalDraft && (uid == "" || p.AuthorID != uid) {
			continue
		}
		// Who voted how is for those who vote; everyone else reads the tally.
		if !voter.Eligible {
			p.Votes = []parley.RuleVote{}
		}
		out = append(out, p)
	}
	return out, nil
}

// CheckRule checks an expression against the site's cost limit.
func (s *Rules) CheckRule(ctx context.Context, siteID, expression string) (*parley.RuleCheck, error) {
	site, err := s.site(ctx, siteID)
	if err != nil {
		return nil, err
	}
	c := s.engine.Check(expression, parley.RuleSettingsOf(site.Settings).CostLimit)
	return &c, nil
}

// Governance returns a site's rule settings.
func (s *Rules) Governance(ctx context.Context, siteID string) (parley.RuleSettings, error) {
	site, err := s.site(ctx, siteID)
	if err != nil {
		return parley.RuleSettings{}, err
	}
	return parley.RuleSettingsOf(site.Settings), nil
}

// TrustThresholds returns the trust thresholds in force on a site; they are public, as the
// rules readers are held to.
func (s *Rules) TrustThresholds(ctx context.Context, siteID string) (parley.TrustSettings, error) {
	site, err := s.site(ctx, siteID)
	if err != nil {
		return parley.TrustSettings{}, err
	}
	return parley.TrustSettingsOf(site.Settings), nil
}

// SetGovernance changes a site's rule settings; its admins only.
func (s *Rules) SetGovernance(ctx context.Context, siteID string, gov parley.RuleSettings) (parley.RuleSettings, error) {
	uid := parley.UserIDFromContext(ctx)
	if uid == "" {
		return parley.RuleSettings{}, parley.Errorf(parley.EUNAUTHENTICATED, "Please sign in first.")
	}
	if err := gov.Validate(); err != nil {
		return parley.RuleSettings{}, err
	}
	if _, err := s.site(ctx, siteID); err != nil {
		return parley.RuleSettings{}, err
	}
	role, err := s.users.SiteRole(ctx, siteID, uid)
	if err != nil {
		return parley.RuleSettings{}, err
	}
	if !role.AtLeast(parley.RoleAdmin) {
		return parley.RuleSettings{}, parley.Errorf(parley.EFORBIDDEN, "Only administrators may change how a site governs its rules.")
	}
	if err := s.store.SetRuleSettings(ctx, siteID, gov); err != nil {
		return parley.RuleSettings{}, err
	}
	return s.Governance(ctx, siteID)
}

// Propose validates and stores a proposal: OPEN for votes at once, or a DRAFT.
func (s *Rules) Propose(ctx context.Context, in parley.ProposalInput) (*parley.RuleProposal, error) {
	site, err := s.site(ctx, in.SiteID)
	if err != nil {
		return nil, err
	}
	uid, voter, err := s.viewer(ctx, site)
	if err != nil {
		return nil, err
	}
	if !voter.Eligible {
		return nil, parley.Errorf(parley.EFORBIDDEN, "Only the site's moderators (and members, when the site lets them vote) may propose rules.")
	}
	gov := parley.RuleSettingsOf(site.Settings)
	p, err := s.proposal(ctx, in, gov)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	p.SiteID, p.AuthorID, p.CreatedAt, p.State = site.ID, uid, now, parley.ProposalOpen
	p.Votes, p.Tally = []parley.RuleVote{}, tally(nil, gov)
	if in.Draft {
		p.State = parley.ProposalDraft
	} else {
		p.OpenedAt = &now
	}
	if err := s.store.CreateProposal(ctx, p); err != nil {
		return nil, err
	}
	return p, nil
}

// tally counts votes against the quorum.
func tally(votes []parley.RuleVote, gov parley.RuleSettings) parley.VoteTally {
	t := parley.VoteTally{ModeratorQuorum: gov.ModeratorQuorum}
	if gov.MemberVotes {
		t.MemberQuorum = gov.MemberQuorum
	}
	for _, v := range votes {
		switch {
		case v.Moderator && v.Approve:
			t.ModeratorsFor++
		case v.Moderator:
			t.ModeratorsAgainst++
		case v.Approve:
			t.MembersFor++
		default:
			t.MembersAgainst++
		}
	}
	t.QuorumReached = t.ModeratorsFor >= t.ModeratorQuorum && t.MembersFor >= t.MemberQuorum
	return t
}

// proposalFor reads a proposal the viewer may see (a draft only its author).
func (s *Rules) proposalFor(ctx context.Context, id string) (*parley.RuleProposal, *parley.Site, error) {
	p, err := s.store.Proposal(ctx, id)
	if err != nil {
		return nil, nil, notFound(err, "Proposal not found.")
	}
	if p.State == parley.ProposalDraft && p.AuthorID != parley.UserIDFromContext(ctx) {
		return nil, nil, parley.Errorf(parley.ENOTFOUND, "Proposal not found.")
	}
	site, err := s.site(ctx, p.SiteID)
	if err != nil {
		return nil, nil, err
	}
	return p, site, nil
}

// closed is the answer to a change of a proposal that is no longer open.
func closed(p *parley.RuleProposal) error {
	return parley.Errorf(parley.ECLOSED, "The proposal is %s; it takes no more votes or changes.", p.State)
}

// Open opens the viewer's draft for votes.
func (s *Rules) Open(ctx context.Context, id string) (*parley.RuleProposal, error) {
	p, _, err := s.proposalFor(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.AuthorID != parley.UserIDFromContext(ctx) {
		return nil, parley.Errorf(parley.EFORBIDDEN, "Only the proposal's author may open it.")
	}
	now := s.now().UTC()
	return s.store.UpdateProposal(ctx, id, nil, func(p *parley.RuleProposal) (parley.EventPayload, error) {
		if p.State != parley.ProposalDraft {
			return nil, parley.Errorf(parley.ECONFLICT, "The proposal is %s, not a DRAFT.", p.State)
		}
		p.State, p.OpenedAt = parley.ProposalOpen, &now
		return parley.ProposalChanged{Proposal: *p, Change: parley.ProposalOpened}, nil
	})
}

// Withdraw withdraws the viewer's draft or open proposal.
func (s *Rules) Withdraw(ctx context.Context, id string) (*parley.RuleProposal, error) {
	p, _, err := s.proposalFor(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.AuthorID != parley.UserIDFromContext(ctx) {
		return nil, parley.Errorf(parley.EFORBIDDEN, "Only the proposal's author may withdraw it.")
	}
	now := s.now().UTC()
	return s.store.UpdateProposal(ctx, id, nil, func(p *parley.RuleProposal) (parley.EventPayload, error) {
		if p.State != parley.ProposalDraft && p.State != parley.ProposalOpen {
			return nil, closed(p)
		}
		p.State, p.ClosedAt = parley.ProposalWithdrawn, &now
		return parley.ProposalChanged{Proposal: *p, Change: parley.ProposalWithdrawCh}, nil
	})
}

// Vote records the viewer's vote, replacing an earlier one, and decides the proposal when
// the quorum approves (or as many moderators reject). An approved proposal with no delay
// is enacted at once; if another enactment changed its rule first it stays APPROVED, and
// enactProposal answers why.
func (s *Rules) Vote(ctx context.Context, id string, approve bool) (*parley.RuleProposal, error) {
	p, site, err := s.proposalFor(ctx, id)
	if err != nil {
		return nil, err
	}
	uid, voter, err := s.viewer(ctx, site)
	if err != nil {
		return nil, err
	}
	if !voter.Eligible {
		return nil, parley.Errorf(parley.EFORBIDDEN, "You are not eligible to vote on this site's proposals.")
	}
	if p.State == parley.ProposalDraft {
		return nil, parley.Errorf(parley.ECONFLICT, "The proposal is a DRAFT; its author must open it first.")
	}
	gov := parley.RuleSettingsOf(site.Settings)
	now := s.now().UTC()
	vote := &parley.RuleVote{UserID: uid, Approve: approve, Moderator: voter.Moderator, VotedAt: now}
	p, err = s.store.UpdateProposal(ctx, id, vote, func(p *parley.RuleProposal) (parley.EventPayload, error) {
		if p.State != parley.ProposalOpen {
			return nil, closed(p)
		}
		p.Tally = tally(p.Votes, gov)
		change := parley.ProposalVoted
		switch {
		case p.Tally.QuorumReached:
			after := now.Add(time.Duration(gov.EnactDelaySeconds) * time.Second)
			p.State, p.ClosedAt, p.EnactAfter, change = parley.ProposalApproved, &now, &after, parley.ProposalApprovedCh
		case p.Tally.ModeratorsAgainst >= gov.ModeratorQuorum:
			p.State, p.ClosedAt, change = parley.ProposalRejected, &now, parley.ProposalRejectedCh
		}
		return parley.ProposalChanged{Proposal: *p, Change: change}, nil
	})
	if err != nil {
		return nil, err
	}
	if p.State == parley.ProposalApproved && !p.EnactAfter.After(now) {
		enacted, _, err := s.store.Enact(ctx, id, now)
		switch {
		case err == nil:
			return enacted, nil
		case parley.ErrorCode(err) != parley.ECONFLICT:
			return nil, err
		}
	}
	return p, nil
}

// Enact enacts an approved proposal once its delay has passed; the site's moderators only.
func (s *Rules) Enact(ctx context.Context, id string) (*parley.RuleProposal, error) {
	p, site, err := s.proposalFor(ctx, id)
	if err != nil {
		return nil, err
	}
	_, voter, err := s.viewer(ctx, site)
	if err != nil {
		return nil, err
	}
	if !voter.Moderator {
		return nil, parley.Errorf(parley.EFORBIDDEN, "Only the site's moderators may enact a proposal.")
	}
	now := s.now().UTC()
	if p.State == parley.ProposalApproved && p.EnactAfter != nil && p.EnactAfter.After(now) {
		return nil, parley.Errorf(parley.ECONFLICT, "The site's delay runs until %s; enact it then.", p.EnactAfter.Format(time.RFC3339))
	}
	enacted, _, err := s.store.Enact(ctx, id, now)
	return enacted, err
}
