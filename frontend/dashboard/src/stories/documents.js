import { gql } from '@urql/core';

export const STORIES = gql`
  query Stories($siteID: ID!, $query: String, $closed: Boolean, $first: Int, $after: String) {
    stories(siteID: $siteID, query: $query, closed: $closed, first: $first, after: $after) {
      edges { node { id title url closed closesAt moderation commentCount createdAt } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

export const UPDATE_STORY = gql`
  mutation UpdateStory($input: UpdateStoryInput!) {
    updateStory(input: $input) { id closed closesAt moderation }
  }
`;
