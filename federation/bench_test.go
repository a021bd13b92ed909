package federation_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"slices"
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
	// The ceiling the envelope figures compare with (DESIGN §10): bare Ed25519 signing and
	// verifying of bytes of the same size, measured in the same run.
	canonical := federation.MustDecodeEnvelope(b, wire).Canonical()
	b.Run("ceiling-ed25519-sign+verify", func(b *testing.B) {
		pub := priv.Public().(ed25519.PublicKey)
		for b.Loop() {
			if !ed25519.Verify(pub, canonical, ed25519.Sign(priv, canonical)) {
				b.Fatal("does not verify")
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

// BenchmarkInboundReceive measures what one envelope costs on arrival with the database:
// verification, the (origin, id) claim in PostgreSQL, the peer's counter, and an apply that
// does nothing (the comment pipeline's own cost is measured in package moderation).
func BenchmarkInboundReceive(b *testing.B) {
	e := MustInbound(b)
	ctx := context.Background()
	in := federation.NewInbound(&federation.Verifier{Self: "alpha", Peer: e.store.FindPeerByName}, e.store,
		federation.ApplierFunc(func(context.Context, *federation.Verified) error { return nil }), federation.InboundOptions{})
	wires := make([][]byte, 0, b.N)
	now := time.Now()
	for i := 0; i < b.N; i++ {
		wires = append(wires, MustSign(b, e.beta, federation.KindCommentCreated, comment("beta", "c"), now))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if out, err := in.Receive(ctx, wires[i], now); out != federation.Applied {
			b.Fatal(out, err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "envelopes/s")
}

// BenchmarkDelivery measures an envelope's trip between two embedded NATS servers linked by
// a leaf connection, from alpha's publish to beta's apply (verified and claimed in
// PostgreSQL), one at a time: p50 and p99 of the latency, and envelopes per second.
func BenchmarkDelivery(b *testing.B) {
	ctx := context.Background()
	store, _ := MustStore(b)
	alpha, peer := MustSigningPeer(b, store, "alpha", 1_000_000, 64<<20, 1_000_000)
	applied := make(chan string, 1)
	in := federation.NewInbound(&federation.Verifier{Self: "beta", Peer: store.FindPeerByName}, store,
		federation.ApplierFunc(func(_ context.Context, v *federation.Verified) error {
			applied <- v.Envelope.ID
			return nil
		}), federation.InboundOptions{})
	alphaNATS, alphaAddr, alphaT := MustBus(b, "alpha", nil)
	betaNATS, _, betaT := MustBus(b, "beta", in)
	MustLeaf(b, "beta", betaNATS, "alpha", alphaNATS, alphaAddr, alphaT)
	if err := betaT.Reconcile(ctx, []*parley.Peer{peer}); err != nil {
		b.Fatal(err)
	}
	send := func() (string, time.Time) {
		e, err := alpha.Sign(federation.KindCommentCreated, comment("alpha", "c"), time.Now())
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		if err := alphaT.Publish(ctx, e); err != nil {
			b.Fatal(err)
		}
		return e.ID, start
	}
	// Warm up until the leaf connection carries envelopes.
	for ready := false; !ready; {
		send()
		select {
		case <-applied:
			ready = true
		case <-time.After(100 * time.Millisecond):
		}
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		id, start := send()
		for got := <-applied; got != id; got = <-applied {
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "envelopes/s")
}
