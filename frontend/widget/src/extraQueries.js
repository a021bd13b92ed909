// The GraphQL operations of the parts loaded on demand (components/Lazy.jsx), which go into
// embed-extras.js with them; they are sent through act.request.

export const EXPORT = `{ viewerExport { generatedAt account { id username email createdAt }
comments { id storyURL storyTitle siteName bodySource status createdAt editedAt revisions }
reactions { commentID kind createdAt } reports { commentID reason details createdAt }
mutes { userID username createdAt } sanctions { kind message siteName createdAt expiresAt revokedAt } } }`;

export const TRUST = `query Standing($siteID: ID!) { trustStanding(siteID: $siteID) {
  level pinned nextLevel missing { signal max need have }
  lastChange { from to crossed byModerator reason createdAt }
  privileges { name level allowed description }
} }`;

/** The viewer's active sanctions on the site, for the notice above the composer. */
export const SANCTIONS = `query Sanctions($siteID: ID!) { viewer { id sanctions(siteID: $siteID) { id kind message expiresAt acknowledgedAt } } }`;

export const ACKNOWLEDGE = `mutation Ack($input: SanctionIDInput!) { acknowledgeSanction(input: $input) { id kind message expiresAt acknowledgedAt } }`;

/** A comment's edit history, asked for when the reader opens it. */
export const REVISIONS = `query Revisions($id: ID!) { comment(id: $id) { id revisions { id body createdAt } } }`;

/** The viewer's sessions and API tokens, asked for when the account dialog opens. */
export const CREDENTIALS = `{ viewer { id sessions { id createdAt lastUsedAt current } apiTokens { id name createdAt lastUsedAt } } }`;

export const REVOKE_TOKEN = `mutation RevokeToken($input: RevokeAPITokenInput!) { revokeAPIToken(input: $input) }`;

// The bell's panel (Inbox.jsx).
export const INBOX = `query Inbox { notifications(first: 20) { edges { node { id kind readAt createdAt actor { username } comment { id } } } } }`;
export const MARK_READ = `mutation MarkRead { markNotificationsRead }`;
export const NOTIFY_SETTINGS = `query NotifySettings { notificationSettings { kind delivery } }`;
export const SET_DELIVERY = `mutation SetDelivery($input: NotificationSettingInput!) { setNotificationDelivery(input: $input) { kind delivery } }`;

export const OIDC_PROVIDERS = `query OIDCProviders($siteID: ID!) { oidcProviders(siteID: $siteID) { id name } }`;

// Password reset and the reader's address (Auth.jsx, EmailSettings.jsx).
export const REQUEST_RESET = `mutation RequestReset($input: RequestPasswordResetInput!) { requestPasswordReset(input: $input) }`;
export const EMAIL_STATE = `{ viewer { id email emailVerified } }`;
export const RESEND_VERIFICATION = `mutation Resend($input: ResendVerificationInput) { resendVerification(input: $input) }`;
export const CHANGE_EMAIL = `mutation ChangeEmail($input: ChangeEmailInput!) { changeEmail(input: $input) }`;

// Earlier comments under the reader's verified address (Claim.jsx).
export const CLAIMABLE = `query Claimable { viewer { id claimableComments { total imported guest } } }`;
export const CLAIM = `mutation Claim { claimComments { claimed { total imported guest } } }`;
