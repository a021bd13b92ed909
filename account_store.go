package parley

import (
	"context"
	"time"
)

// AccountStore is the storage of accounts, bearer tokens and sign-in bookkeeping. Package
// auth puts its rules (hashing, lockout, token shapes, SSO checks) on top of it; the storage
// adapter implements it.
type AccountStore interface {
	// CreateUser inserts a user with a password hash ("" for SSO-only accounts) and fills in
	// ID and CreatedAt. A taken email or username is ECONFLICT with a message naming which.
	CreateUser(ctx context.Context, u *User, passwordHash string) error
	// FindCredentials finds a user by email or username, case-insensitively, with the
	// password hash; ENOTFOUND when there is none.
	FindCredentials(ctx context.Context, login string) (*User, string, error)
	// UpsertSSOUser creates or updates the account linked to (siteID, subject). A username or
	// email taken by another account is ECONFLICT.
	UpsertSSOUser(ctx context.Context, siteID, subject, email, username string) (*User, error)
	// ClaimJTI records a token ID until it expires; a second claim is ECONFLICT.
	ClaimJTI(ctx context.Context, siteID, jti string, expires time.Time) error
	// SiteSSOSecret returns the site's SSO secret, "" when none is set; ENOTFOUND for no site.
	SiteSSOSecret(ctx context.Context, siteID string) (string, error)
	// CreateToken stores a session or API token by its hash and fills in ID and CreatedAt.
	CreateToken(ctx context.Context, t *Token) error
	// FindUserByTokenHash returns the owner of a live (unexpired, unrevoked) token;
	// ENOTFOUND otherwise.
	FindUserByTokenHash(ctx context.Context, hash []byte) (*User, error)
	// RevokeToken revokes a token by its hash; revoking an unknown token is ENOTFOUND.
	RevokeToken(ctx context.Context, hash []byte) error
	// CountSignInFailures counts failures recorded for key since a time. Keys are opaque to
	// the store: the auth service derives them from the login (a SHA-256 of the lowercased
	// login, so no email address is stored), never from an IP or an account ID.
	CountSignInFailures(ctx context.Context, key string, since time.Time) (int, error)
	// RecordSignInFailure notes one failed sign-in under key, at the current time.
	RecordSignInFailure(ctx context.Context, key string) error
	// ClearSignInFailures forgets key's failures after a successful sign-in.
	ClearSignInFailures(ctx context.Context, key string) error
	// PasswordHash returns a user's password hash, "" for an SSO-only account; ENOTFOUND
	// when there is no such user.
	PasswordHash(ctx context.Context, userID string) (string, error)
	// DeleteUser erases an account in one transaction, as AuthService.DeleteAccount
	// describes; deleting the last administrator is ECONFLICT and changes nothing.
	DeleteUser(ctx context.Context, userID string) error
}

// PasswordHashUpdater is an optional AccountStore method. When the store has it, a
// successful sign-in whose stored hash was made with other parameters stores a fresh hash,
// so raising the parameters upgrades accounts as their owners sign in.
type PasswordHashUpdater interface {
	UpdatePasswordHash(ctx context.Context, userID, passwordHash string) error
}

// Token is a stored bearer token: only its SHA-256 hash is kept. Kind is the auth service's
// own label (a session or an API token), which storage keeps without reading it.
type Token struct {
	ID        string
	UserID    string
	Kind      string
	Name      string
	Hash      []byte
	CreatedAt time.Time
	ExpiresAt *time.Time
}
