package federation_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/federation"
)

// FuzzVerifyEnvelope checks that decoding and verification never panic, refuse only with a
// *Rejection whose reason is one of federation.Reasons, and never accept bytes whose
// canonical form was not signed by the pinned key: any accepted envelope must have the
// canonical bytes of one the test signed.
func FuzzVerifyEnvelope(f *testing.F) {
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))
	beta := federation.NewSigner("beta", priv)
	received := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	peer := &parley.Peer{Name: "beta", State: parley.PeerActive, Keys: []parley.PeerKey{{
		ID: beta.KeyID, PublicKey: priv.Public().(ed25519.PublicKey), ValidFrom: received.Add(-time.Hour)}}}
	v := &federation.Verifier{Self: "alpha", Peer: func(_ context.Context, name string) (*parley.Peer, error) {
		if name == "beta" {
			return peer, nil
		}
		return nil, parley.Errorf(parley.ENOTFOUND, "Peer not found.")
	}}
	var signed [][]byte
	sign := func(id, kind, payload string) []byte {
		e, err := beta.SignRaw(id, kind, []byte(payload), received.Add(-time.Second))
		if err != nil {
			f.Fatal(err)
		}
		signed = append(signed, e.Canonical())
		return e.Marshal()
	}
	comment := `{"comment":{"instance":"beta","id":"c1"},"author":{"instance":"beta","id":"u1","username":"ada"},"storyURL":"https://n.example/a","bodySource":"hi","createdAt":"2026-12-07T07:00:00Z"}`
	seeds := [][]byte{
		sign("e1", federation.KindCommentCreated, comment),
		sign("e2", federation.KindCommentEdited, strings.Replace(comment, `"hi"`, `"hi \u00e9 \"q\""`, 1)),
		sign("e3", federation.KindTombstone, `{"object":{"instance":"beta","id":"c1"},"type":"comment"}`),
		sign("e4", federation.KindLink, `{"peer":"alpha","url":"https://beta.example"}`),
		sign("e5", federation.KindTombstone, `{"object":{"instance":"gamma","id":"c1"},"type":"user"}`),
		sign("e6", "comment.exploded", `{}`),
		[]byte(`{}`),
		[]byte(`null`),
		[]byte(`{"id":"e1","origin":"beta","kind":"tombstone","created":"2026-12-07T07:59:59.000Z","keyID":"x","payload":{},"sig":""}`),
		[]byte(`{"id":"e1","origin":"beta","kind":"tombstone","created":"2026-12-07T07:59:59.000Z","keyID":"x","payload":{"object":{"instance":"beta","id":"c1"},"type":"comment"},"sig":"` + strings.Repeat("A", 86) + `"}`),
		[]byte(`[1,2,3]`),
		[]byte("{\"id\":\"\xff\"}"),
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := v.Verify(context.Background(), data, received)
		if err != nil {
			var rej *federation.Rejection
			if !errors.As(err, &rej) || !slices.Contains(federation.Reasons, rej.Reason) {
				t.Fatalf("Verify(%q) = %v; want a *Rejection with a known reason", data, err)
			}
			return
		}
		canon := got.Envelope.Canonical()
		if !slices.ContainsFunc(signed, func(s []byte) bool { return bytes.Equal(s, canon) }) {
			t.Fatalf("accepted an envelope nobody signed: %q", canon)
		}
		if got.Envelope.Origin != "beta" || got.Peer != peer {
			t.Fatalf("accepted %+v from %v", got.Envelope, got.Peer)
		}
	})
}
