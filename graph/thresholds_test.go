package graph_test

import "testing"

// TestTrustThresholdsThroughTheAPI reads a site's thresholds (the defaults), proposes a
// change that starts from them, enacts it, and reads the new thresholds.
func TestTrustThresholdsThroughTheAPI(t *testing.T) {
	w := shared.MustWorld(t)
	const fields = `accountAgeDays daysVisited commentsPublished reactionsReceived maxRejected maxReportsAgainst noActiveSanctions`
	const query = `query($s: ID!) { trustThresholds(siteID: $s) { basic { ` + fields + ` } member { ` + fields + ` } regular { ` + fields + ` } } }`
	type level = map[string]any
	read := func(t *testing.T) map[string]level {
		t.Helper()
		var out struct{ TrustThresholds map[string]level }
		w.Author.MustDo(t, query, map[string]any{"s": w.Site.ID}, &out)
		return out.TrustThresholds
	}
	w.Admin.MustDo(t, `mutation($in: RuleGovernanceInput!) { setRuleGovernance(input: $in) { moderatorQuorum } }`,
		map[string]any{"in": map[string]any{"siteID": w.Site.ID, "moderatorQuorum": 1, "memberVotes": false, "memberQuorum": 0, "enactDelaySeconds": 0, "costLimit": 1000}}, nil)

	t.Run("a commenter reads the thresholds in force", func(t *testing.T) {
		th := read(t)
		if th["regular"]["reactionsReceived"] == nil || th["member"]["accountAgeDays"] == nil || th["regular"] == nil {
			t.Fatalf("thresholds %+v", th)
		}
	})
	t.Run("an enacted CHANGE_THRESHOLDS proposal made from them is what reads next", func(t *testing.T) {
		th := read(t)
		th["regular"]["reactionsReceived"] = th["regular"]["reactionsReceived"].(float64) + 1
		var out struct{ ProposeRule struct{ ID string } }
		w.Moderator.MustDo(t, `mutation($in: ProposeRuleInput!) { proposeRule(input: $in) { id } }`, map[string]any{"in": map[string]any{
			"siteID": w.Site.ID, "kind": "CHANGE_THRESHOLDS", "thresholds": th, "rationale": "One more reaction before level 3."}}, &out)
		var voted struct{ VoteOnProposal struct{ State string } }
		w.Moderator.MustDo(t, `mutation($in: VoteOnProposalInput!) { voteOnProposal(input: $in) { state } }`,
			map[string]any{"in": map[string]any{"proposalID": out.ProposeRule.ID, "approve": true}}, &voted)
		if voted.VoteOnProposal.State != "ENACTED" {
			t.Fatalf("state %s, want ENACTED", voted.VoteOnProposal.State)
		}
		if got := read(t)["regular"]["reactionsReceived"]; got != th["regular"]["reactionsReceived"] {
			t.Fatalf("regular.reactionsReceived = %v, want %v", got, th["regular"]["reactionsReceived"])
		}
	})
	t.Run("an unknown site is NOT_FOUND", func(t *testing.T) {
		w.Author.MustFail(t, "NOT_FOUND", query, map[string]any{"s": "0190a4e2-0000-7000-8000-000000000000"})
	})
}
