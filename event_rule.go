package parley

// ProposalChanged is a rule proposal that was made, opened, voted on, back-tested, approved,
// rejected or withdrawn: the whole proposal after the change, so a dashboard shows it without
// reading it back. Drafts are private to their authors and make no event.
type ProposalChanged struct {
	Proposal RuleProposal `json:"proposal"`
	// Change names what happened: PROPOSED, OPENED, VOTED, BACKTESTED, APPROVED, REJECTED
	// or WITHDRAWN.
	Change string `json:"change"`
}

// Kind implements EventPayload.
func (ProposalChanged) Kind() string { return EventProposalChanged }

// RuleEnacted is a proposal enacted: the rule's new version (nil for a change of thresholds)
// and the proposal, now ENACTED. Replicas recompile the site's rules when they see it.
type RuleEnacted struct {
	Proposal RuleProposal `json:"proposal"`
	Rule     *Rule        `json:"rule"`
	// RulesVersion is the site's rules version after the enactment (RuleSettings.Version).
	RulesVersion int `json:"rulesVersion"`
}

// Kind implements EventPayload.
func (RuleEnacted) Kind() string { return EventRuleEnacted }

// Changes a ProposalChanged event names.
const (
	ProposalProposed   = "PROPOSED"
	ProposalOpened     = "OPENED"
	ProposalVoted      = "VOTED"
	ProposalBacktested = "BACKTESTED"
	ProposalApprovedCh = "APPROVED"
	ProposalRejectedCh = "REJECTED"
	ProposalWithdrawCh = "WITHDRAWN"
)
