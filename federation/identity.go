// Package federation lets independent Parley instances talk: each has an Ed25519 identity,
// pins its peers' keys, and exchanges signed envelopes over NATS JetStream that the
// receiver verifies (signer, origin, freshness, size, replay) before it applies them through
// its own local rules.
package federation

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/seal"
)

// DefaultActivation is how long a new key is published before it signs: peers read the
// well-known document again every PeerRefreshInterval, so by the time the new key signs
// every peer has pinned it and no envelope is refused for naming a key not yet known.
const DefaultActivation = 15 * time.Minute

// PeerRefreshInterval is how often peers' documents are read again.
const PeerRefreshInterval = 5 * time.Minute

// DefaultOverlap is how long a rotated key stays valid, so that envelopes signed just before
// a rotation and still in a stream (a peer offline for a day) are not dropped.
const DefaultOverlap = 72 * time.Hour

// KeyID names a public key in envelopes: the first 16 hex digits of its SHA-256.
func KeyID(pub []byte) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// Fingerprint is what an admin compares out of band before trusting a peer: "SHA256:"
// and the unpadded base64 of the public key's SHA-256, as ssh shows host keys.
func Fingerprint(pub []byte) string {
	sum := sha256.Sum256(pub)
	return "SHA256:" + base64.RawStdEncoding.EncodeToString(sum[:])
}

// Sealer seals private keys at rest (package seal) under a key derived from the operator's
// secret, so that a database dump alone cannot sign as the instance. A nil *Sealer stores
// keys in the clear.
type Sealer = seal.Box

// sealPurpose derives the federation's key; it never changes, or sealed keys stop opening.
const sealPurpose = "parley federation private key v1"

// NewSealer derives the sealing key from secret (PARLEY_SECRET_KEY); "" gives nil, no
// sealing. Secrets shorter than 16 bytes are refused: they would be guessable.
func NewSealer(secret string) (*Sealer, error) { return seal.New(secret, sealPurpose) }

// newKey makes a key pair, sealed when sealer is set.
func newKey(sealer *Sealer, now time.Time) (parley.InstanceKey, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return parley.InstanceKey{}, err
	}
	k := parley.InstanceKey{ID: KeyID(pub), PublicKey: pub, CreatedAt: now.UTC().Truncate(time.Microsecond)}
	if sealer != nil {
		k.SealedPrivate, k.Sealed = sealer.Seal(k.ID, priv.Seed()), true
	} else {
		k.SealedPrivate = priv.Seed()
	}
	return k, nil
}

// Signer signs envelopes with one private key of the instance.
type Signer struct {
	Origin string
	KeyID  string
	key    ed25519.PrivateKey
}

// NewSigner returns a signer for origin with a private key, for tests and tools that make
// their own keys; the server gets its signer from Identity.
func NewSigner(origin string, key ed25519.PrivateKey) *Signer {
	return &Signer{Origin: origin, KeyID: KeyID(key.Public().(ed25519.PublicKey)), key: key}
}

// Identity is this instance's federation identity: its name and its keys in the database,
// the current one of which signs. It reads the keys on each use, so a rotation on one
// replica is seen by all.
type Identity struct {
	name       string
	address    string
	store      parley.FederationStore
	sealer     *Sealer
	now        func() time.Time
	activation time.Duration
}

// IdentityOptions configure OpenIdentity.
type IdentityOptions struct {
	// Name is the instance's name (PARLEY_INSTANCE), the origin of its envelopes.
	Name string
	// FederationAddress is where peers' NATS servers connect (leaf nodes), published in
	// the well-known document.
	FederationAddress string
	// Secret seals private keys (PARLEY_SECRET_KEY); "" stores them in the clear.
	Secret string
	Now    func() time.Time
	// Activation is how long a rotated-in key waits before it signs, DefaultActivation when
	// 0; a negative value signs with it at once (tests).
	Activation time.Duration
}

