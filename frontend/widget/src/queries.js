// Every GraphQL operation the widget sends, as plain strings built from shared fragments.
// Operations that show comments take $siteID, for the authors' roles on the story's site.

const COMMENT = `fragment C on Comment {
  id body bodySource status rejectionReason depth replyCount featured createdAt editedAt version
  parent { id }
  author { id username guest role(siteID: $siteID) }
  reactions { kind count viewerReacted }
}`;

const PAGE = `fragment P on CommentConnection { edges { node { ...C } } pageInfo { hasNextPage endCursor } }`;

const VIEWER = `fragment V on User { id username hasPassword mutedUsers { id username } }`;

const AUTH = `fragment A on AuthPayload { token deletionCancelled user { id username } }`;

/** How many top-level comments a page holds, and how many replies come inline with each. */
export const PAGE_SIZE = 25;
export const INLINE_REPLIES = 3;
export const REPLY_PAGE_SIZE = 10;

/**
 * The story and its site's settings: the same for every reader, so the server's page cache
 * answers it for signed-in readers too. The viewer comes from VIEWER_QUERY, asked alongside.
 */
export const STORY = `query Story($id: ID, $url: String) {
  story(id: $id, url: $url) {
    id url closed commentCount
    site { id settings { editWindowSeconds maxDepth commentingDisabled closedMessage guestComments reactionKinds { kind label icon } } }
  }
}`;

export const COMMENTS = `query Comments($storyID: ID!, $siteID: ID!, $order: CommentOrder, $after: String) {
  story(id: $storyID) {
    comments(first: ${PAGE_SIZE}, after: $after, orderBy: $order) {
      edges { node { ...C replies(first: ${INLINE_REPLIES}) { ...P } } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
${COMMENT}
${PAGE}`;

export const REPLIES = `query Replies($id: ID!, $siteID: ID!, $after: String) {
  comment(id: $id) { id replies(first: ${REPLY_PAGE_SIZE}, after: $after) { ...P } }
}
${COMMENT}
${PAGE}`;

/** A single comment for the one-comment embed; its site comes first (see COMMENT_SITE). */
export const COMMENT_SITE = `query CommentSite($id: ID!) { comment(id: $id) { story { site { id } } } }`;
export const ONE_COMMENT = `query OneComment($id: ID!, $siteID: ID!) {
  comment(id: $id) { ...C story { url site { id settings { editWindowSeconds maxDepth commentingDisabled closedMessage reactionKinds { kind label icon } } } } }
}
${COMMENT}`;

export const VIEWER_QUERY = `query Viewer { viewer { ...V } } ${VIEWER}`;
export const SIGN_IN = `mutation SignIn($input: SignInInput!) { signIn(input: $input) { ...A } } ${AUTH}`;
export const SIGN_UP = `mutation SignUp($input: SignUpInput!) { signUp(input: $input) { ...A } } ${AUTH}`;
export const SIGN_IN_SSO = `mutation SSO($input: SSOInput!) { signInWithSSO(input: $input) { ...A } } ${AUTH}`;
export const SIGN_OUT = `mutation { signOut }`;
export const DELETE_ACCOUNT = `mutation($input: DeleteAccountInput!) { deleteAccount(input: $input) }`;

const commentMutation = (name, input) => `mutation ${name}($input: ${input}!, $siteID: ID!) {
  ${name[0].toLowerCase() + name.slice(1)}(input: $input) { comment { ...C } }
}
${COMMENT}`;

export const CREATE = commentMutation('CreateComment', 'CreateCommentInput');
export const EDIT = commentMutation('EditComment', 'EditCommentInput');
export const GUEST_CREATE = commentMutation('CreateGuestComment', 'GuestCommentInput');
export const DELETE = commentMutation('DeleteComment', 'DeleteCommentInput');
export const ADD_REACTION = commentMutation('AddReaction', 'ReactionInput');
export const REMOVE_REACTION = commentMutation('RemoveReaction', 'ReactionInput');
export const PREVIEW = `query Preview($siteID: ID!, $body: String!) { previewComment(siteID: $siteID, body: $body) }`;
export const REPORT = `mutation Report($input: ReportInput!) { reportComment(input: $input) { comment { id } } }`;


export const MUTE = `mutation Mute($input: MuteInput!) { muteUser(input: $input) { id } }`;
export const UNMUTE = `mutation Unmute($input: MuteInput!) { unmuteUser(input: $input) { id } }`;

export const CREATED = `subscription Created($storyID: ID!, $siteID: ID!) { commentCreated(storyID: $storyID) { ...C } } ${COMMENT}`;
export const UPDATED = `subscription Updated($storyID: ID!, $siteID: ID!) { commentUpdated(storyID: $storyID) { ...C } } ${COMMENT}`;
export const NOTIFICATIONS = `subscription Notifications($siteID: ID!) { notifications { kind comment { ...C story { id } } } } ${COMMENT}`;

export const REVOKE_SESSION = `mutation RevokeSession($input: RevokeSessionInput!) { revokeSession(input: $input) }`;
export const SIGN_OUT_EVERYWHERE = `mutation { signOutEverywhere }`;
export const ADDED = `subscription Added { notificationAdded { id } }`;
export const UNREAD = `query Unread { unreadNotificationCount }`;
