package parley

import "time"

// UserCreated is a new account, signed up or made by single sign-on (the event's site is
// then the site that vouched for it).
type UserCreated struct {
	ID       string `json:"id"`
	Username string `json:"username"`
}

// Kind implements EventPayload.
func (UserCreated) Kind() string { return EventUserCreated }

// UserDeleted is an account erased by its owner. Its comments, reactions and reports went
// first, each with its own event.
type UserDeleted struct {
	ID string `json:"id"`
}

// Kind implements EventPayload.
func (UserDeleted) Kind() string { return EventUserDeleted }

// UserRoleChanged is a role granted on the event's site.
type UserRoleChanged struct {
	UserID string `json:"userID"`
	Role   Role   `json:"role"`
}

// Kind implements EventPayload.
func (UserRoleChanged) Kind() string { return EventUserRoleChanged }

// UserSanctioned is a sanction imposed on a user (on the event's site, or everywhere when the
// event has no site), or one lifted: RevokedAt is set then.
type UserSanctioned struct {
	SanctionID   string       `json:"sanctionID"`
	UserID       string       `json:"userID"`
	SanctionKind SanctionKind `json:"kind"`
	// ModeratorID is who imposed the sanction; RevokedBy is who lifted it.
	ModeratorID string     `json:"moderatorID"`
	ExpiresAt   *time.Time `json:"expiresAt"`
	RevokedAt   *time.Time `json:"revokedAt"`
	RevokedBy   string     `json:"revokedBy"`
}

// Kind implements EventPayload.
func (UserSanctioned) Kind() string { return EventUserSanctioned }

// TokensRevoked is a bearer token of a user revoked (signed out, or withdrawn), or every one
// of them when TokenID is "". Replicas keep a token's owner for a few seconds to spare reads a
// database round trip; this event is what makes each of them forget it at once.
type TokensRevoked struct {
	UserID  string `json:"userID"`
	TokenID string `json:"tokenID"`
}

// Kind implements EventPayload.
func (TokensRevoked) Kind() string { return EventTokensRevoked }