// OpenIdentity loads the instance's keys, making the first pair when there is none, and
// checks that the current private key opens with the configured secret, so that a wrong
// or missing PARLEY_SECRET_KEY fails at start rather than at the first envelope.
func OpenIdentity(ctx context.Context, store parley.FederationStore, o IdentityOptions) (*Identity, error) {
	sealer, err := NewSealer(o.Secret)
	if err != nil {
		return nil, err
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	switch {
	case o.Activation == 0:
		o.Activation = DefaultActivation
	case o.Activation < 0:
		o.Activation = 0
	}
	id := &Identity{name: o.Name, address: o.FederationAddress, store: store, sealer: sealer, now: o.Now, activation: o.Activation}
	keys, err := store.InstanceKeys(ctx)
	if err != nil {
		return nil, err
	}
	if current(keys, o.Now()) == nil {
		k, err := newKey(sealer, o.Now())
		if err != nil {
			return nil, err
		}
		if len(keys) == 0 {
			_, err = store.AddFirstInstanceKey(ctx, k)
		} else {
			// Every key was revoked or expired: start a new one at once.
			err = store.RotateInstanceKey(ctx, k, o.Now())
		}
		if err != nil {
			return nil, err
		}
	}
	if _, err := id.Signer(ctx); err != nil {
		return nil, err
	}
	return id, nil
}

// current is the newest key that is neither revoked nor closed by a rotation.
func current(keys []parley.InstanceKey, now time.Time) *parley.InstanceKey {
	for i := range keys {
		if keys[i].RevokedAt == nil && keys[i].NotAfter == nil {
			return &keys[i]
		}
	}
	return nil
}

// signing is the key that signs now: the newest valid key published for at least the
// activation delay, or, when there is none (the first key, or an emergency after a
// revocation), the newest valid key.
func signing(keys []parley.InstanceKey, now time.Time, activation time.Duration) *parley.InstanceKey {
	var newest *parley.InstanceKey
	for i := range keys {
		k := &keys[i]
		if !k.ValidAt(now) {
			continue
		}
		if newest == nil {
			newest = k
		}
		if !k.CreatedAt.After(now.Add(-activation)) {
			return k
		}
	}
	return newest
}

// Name is the instance's name, the origin of what it signs.
func (id *Identity) Name() string { return id.name }

// Keys returns every key that is still valid or was once published, newest first.
func (id *Identity) Keys(ctx context.Context) ([]parley.InstanceKey, error) {
	return id.store.InstanceKeys(ctx)
}

// Signer returns a signer with the current key.
func (id *Identity) Signer(ctx context.Context) (*Signer, error) {
	keys, err := id.store.InstanceKeys(ctx)
	if err != nil {
		return nil, err
	}
	return id.signerOf(signing(keys, id.now(), id.activation))
}

// newestSigner returns a signer with the newest valid key, even one not signing yet: a key
// notice is signed with it, so the receiver reads the document that publishes it.
func (id *Identity) newestSigner(ctx context.Context) (*Signer, error) {
	keys, err := id.store.InstanceKeys(ctx)
	if err != nil {
		return nil, err
	}
	return id.signerOf(current(keys, id.now()))
}

func (id *Identity) signerOf(k *parley.InstanceKey) (*Signer, error) {
	if k == nil {
		return nil, parley.Errorf(parley.ECONFLICT, "This instance has no valid signing key; restart it to make one.")
	}
	var err error
	seed := k.SealedPrivate
	switch {
	case k.Sealed && id.sealer == nil:
		return nil, fmt.Errorf("federation key %s is sealed: set PARLEY_SECRET_KEY (or PARLEY_SECRET_KEY_FILE) to the secret it was sealed with", k.ID)
	case k.Sealed:
		if seed, err = id.sealer.Open(k.ID, k.SealedPrivate); err != nil {
			return nil, fmt.Errorf("federation key %s does not open with PARLEY_SECRET_KEY: is it the secret the key was sealed with?", k.ID)
		}
	}
	if len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("federation key %s: stored private key has %d bytes", k.ID, len(seed))
	}
	return &Signer{Origin: id.name, KeyID: k.ID, key: ed25519.NewKeyFromSeed(seed)}, nil
}

// Rotate makes a new key, published at once and signing after the activation delay; the
// keys it replaces stay valid for overlap (DefaultOverlap when 0, never less than twice the
// activation delay), then expire. It returns the new key's ID.
func (id *Identity) Rotate(ctx context.Context, overlap time.Duration) (string, error) {
	if overlap <= 0 {
		overlap = DefaultOverlap
	}
	overlap = max(overlap, 2*id.activation)
	now := id.now()
	k, err := newKey(id.sealer, now)
	if err != nil {
		return "", err
	}
	return k.ID, id.store.RotateInstanceKey(ctx, k, now.Add(overlap))
}

// Revoke ends a key's validity at once. Revoking the current key makes a new one first, so
// the instance is never left without a signing key.
func (id *Identity) Revoke(ctx context.Context, keyID string) error {
	keys, err := id.store.InstanceKeys(ctx)
	if err != nil {
		return err
	}
	if c := current(keys, id.now()); c != nil && c.ID == keyID {
		// The newest key is compromised: a new one must sign at once.
		k, err := newKey(id.sealer, id.now())
		if err != nil {
			return err
		}
		if err := id.store.RotateInstanceKey(ctx, k, id.now()); err != nil {
			return err
		}
	}
	return id.store.RevokeInstanceKey(ctx, keyID, id.now())
}

// Info is this instance as the API shows it.
func (id *Identity) Info(ctx context.Context) (*parley.InstanceInfo, error) {
	s, err := id.Signer(ctx)
	if err != nil {
		return nil, err
	}
	pub := s.key.Public().(ed25519.PublicKey)
	return &parley.InstanceInfo{Name: id.name, PublicKey: pub, KeyID: s.KeyID, Fingerprint: Fingerprint(pub),
		FederationAddress: id.address}, nil
}
