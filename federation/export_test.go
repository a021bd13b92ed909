package federation

import (
	"context"
	"crypto/ed25519"
	"log/slog"
	"testing"
	"time"
)

// Key returns the signer's private key, for tests that sign as another origin with it.
func (s *Signer) Key() ed25519.PrivateKey { return s.key }

// MustDecodeEnvelope decodes wire bytes or fails the test.
func MustDecodeEnvelope(tb testing.TB, wire []byte) *Envelope {
	tb.Helper()
	e, err := Decode(wire, 0)
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

// SetRateUnit stretches the period of peers' message quotas, so a test can see a quota hold
// without timing anything.
func (t *Transport) SetRateUnit(d time.Duration) { t.rateUnit = d }

// SetCatchUpInterval shortens how often a peer's outbound stream is read again, so a test
// of an outage does not wait the production interval after the link returns.
func (t *Transport) SetCatchUpInterval(d time.Duration) { t.catchUpEvery = d }

// MustVerified wraps a signed envelope as the verifier would pass it on, payload decoded.
func MustVerified(tb testing.TB, e *Envelope) *Verified {
	tb.Helper()
	p, err := decodePayload(e.Kind, e.Payload)
	if err != nil {
		tb.Fatal(err)
	}
	return &Verified{Envelope: e, Payload: p}
}

// ResetCursor forgets where catch-up of peer stands, so the next pass reads its whole stream.
func (t *Transport) ResetCursor(ctx context.Context, peer string) error {
	kv, err := t.cursors(ctx)
	if err != nil {
		return err
	}
	return kv.Delete(ctx, cursorKey(peer))
}

// AddPeerStream makes the stream of envelopes for peer, as Reconcile does for an active
// peer, without consuming anything of it.
func (t *Transport) AddPeerStream(ctx context.Context, peer string) error {
	if err := t.ensurePeerStream(ctx, peer); err != nil {
		return err
	}
	t.mu.Lock()
	t.outbound[peer] = true
	t.mu.Unlock()
	return nil
}

// SetLogger replaces the transport's logger, before Reconcile starts anything.
func (t *Transport) SetLogger(l *slog.Logger) { t.logger = l }
