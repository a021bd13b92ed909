// The queue's GraphQL operations. A queue item carries everything a moderator needs to
// decide without opening anything else: the story, the author, the trail and the reports.
import { gql } from '@urql/core';

const QUEUE_COMMENT = gql`
  fragment QueueComment on Comment {
    id
    body
    status
    version
    featured
    createdAt
    editedAt
    author { id username role(siteID: $siteID) }
    parent { id author { id username } }
    story { id title url }
    trail {
      id
      action
      decision
      decidedBy
      createdAt
      stages { stage decision flags score evidence version error shadow }
    }
    reports { id reason details createdAt reporter { id username } }
  }
`;

export const QUEUE = gql`
  query Queue($queue: ModerationQueue!, $siteID: ID!, $storyID: ID, $first: Int, $after: String) {
    moderationQueue(queue: $queue, siteID: $siteID, storyID: $storyID, first: $first, after: $after) {
      edges { node { ...QueueComment } }
      pageInfo { hasNextPage endCursor }
    }
  }
  ${QUEUE_COMMENT}
`;

export const COUNTS = gql`
  query QueueCounts($siteID: ID!, $storyID: ID) {
    moderationQueueCounts(siteID: $siteID, storyID: $storyID) { pending reported unmoderated approved rejected }
  }
`;

export const STORY = gql`
  query QueueStory($id: ID!) {
    story(id: $id) { id title url }
  }
`;

export const QUEUE_EVENTS = gql`
  subscription QueueEvents($siteID: ID!) {
    moderationQueueUpdated(siteID: $siteID) { kind comment { id status } }
  }
`;

const DECIDED = gql`
  fragment Decided on Comment { id status version featured }
`;

export const APPROVE = gql`
  mutation Approve($input: ModerateInput!) { approveComment(input: $input) { comment { ...Decided } } }
  ${DECIDED}
`;

export const REJECT = gql`
  mutation Reject($input: ModerateInput!) { rejectComment(input: $input) { comment { ...Decided } } }
  ${DECIDED}
`;

export const BULK_APPROVE = gql`
  mutation BulkApprove($input: BulkModerateInput!) { bulkApproveComments(input: $input) { comments { ...Decided } } }
  ${DECIDED}
`;

export const BULK_REJECT = gql`
  mutation BulkReject($input: BulkModerateInput!) { bulkRejectComments(input: $input) { comments { ...Decided } } }
  ${DECIDED}
`;

export const FEATURE = gql`
  mutation Feature($input: ModerateInput!) { featureComment(input: $input) { comment { ...Decided } } }
  ${DECIDED}
`;

export const UNFEATURE = gql`
  mutation Unfeature($input: ModerateInput!) { unfeatureComment(input: $input) { comment { ...Decided } } }
  ${DECIDED}
`;

export const UNDO = gql`
  mutation Undo($input: ModerateInput!) { undoModeration(input: $input) { comment { ...Decided } } }
  ${DECIDED}
`;
