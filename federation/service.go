package federation

import (
	"context"

	"github.com/parleyhq/parley"
)

// Service is federation as the API offers it: this instance's identity and its peers.
type Service struct {
	id *Identity
}

var _ parley.FederationService = (*Service)(nil)

// NewService returns the service of an identity.
func NewService(id *Identity) *Service { return &Service{id: id} }

// Instance describes this instance; anyone may read it, as anyone may read the well-known
// document.
func (s *Service) Instance(ctx context.Context) (*parley.InstanceInfo, error) {
	return s.id.Info(ctx)
}
