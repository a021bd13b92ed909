package parley

import (
	"context"
	"time"
)

// Session is one signed-in browser or device, as its owner sees it in their account: the
// reader recognises a session by when it began and was last used, and revokes the ones they
// do not recognise. The secret is never shown again after sign-in.
type Session struct {
	ID         string
	CreatedAt  time.Time
	LastUsedAt *time.Time
	ExpiresAt  *time.Time
	// Current marks the session the request was made with, so the reader does not sign
	// themself out by mistake.
	Current bool
}

// StoredToken is a live token as storage lists it for its owner: the hash lets the auth
// service tell which one is the caller's own, and LastUsedAt helps the owner recognise it.
type StoredToken struct {
	Token
	LastUsedAt *time.Time
}

// CredentialService lets signed-in readers see and revoke what keeps them signed in: their
// sessions and their API tokens. Each method acts on the caller's own credentials only; an
// anonymous caller is EUNAUTHENTICATED, and another user's credential is ENOTFOUND, the same
// answer as an unknown one, so IDs cannot be probed.
type CredentialService interface {
	// Sessions lists the caller's live sessions, newest first; currentToken is the bearer
	// token of the request, which marks one of them Current.
	Sessions(ctx context.Context, currentToken string) ([]*Session, error)
	// APITokens lists the caller's live API tokens, newest first.
	APITokens(ctx context.Context) ([]*APIToken, error)
	// RevokeSession ends one of the caller's sessions.
	RevokeSession(ctx context.Context, id string) error
	// RevokeAPIToken revokes one of the caller's API tokens.
	RevokeAPIToken(ctx context.Context, id string) error
	// SignOutEverywhere ends every session of the caller, the current one included, and
	// answers how many ended. API tokens stay: they belong to integrations, which the reader
	// revokes one by one.
	SignOutEverywhere(ctx context.Context) (int, error)
}

// CredentialStore is the storage under CredentialService. Kind is the auth service's label
// (session or API token), kept and matched without being read.
type CredentialStore interface {
	// FindLiveTokens lists a user's unexpired, unrevoked tokens of a kind, newest first.
	FindLiveTokens(ctx context.Context, userID, kind string) ([]*StoredToken, error)
	// RevokeTokenByID revokes a user's live token of a kind; anything else is ENOTFOUND.
	RevokeTokenByID(ctx context.Context, userID, kind, id string) error
	// RevokeTokensOfKind revokes every live token of a kind of a user and counts them.
	RevokeTokensOfKind(ctx context.Context, userID, kind string) (int, error)
}
