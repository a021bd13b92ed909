// The proposals view's GraphQL operations (graph/rules.graphqls). Every mutation answers the
// whole proposal, so the detail view shows what the server stored.
import { gql } from '@urql/core';

export const PROPOSAL_FIELDS = gql`
  fragment ProposalFields on RuleProposal {
    id siteID authorID kind state ruleID baseVersion name expression shadow rollbackOf rationale
    effect { kind code level weight perMinute }
    thresholds {
      basic { ...LevelThresholdFields }
      member { ...LevelThresholdFields }
      regular { ...LevelThresholdFields }
    }
    votes { userID approve moderator votedAt }
    tally { moderatorsFor moderatorsAgainst membersFor membersAgainst moderatorQuorum memberQuorum quorumReached }
    backtest {
      requested comments changedCount durationMs ranAt method
      changed { commentID storyID storyURL before after }
      users { userID from to }
      agreement { effect predicted decided truePositives falsePositives falseNegatives precision recall }
    }
    createdAt openedAt closedAt enactAfter enactedAt enactedVersion
  }
  fragment LevelThresholdFields on ProposedLevelThresholds {
    accountAgeDays daysVisited commentsPublished reactionsReceived maxRejected maxReportsAgainst noActiveSanctions
  }
`;

export const PROPOSALS = gql`
  query Proposals($siteID: ID!, $state: ProposalState) {
    ruleProposals(siteID: $siteID, state: $state) { ...ProposalFields }
  }
  ${PROPOSAL_FIELDS}
`;

export const PROPOSAL_EVENTS = gql`
  subscription ProposalEvents($siteID: ID!) {
    ruleProposalsUpdated(siteID: $siteID) { kind proposal { ...ProposalFields } }
  }
  ${PROPOSAL_FIELDS}
`;

export const PROPOSE_RULE = gql`
  mutation ProposeRule($input: ProposeRuleInput!) { proposeRule(input: $input) { ...ProposalFields } }
  ${PROPOSAL_FIELDS}
`;

export const OPEN_PROPOSAL = gql`
  mutation OpenProposal($input: ProposalIDInput!) { openProposal(input: $input) { ...ProposalFields } }
  ${PROPOSAL_FIELDS}
`;

export const VOTE = gql`
  mutation VoteOnProposal($input: VoteOnProposalInput!) { voteOnProposal(input: $input) { ...ProposalFields } }
  ${PROPOSAL_FIELDS}
`;

export const BACKTEST = gql`
  mutation BacktestProposal($input: BacktestProposalInput!) { backtestProposal(input: $input) { ...ProposalFields } }
  ${PROPOSAL_FIELDS}
`;

export const ENACT = gql`
  mutation EnactProposal($input: ProposalIDInput!) { enactProposal(input: $input) { ...ProposalFields } }
  ${PROPOSAL_FIELDS}
`;

export const WITHDRAW = gql`
  mutation WithdrawProposal($input: ProposalIDInput!) { withdrawProposal(input: $input) { ...ProposalFields } }
  ${PROPOSAL_FIELDS}
`;
