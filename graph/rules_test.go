package graph_test

import (
	"strings"
	"testing"
)

const proposalFields = `id state kind ruleID baseVersion name expression effect { kind code level } rationale
	votes { userID approve moderator } tally { moderatorsFor moderatorsAgainst moderatorQuorum quorumReached }
	backtest { requested comments changedCount changed { commentID storyURL before after } agreement { effect precision recall } durationMs method }
	enactedVersion`

type proposalJSON struct {
	ID, State, Kind string
	RuleID          *string
	EnactedVersion  int
	Votes           []struct{ UserID string }
	Tally           struct{ ModeratorsFor int }
	Backtest        *struct {
		Comments, ChangedCount int
		Changed                []struct{ CommentID, After string }
	}
}

func TestRulesThroughTheAPI(t *testing.T) {
	w := shared.MustWorld(t)
	spam := w.Author.MustComment(t, w.StoryID, "", "Best casino offers here")
	propose := `mutation($in: ProposeRuleInput!) { proposeRule(input: $in) { ` + proposalFields + ` } }`
	vote := `mutation($in: VoteOnProposalInput!) { voteOnProposal(input: $in) { ` + proposalFields + ` } }`
	in := func(expr string) map[string]any {
		return map[string]any{"in": map[string]any{"siteID": w.Site.ID, "kind": "ADD_RULE", "name": "casino", "expression": expr,
			"effect": map[string]any{"kind": "REJECT"}, "rationale": "Casino spam waves."}}
	}
	w.Admin.MustDo(t, `mutation($in: RuleGovernanceInput!) { setRuleGovernance(input: $in) { moderatorQuorum } }`,
		map[string]any{"in": map[string]any{"siteID": w.Site.ID, "moderatorQuorum": 1, "memberVotes": false, "memberQuorum": 0, "enactDelaySeconds": 0, "costLimit": 1000}}, nil)

	t.Run("a moderator may not set the governance", func(t *testing.T) {
		w.Moderator.MustFail(t, "FORBIDDEN", `mutation($in: RuleGovernanceInput!) { setRuleGovernance(input: $in) { moderatorQuorum } }`,
			map[string]any{"in": map[string]any{"siteID": w.Site.ID, "moderatorQuorum": 1, "memberVotes": false, "memberQuorum": 0, "enactDelaySeconds": 0, "costLimit": 1000}})
	})
	t.Run("an expression that does not type-check is INVALID at its position", func(t *testing.T) {
		r := w.Moderator.MustFail(t, "INVALID", propose, in("comment.text.contains(3)"))
		if r.Errors[0].Extensions["field"] != "expression" || !strings.Contains(r.Errors[0].Message, "Line 1, column ") {
			t.Fatalf("error %+v, want field expression and a position", r.Errors[0])
		}
	})
	t.Run("checkRule reports the position", func(t *testing.T) {
		var out struct {
			CheckRule struct {
				Valid  bool
				Issues []struct{ Line, Column int }
			}
		}
		w.Moderator.MustDo(t, `query($s: ID!, $e: String!) { checkRule(siteID: $s, expression: $e) { valid issues { line column message } costMax } }`,
			map[string]any{"s": w.Site.ID, "e": "true &&\n  author.karma > 1"}, &out)
		if out.CheckRule.Valid || len(out.CheckRule.Issues) != 1 || out.CheckRule.Issues[0].Line != 2 {
			t.Fatalf("checkRule = %+v", out.CheckRule)
		}
	})
	t.Run("a commenter may not propose", func(t *testing.T) {
		w.Author.MustFail(t, "FORBIDDEN", propose, in(`comment.text.contains("casino")`))
	})
	var p proposalJSON
	var out struct{ ProposeRule proposalJSON }
	w.Moderator.MustDo(t, propose, in(`comment.text.contains("casino")`), &out)
	p = out.ProposeRule
	if p.State != "OPEN" || p.RuleID != nil {
		t.Fatalf("proposal %+v", p)
	}
	t.Run("a back-test of ten million comments is INVALID", func(t *testing.T) {
		r := w.Moderator.MustFail(t, "INVALID", `mutation($in: BacktestProposalInput!) { backtestProposal(input: $in) { id } }`,
			map[string]any{"in": map[string]any{"proposalID": p.ID, "comments": 10000000}})
		if r.Errors[0].Extensions["field"] != "comments" {
			t.Fatalf("error %+v, want field comments", r.Errors[0])
		}
	})
	t.Run("a back-test finds the spam", func(t *testing.T) {
		var bt struct{ BacktestProposal proposalJSON }
		w.Moderator.MustDo(t, `mutation($in: BacktestProposalInput!) { backtestProposal(input: $in) { `+proposalFields+` } }`,
			map[string]any{"in": map[string]any{"proposalID": p.ID, "comments": 50}}, &bt)
		b := bt.BacktestProposal.Backtest
		if b == nil || b.ChangedCount != 1 || b.Changed[0].CommentID != spam || b.Changed[0].After != "REJECT" {
			t.Fatalf("back-test %+v", b)
		}
	})
	t.Run("a commenter's vote is FORBIDDEN", func(t *testing.T) {
		w.Author.MustFail(t, "FORBIDDEN", vote, map[string]any{"in": map[string]any{"proposalID": p.ID, "approve": true}})
	})
	t.Run("the moderator's vote enacts it", func(t *testing.T) {
		var v struct{ VoteOnProposal proposalJSON }
		w.Moderator.MustDo(t, vote, map[string]any{"in": map[string]any{"proposalID": p.ID, "approve": true}}, &v)
		if v.VoteOnProposal.State != "ENACTED" || v.VoteOnProposal.EnactedVersion != 1 {
			t.Fatalf("after the vote: %+v", v.VoteOnProposal)
		}
		var rules struct {
			Rules []struct {
				Name     string
				Version  int
				Effect   struct{ Kind string }
				Versions []struct{ Version int }
			}
		}
		shared.anonymous().MustDo(t, `query($s: ID!) { rules(siteID: $s) { name version effect { kind } versions { version } } }`, map[string]any{"s": w.Site.ID}, &rules)
		if len(rules.Rules) != 1 || rules.Rules[0].Effect.Kind != "REJECT" || len(rules.Rules[0].Versions) != 1 {
			t.Fatalf("rules = %+v", rules.Rules)
		}
	})
	t.Run("a vote on an enacted proposal is CLOSED", func(t *testing.T) {
		w.Moderator.MustFail(t, "CLOSED", vote, map[string]any{"in": map[string]any{"proposalID": p.ID, "approve": false}})
	})
	t.Run("the proposal lists by state", func(t *testing.T) {
		var list struct{ RuleProposals []proposalJSON }
		w.Moderator.MustDo(t, `query($s: ID!) { ruleProposals(siteID: $s, state: ENACTED) { `+proposalFields+` } }`, map[string]any{"s": w.Site.ID}, &list)
		if len(list.RuleProposals) != 1 || list.RuleProposals[0].Backtest == nil || len(list.RuleProposals[0].Votes) != 1 {
			t.Fatalf("proposals = %+v", list.RuleProposals)
		}
		var public struct{ RuleProposals []proposalJSON }
		shared.anonymous().MustDo(t, `query($s: ID!) { ruleProposals(siteID: $s) { `+proposalFields+` } }`, map[string]any{"s": w.Site.ID}, &public)
		if len(public.RuleProposals) != 1 || len(public.RuleProposals[0].Votes) != 0 || public.RuleProposals[0].Tally.ModeratorsFor != 1 {
			t.Fatalf("a reader sees %+v, want the tally without the votes", public.RuleProposals)
		}
	})
}
