// The moderation log view's GraphQL operation (graph/moderationlog.graphqls).
import { gql } from '@urql/core';

export const MODERATION_LOG = gql`
  query ModerationLog($siteID: ID!, $first: Int, $after: String) {
    moderationLog(siteID: $siteID, first: $first, after: $after) {
      edges {
        cursor
        node {
          kind at day action reason count sanction expiresAt fromLevel toLevel username moderator
          proposalID rule state version votesFor votesAgainst summary
        }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
`;
