package auth

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"

	"github.com/parleyhq/parley"
)

// Credentials implements parley.CredentialService: a reader sees and revokes their own
// sessions and API tokens, and signs out everywhere after losing a device.
type Credentials struct {
	store parley.CredentialStore
	log   *slog.Logger
	// forget makes this replica drop a user's cached tokens after a revocation.
	forget func(userID string)
}

// ForgetWith makes revocations drop the user's tokens from svc's identity cache at once on
// this replica (the others hear the revocation's event).
func (c *Credentials) ForgetWith(svc *Service) *Credentials {
	c.forget = svc.forgetUser
	return c
}

// NewCredentials returns the credential service over store; a nil logger discards.
func NewCredentials(store parley.CredentialStore, logger *slog.Logger) *Credentials {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Credentials{store: store, log: logger, forget: func(string) {}}
}

var _ parley.CredentialService = (*Credentials)(nil)

func signedIn(ctx context.Context) (*parley.User, error) {
	u := parley.UserFromContext(ctx)
	if u == nil {
		return nil, parley.Errorf(parley.EUNAUTHENTICATED, "Sign in to see your sessions and API tokens.")
	}
	return u, nil
}

// Sessions lists the caller's sessions and marks the one the request came with.
func (c *Credentials) Sessions(ctx context.Context, currentToken string) ([]*parley.Session, error) {
	u, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	toks, err := c.store.FindLiveTokens(ctx, u.ID, KindSession)
	if err != nil {
		return nil, fmt.Errorf("auth: list sessions: %w", err)
	}
	var current []byte
	if currentToken != "" {
		current, _ = HashToken(currentToken) // a malformed token is simply no session of the list
	}
	out := make([]*parley.Session, len(toks))
	for i, t := range toks {
		out[i] = &parley.Session{ID: t.ID, CreatedAt: t.CreatedAt, LastUsedAt: t.LastUsedAt, ExpiresAt: t.ExpiresAt,
			Current: current != nil && bytes.Equal(current, t.Hash)}
	}
	return out, nil
}

// APITokens lists the caller's API tokens, without their secrets, which are never kept.
func (c *Credentials) APITokens(ctx context.Context) ([]*parley.APIToken, error) {
	u, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	toks, err := c.store.FindLiveTokens(ctx, u.ID, KindAPI)
	if err != nil {
		return nil, fmt.Errorf("auth: list API tokens: %w", err)
	}
	out := make([]*parley.APIToken, len(toks))
	for i, t := range toks {
		out[i] = &parley.APIToken{ID: t.ID, Name: t.Name, UserID: t.UserID, CreatedAt: t.CreatedAt, LastUsedAt: t.LastUsedAt}
	}
	return out, nil
}

// RevokeSession ends one of the caller's sessions.
func (c *Credentials) RevokeSession(ctx context.Context, id string) error {
	return c.revoke(ctx, KindSession, "sessionID", id)
}

// RevokeAPIToken revokes one of the caller's API tokens.
func (c *Credentials) RevokeAPIToken(ctx context.Context, id string) error {
	return c.revoke(ctx, KindAPI, "tokenID", id)
}

func (c *Credentials) revoke(ctx context.Context, kind, field, id string) error {
	u, err := signedIn(ctx)
	if err != nil {
		return err
	}
	if id == "" {
		return parley.FieldErrorf(field, "Say which one to revoke.")
	}
	if err := c.store.RevokeTokenByID(ctx, u.ID, kind, id); err != nil {
		if parley.ErrorCode(err) == parley.ENOTFOUND {
			return &parley.Error{Code: parley.ENOTFOUND, Field: field, Message: "No such live session or token of yours."}
		}
		return fmt.Errorf("auth: revoke %s: %w", kind, err)
	}
	c.forget(u.ID)
	c.log.InfoContext(ctx, "token revoked by its owner", "user_id", u.ID, "token_id", id, "kind", kind)
	return nil
}

// SignOutEverywhere ends every session of the caller at once.
func (c *Credentials) SignOutEverywhere(ctx context.Context) (int, error) {
	u, err := signedIn(ctx)
	if err != nil {
		return 0, err
	}
	n, err := c.store.RevokeTokensOfKind(ctx, u.ID, KindSession)
	if err != nil {
		return 0, fmt.Errorf("auth: sign out everywhere: %w", err)
	}
	c.forget(u.ID)
	c.log.InfoContext(ctx, "signed out everywhere", "user_id", u.ID, "sessions", n)
	return n, nil
}
