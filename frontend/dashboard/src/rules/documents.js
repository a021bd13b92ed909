// The rules view's GraphQL operations (graph/rules.graphqls).
import { gql } from '@urql/core';

const EFFECT = gql`
  fragment EffectFields on RuleEffect { kind code level weight perMinute }
`;

export const RULES = gql`
  query Rules($siteID: ID!) {
    rules(siteID: $siteID) {
      id name expression shadow version proposalID enactedAt
      effect { ...EffectFields }
      versions { id version name expression shadow enactedAt effect { ...EffectFields } }
    }
    ruleGovernance(siteID: $siteID) { moderatorQuorum memberVotes memberQuorum enactDelaySeconds costLimit }
    stageStats(siteID: $siteID) { stage decided truePositives falsePositives falseNegatives canBeWrong }
    ruleProposals(siteID: $siteID, state: ENACTED) {
      id enactedVersion ruleID
      backtest { comments ranAt agreement { effect precision recall decided predicted } }
    }
  }
  ${EFFECT}
`;

export const CHECK_RULE = gql`
  query CheckRule($siteID: ID!, $expression: String!) {
    checkRule(siteID: $siteID, expression: $expression) { valid costMax issues { line column message } }
  }
`;

export const RULE_NOW = gql`
  query RuleNow($siteID: ID!) {
    rules(siteID: $siteID) { id name expression shadow version effect { ...EffectFields } }
  }
  ${EFFECT}
`;

const THRESHOLD_FIELDS = 'accountAgeDays daysVisited commentsPublished reactionsReceived maxRejected maxReportsAgainst noActiveSanctions';

export const TRUST_THRESHOLDS = gql`
  query TrustThresholds($siteID: ID!) {
    trustThresholds(siteID: $siteID) {
      basic { ${THRESHOLD_FIELDS} } member { ${THRESHOLD_FIELDS} } regular { ${THRESHOLD_FIELDS} }
    }
  }
`;

export const SET_GOVERNANCE = gql`
  mutation SetRuleGovernance($input: RuleGovernanceInput!) {
    setRuleGovernance(input: $input) { moderatorQuorum memberVotes memberQuorum enactDelaySeconds costLimit }
  }
`;
