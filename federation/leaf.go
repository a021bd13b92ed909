package federation

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"

	"golang.org/x/crypto/bcrypt"

	"github.com/parleyhq/parley"
)

// Leaf credentials: every peer signs in to our NATS leaf listener with a password of its
// own, so that removing or defederating it closes its access at once and it reads only the
// account that holds what is addressed to it (nats.FederationOptions). Each side makes the
// password it will present when it adds the other, keeps it sealed like its signing key,
// and sends only its bcrypt hash, in the signed link message: the password itself never
// leaves the instance except to sign in.

// leafSecretBytes is the entropy of a leaf password.
const leafSecretBytes = 32

// ensureLeafSecret gives p a password to present at its leaf listener, once.
func (id *Identity) ensureLeafSecret(p *parley.Peer) error {
	if len(p.LeafSecret) > 0 {
		return nil
	}
	var b [leafSecretBytes]byte
	if _, err := rand.Read(b[:]); err != nil {
		return err
	}
	plain := []byte(base64.RawURLEncoding.EncodeToString(b[:]))
	if id.sealer != nil {
		p.LeafSecret, p.LeafSecretSealed = id.sealer.Seal(leafLabel(p.Name), plain), true
	} else {
		p.LeafSecret, p.LeafSecretSealed = plain, false
	}
	return nil
}

// leafLabel binds a sealed leaf password to its peer, so it cannot be moved to another row.
func leafLabel(peer string) string { return "leaf:" + peer }

// LeafSecret opens the password this instance presents at p's leaf listener; "" when none
// was made yet (a peer added by an earlier version: the next key refresh makes one).
func (id *Identity) LeafSecret(p *parley.Peer) (string, error) {
	if len(p.LeafSecret) == 0 {
		return "", nil
	}
	if !p.LeafSecretSealed {
		return string(p.LeafSecret), nil
	}
	if id.sealer == nil {
		return "", fmt.Errorf("the leaf password of peer %s is sealed and PARLEY_SECRET_KEY is not set", p.Name)
	}
	plain, err := id.sealer.Open(leafLabel(p.Name), p.LeafSecret)
	if err != nil {
		return "", fmt.Errorf("the leaf password of peer %s does not open with PARLEY_SECRET_KEY: %w", p.Name, err)
	}
	return string(plain), nil
}

// leafHash is what p is told of the password we present to it.
func (id *Identity) leafHash(p *parley.Peer) (string, error) {
	if err := id.ensureLeafSecret(p); err != nil {
		return "", err
	}
	secret, err := id.LeafSecret(p)
	if err != nil {
		return "", err
	}
	h, err := bcrypt.GenerateFromPassword([]byte(secret), bcrypt.DefaultCost)
	return string(h), err
}

// checkLeafHash accepts a bcrypt hash only: it becomes part of the NATS configuration.
func checkLeafHash(h string) error {
	if h == "" {
		return nil
	}
	if _, err := bcrypt.Cost([]byte(h)); err != nil || len(h) > 100 || strings.ContainsAny(h, "\"\\ \n{}[]") {
		return fmt.Errorf("leafHash is not a bcrypt hash")
	}
	return nil
}

// relink sends a link message to an active peer whose leaf credentials are not complete
// here (a peer linked by an earlier version): its answer carries the peer's own, and the
// message gives it ours.
func (s *Service) relink(ctx context.Context, p *parley.Peer) (bool, error) {
	if p.State != parley.PeerActive || p.LeafHash != "" && len(p.LeafSecret) > 0 {
		return false, nil
	}
	if _, err := s.sendLink(ctx, p); err != nil {
		return false, err
	}
	return true, s.store.UpdatePeer(ctx, p)
}
