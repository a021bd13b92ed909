package federation

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"time"

	"github.com/parleyhq/parley"
)

// Verification defaults.
const (
	// DefaultWindow is how old an envelope may be when it reaches our inbound stream. The
	// time compared is the stream's receipt time, so a backlog replayed after an outage is
	// judged by when it arrived, not when it was read.
	DefaultWindow = 10 * time.Minute
	// DefaultSkew is how far in the future created may be (clocks differ).
	DefaultSkew = time.Minute
)

// Rejection is why a verified-looking message was refused. Reason is a short label, one of
// a fixed set, counted in parley_federation_envelopes_total.
type Rejection struct {
	Reason string
	Detail string
}

func (r *Rejection) Error() string { return "envelope rejected (" + r.Reason + "): " + r.Detail }

// Strikes reports whether the rejection counts against the peer in the circuit breaker. An
// envelope signed with a key its peer has since revoked, reaching us late (its backlog after
// an outage), is refused but says nothing against the peer: it must not trip the breaker
// after the peer's own revocation.
func (r *Rejection) Strikes() bool { return r.Reason != "revoked_key" }

func reject(reason, format string, args ...any) *Rejection {
	return &Rejection{Reason: reason, Detail: fmt.Sprintf(format, args...)}
}

// Reasons lists every rejection reason, so the counter can be shown at zero.
var Reasons = []string{"too_large", "malformed", "bad_field", "unknown_kind", "bad_payload", "own_origin",
	"unknown_origin", "peer_not_active", "unknown_key", "revoked_key", "key_not_valid", "bad_signature", "expired",
	"from_future", "third_party_object", "wrong_subject"}

// Verifier checks an envelope before anything of it is applied.
type Verifier struct {
	// Self is this instance's name: envelopes claiming it as origin are refused.
	Self string
	// Peer finds the pinned record of an origin; ENOTFOUND means no such peer.
	Peer func(ctx context.Context, name string) (*parley.Peer, error)
	// Window, Skew and MaxBytes default to DefaultWindow, DefaultSkew and
	// DefaultMaxEnvelopeBytes.
	Window   time.Duration
	Skew     time.Duration
	MaxBytes int
}

// Verified is an envelope that passed every check, with its decoded payload and the peer
// it came from.
type Verified struct {
	Envelope *Envelope
	Payload  any
	Peer     *parley.Peer
}

// Verify decodes data and checks, in order: size and form, a known kind and a well-formed
// payload, an origin that is an active peer (not ourselves), a key of that peer's pinned set
// valid at created, the signature, created within the window of received, and that every
// object the payload speaks for belongs to the origin. A *Rejection says which check
// failed; any other error is transient (the database), and the message should come again.
func (v *Verifier) Verify(ctx context.Context, data []byte, received time.Time) (*Verified, error) {
	window, skew := v.Window, v.Skew
	if window <= 0 {
		window = DefaultWindow
	}
	if skew <= 0 {
		skew = DefaultSkew
	}
	e, err := Decode(data, v.MaxBytes)
	if err != nil {
		de := err.(*DecodeError)
		return nil, &Rejection{Reason: de.Reason, Detail: de.Err.Error()}
	}
	// A kind this build does not know may be a newer peer's: the envelope is checked all the
	// same (origin, key, signature, freshness) and only then refused as unknown_kind, which
	// Inbound ignores rather than holds against the peer.
	payload, err := decodePayload(e.Kind, e.Payload)
	var unknown *Rejection
	if err != nil {
		de := err.(*DecodeError)
		if de.Reason != "unknown_kind" {
			return nil, &Rejection{Reason: de.Reason, Detail: de.Err.Error()}
		}
		unknown = &Rejection{Reason: de.Reason, Detail: de.Err.Error()}
	}
	if e.Origin == v.Self {
		return nil, reject("own_origin", "origin %q is this instance", e.Origin)
	}
	peer, err := v.Peer(ctx, e.Origin)
	if parley.ErrorCode(err) == parley.ENOTFOUND {
		return nil, reject("unknown_origin", "no peer named %q", e.Origin)
	}
	if err != nil {
		return nil, err
	}
	// A link message is how a pending peer becomes active, so it is the one kind a
	// pending peer may send; everything else needs an active link.
	if !(peer.State == parley.PeerActive || peer.State == parley.PeerPending && e.Kind == KindLink) {
		return nil, reject("peer_not_active", "peer %q is %s", e.Origin, peer.State)
	}
	created := e.CreatedTime()
	var key *parley.PeerKey
	for i := range peer.Keys {
		if peer.Keys[i].ID == e.KeyID {
			key = &peer.Keys[i]
		}
	}
	if key == nil {
		return nil, reject("unknown_key", "key %q is not pinned for %q", e.KeyID, e.Origin)
	}
	// A revoked key is good for what reached us before its revocation, judged by our own
	// receipt time, which no holder of the key can choose.
	if key.RevokedAt != nil && !received.Before(*key.RevokedAt) {
		return nil, reject("revoked_key", "key %q of %q was revoked at %s, before this reached us at %s", e.KeyID, e.Origin,
			key.RevokedAt.UTC().Format(CreatedLayout), received.UTC().Format(CreatedLayout))
	}
	if k := *key; k.RevokedAt != nil {
		k.RevokedAt = nil
		key = &k
	}
	if !key.ValidAt(created) {
		return nil, reject("key_not_valid", "key %q of %q is revoked or expired at %s", e.KeyID, e.Origin, e.Created)
	}
	if !e.VerifySignature(ed25519.PublicKey(key.PublicKey)) {
		return nil, reject("bad_signature", "signature does not verify with key %q", e.KeyID)
	}
	if created.Before(received.Add(-window)) {
		return nil, reject("expired", "created %s, received %s, window %s", e.Created, received.UTC().Format(CreatedLayout), window)
	}
	if created.After(received.Add(skew)) {
		return nil, reject("from_future", "created %s is after %s", e.Created, received.UTC().Format(CreatedLayout))
	}
	if unknown != nil {
		return nil, unknown
	}
	for _, c := range claims(payload) {
		if c.Instance != e.Origin {
			return nil, reject("third_party_object", "%q speaks for %s@%s", e.Origin, c.ID, c.Instance)
		}
	}
	return &Verified{Envelope: e, Payload: payload, Peer: peer}, nil
}
