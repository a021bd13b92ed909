package graph

import (
	"context"

	"github.com/parleyhq/parley"
)

// credentials is the credential service, or a typed answer when this server has none.
func (r *Resolver) credentials() (parley.CredentialService, error) {
	if r.s.Credentials == nil {
		return nil, parley.Errorf(parley.ENOTFOUND, "This server does not list sessions and API tokens.")
	}
	return r.s.Credentials, nil
}

// isViewer reports whether u is the signed-in viewer, for fields private to their owner.
func isViewer(ctx context.Context, u *parley.User) bool {
	v := parley.UserFromContext(ctx)
	return v != nil && v.ID == u.ID
}
