package auth

import (
	"context"
	"strings"

	"github.com/parleyhq/parley"
)

// Claims is parley.ClaimService: it decides who may claim; the store moves the comments.
type Claims struct {
	store parley.ClaimStore
	// verified reports whether a user's current address was verified.
	verified func(ctx context.Context, userID string) (bool, error)
}

// NewClaims returns the claim service on store, asking verified whether an address was
// confirmed (parley.RecoveryStore.EmailVerified).
func NewClaims(store parley.ClaimStore, verified func(ctx context.Context, userID string) (bool, error)) *Claims {
	return &Claims{store: store, verified: verified}
}

var _ parley.ClaimService = (*Claims)(nil)

// claimant returns the signed-in reader and their address when they may claim, or the
// refusal.
func (c *Claims) claimant(ctx context.Context) (*parley.User, string, error) {
	u := parley.UserFromContext(ctx)
	switch {
	case u == nil:
		return nil, "", parley.Errorf(parley.EUNAUTHENTICATED, "Sign in to claim your earlier comments.")
	case u.Guest:
		return nil, "", parley.Errorf(parley.EFORBIDDEN, "A guest has no account to claim comments into; sign up first.")
	case strings.TrimSpace(u.Email) == "":
		return nil, "", parley.FieldErrorf("email", "Your account has no email address: add one and verify it to claim the comments left under it.")
	}
	ok, err := c.verified(ctx, u.ID)
	if err != nil {
		return nil, "", err
	}
	if !ok {
		return nil, "", parley.Errorf(parley.EFORBIDDEN, "Verify your email address first: only a verified address can claim the comments left under it.")
	}
	return u, strings.ToLower(strings.TrimSpace(u.Email)), nil
}

// ClaimableComments implements parley.ClaimService.
func (c *Claims) ClaimableComments(ctx context.Context) (*parley.ClaimSummary, error) {
	u, email, err := c.claimant(ctx)
	switch code := parley.ErrorCode(err); {
	case code == parley.EFORBIDDEN || code == parley.EINVALID:
		return nil, nil // nothing is told to whom cannot claim
	case err != nil:
		return nil, err
	}
	s, err := c.store.ClaimableComments(ctx, u.ID, email)
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// ClaimComments implements parley.ClaimService.
func (c *Claims) ClaimComments(ctx context.Context) (parley.ClaimSummary, error) {
	u, email, err := c.claimant(ctx)
	if err != nil {
		return parley.ClaimSummary{}, err
	}
	return c.store.ClaimComments(ctx, u.ID, email)
}
