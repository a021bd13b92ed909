import { gql } from '@urql/core';

export const STORIES = gql`
  query Stories($siteID: ID!, $query: String, $closed: Boolean, $first: Int, $after: String, $sharing: Boolean = false) {
    stories(siteID: $siteID, query: $query, closed: $closed, first: $first, after: $after) {
      edges { node { id title url closed closesAt moderation commentCount createdAt sharedWith @include(if: $sharing) { id name state } } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

export const UPDATE_STORY = gql`
  mutation UpdateStory($input: UpdateStoryInput!) {
    updateStory(input: $input) { id closed closesAt moderation }
  }
`;

export const SHAREABLE_PEERS = gql`
  query ShareablePeers($siteID: ID!) {
    shareablePeers(siteID: $siteID) { id name state }
  }
`;

export const SHARE_STORY = gql`
  mutation ShareStory($input: ShareStoryInput!) {
    shareStory(input: $input) { id sharedWith { id name state } }
  }
`;

export const UNSHARE_STORY = gql`
  mutation UnshareStory($input: ShareStoryInput!) {
    unshareStory(input: $input) { id sharedWith { id name state } }
  }
`;
