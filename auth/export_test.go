package auth

import (
	"context"

	"github.com/coreos/go-oidc/v3/oidc"
)

// HumanDuration exposes humanDuration to the external tests.
var HumanDuration = humanDuration

// Verifications is how many passwords s has verified.
func Verifications(s *Service) int64 { return s.verifications.Load() }

// HoldHashSlot takes one of s's hashing slots until release is called, so that tests can
// fill them.
func HoldHashSlot(s *Service) (release func()) {
	s.hashes.slots <- struct{}{}
	return func() { <-s.hashes.slots }
}

// VerifyIDToken exposes the ID token checks of a sign-in, so that a test can present a
// genuine token issued for another client.
func VerifyIDToken(o *OIDC, ctx context.Context, issuer, clientID, raw, nonce string) error {
	d, err := o.provider(ctx, issuer)
	if err != nil {
		return err
	}
	_, err = o.verifyIDToken(oidc.ClientContext(ctx, o.opts.HTTPClient), d, clientID, raw, nonce)
	return err
}
