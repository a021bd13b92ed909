// The user drawer's GraphQL operations: a user's standing on one site and the measures
// moderators take.
import { gql } from '@urql/core';

export const USER = gql`
  query UserDrawer($id: ID!, $siteID: ID!) {
    user(id: $id) {
      id
      username
      email
      admin
      createdAt
      role(siteID: $siteID)
      commentCounts(siteID: $siteID) { published pending rejected deleted }
      sanctions(siteID: $siteID, activeOnly: false) {
        id kind message createdAt expiresAt revokedAt acknowledgedAt
        site { id name }
        moderator { id username }
      }
      notes(siteID: $siteID) { id body createdAt moderator { id username } }
    }
  }
`;

// The user's comments on the site, newest first, read a page at a time (users/history.js).
export const USER_COMMENTS = gql`
  query UserComments($id: ID!, $siteID: ID!, $first: Int, $after: String) {
    user(id: $id) {
      id
      comments(siteID: $siteID, first: $first, after: $after) {
        edges { node { id body status createdAt story { id title url } } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
`;

// Administrators grant the MODERATOR role on a site, or take it back with COMMENTER.
export const SET_SITE_ROLE = gql`
  mutation SetSiteRole($input: SetSiteRoleInput!) { setSiteRole(input: $input) { id } }
`;

export const ADD_NOTE = gql`
  mutation AddUserNote($input: UserNoteInput!) { addUserNote(input: $input) { id } }
`;

export const REVOKE = gql`
  mutation RevokeSanction($input: SanctionIDInput!) { revokeSanction(input: $input) { id revokedAt } }
`;

// One mutation per measure; all answer the user.
export const SANCTIONS = {
  BAN: gql`mutation Ban($input: BanInput!) { banUser(input: $input) { id } }`,
  SUSPEND: gql`mutation Suspend($input: SuspendInput!) { suspendUser(input: $input) { id } }`,
  WARN: gql`mutation Warn($input: UserSanctionInput!) { warnUser(input: $input) { id } }`,
  PREMOD: gql`mutation Premod($input: UserSanctionInput!) { premodUser(input: $input) { id } }`,
  MESSAGE: gql`mutation Message($input: UserSanctionInput!) { messageUser(input: $input) { id } }`,
};
