package federation_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/federation"
)

// BenchmarkEnvelope measures signing and full verification (decode, payload checks, key
// lookup in memory, Ed25519, freshness, ownership) of a comment envelope, without the
// database: the ceiling of what one core verifies per second before anything is applied.
func BenchmarkEnvelope(b *testing.B) {
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, ed25519.SeedSize))
	s := federation.NewSigner("beta", priv)
	now := time.Now()
	peer := &parley.Peer{Name: "beta", State: parley.PeerActive, Keys: []parley.PeerKey{{
		ID: s.KeyID, PublicKey: priv.Public().(ed25519.PublicKey), ValidFrom: now.Add(-time.Hour)}}}
	v := &federation.Verifier{Self: "alpha", Peer: func(context.Context, string) (*parley.Peer, error) { return peer, nil }}
	payload := comment("beta", "c1")
	ctx := context.Background()
	b.Run("sign", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.Sign(federation.KindCommentCreated, payload, now); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "envelopes/s")
	})
	wire := MustSign(b, s, federation.KindCommentCreated, payload, now)
	b.Run("verify", func(b *testing.B) {
		for b.Loop() {
			if _, err := v.Verify(ctx, wire, now); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "envelopes/s")
	})
	b.Run("sign+verify", func(b *testing.B) {
		for b.Loop() {
			e, err := s.Sign(federation.KindCommentCreated, payload, now)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := v.Verify(ctx, e.Marshal(), now); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "envelopes/s")
	})
}
