package federation_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/federation"
)

// mustLink links a and b, both sides active.
func mustLink(tb testing.TB, a, b *instance) {
	tb.Helper()
	if _, err := a.svc.AddPeer(a.admin, parley.AddPeerInput{URL: b.srv.URL}); err != nil {
		tb.Fatal(err)
	}
	if p, err := b.svc.AddPeer(b.admin, parley.AddPeerInput{URL: a.srv.URL}); err != nil || p.State != parley.PeerActive {
		tb.Fatalf("%+v, %v", p, err)
	}
}

func pinned(tb testing.TB, in *instance, peer string) map[string]parley.PeerKey {
	tb.Helper()
	keys := map[string]parley.PeerKey{}
	for _, k := range in.MustPeer(tb, peer).Keys {
		keys[k.ID] = k
	}
	return keys
}

func rejection(err error) string {
	var rej *federation.Rejection
	if errors.As(err, &rej) {
		return rej.Reason
	}
	if err != nil {
		return "error: " + err.Error()
	}
	return ""
}

// TestARevocationReachesPeersAtOnce revokes alpha's signing key and has alpha announce it:
// beta refuses the revoked key from that moment, for envelopes reaching it afterwards,
// without any refresh of its own, and takes alpha's new key.
func TestARevocationReachesPeersAtOnce(t *testing.T) {
	ctx := context.Background()
	a, b := MustInstance(t, "alpha"), MustInstance(t, "beta")
	mustLink(t, a, b)
	stolen, err := a.id.Signer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	beforeRevocation := time.Now()
	inFlight := MustSign(t, stolen, federation.KindCommentCreated, comment("alpha", "c1"), beforeRevocation)
	if err := a.id.Revoke(ctx, stolen.KeyID); err != nil {
		t.Fatal(err)
	}
	fresh, err := a.id.Signer(ctx)
	if err != nil || fresh.KeyID == stolen.KeyID {
		t.Fatalf("signer %v, %v", fresh, err)
	}
	sent, err := a.svc.AnnounceKeys(ctx)
	if err != nil || len(sent) != 1 || sent["beta"] != nil {
		t.Fatalf("announced: %v, %v", sent, err)
	}
	t.Run("beta pins the new key and the revocation", func(t *testing.T) {
		keys := pinned(t, b, "alpha")
		if _, ok := keys[fresh.KeyID]; !ok {
			t.Fatalf("new key %s not pinned: %v", fresh.KeyID, keys)
		}
		if k := keys[stolen.KeyID]; k.RevokedAt == nil {
			t.Fatalf("revoked key %s pinned as %+v", stolen.KeyID, k)
		}
	})
	t.Run("an envelope of the revoked key reaching beta now is refused", func(t *testing.T) {
		forged := MustSign(t, stolen, federation.KindCommentCreated, comment("alpha", "forged"), time.Now())
		if _, err := b.svc.Verifier().Verify(ctx, forged, time.Now()); rejection(err) != "revoked_key" {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("even one dated before the revocation", func(t *testing.T) {
		forged := MustSign(t, stolen, federation.KindCommentCreated, comment("alpha", "backdated"), beforeRevocation)
		if _, err := b.svc.Verifier().Verify(ctx, forged, time.Now()); rejection(err) != "revoked_key" {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("one that reached beta's stream before the revocation is applied", func(t *testing.T) {
		if _, err := b.svc.Verifier().Verify(ctx, inFlight, beforeRevocation); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("an envelope of the new key verifies", func(t *testing.T) {
		e := MustSign(t, fresh, federation.KindCommentCreated, comment("alpha", "c2"), time.Now())
		if _, err := b.svc.Verifier().Verify(ctx, e, time.Now()); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("a rotation is announced too", func(t *testing.T) {
		next, err := a.id.Rotate(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		if sent, err := a.svc.AnnounceKeys(ctx); err != nil || sent["beta"] != nil {
			t.Fatalf("announced: %v, %v", sent, err)
		}
		if _, ok := pinned(t, b, "alpha")[next]; !ok {
			t.Fatalf("rotated-in key %s not pinned", next)
		}
	})
}

// TestAKeyNoticeCannotChangePinsByItself checks what a notice that is not alpha's can do
// at beta: nothing, for one signed with a key alpha's document does not vouch for (a
// made-up key, a revoked one), addressed elsewhere or from no peer; and for one signed with
// a stolen key beta has not yet learnt is revoked, only make beta read alpha's document,
// which revokes it.
func TestAKeyNoticeCannotChangePinsByItself(t *testing.T) {
	ctx := context.Background()
	a, b := MustInstance(t, "alpha"), MustInstance(t, "beta")
	mustLink(t, a, b)
	stolen, err := a.id.Signer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	notice := func(s *federation.Signer, to string) []byte {
		return MustSign(t, s, federation.KindKeys, federation.KeysPayload{Peer: to}, time.Now())
	}
	// Alpha rotates without announcing: its document has a key beta has not pinned.
	next, err := a.id.Rotate(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	before := pinned(t, b, "alpha")
	if _, ok := before[next]; ok {
		t.Fatal("the rotated-in key is pinned before any notice")
	}
	unchanged := func(t *testing.T) {
		t.Helper()
		if after := pinned(t, b, "alpha"); len(after) != len(before) {
			t.Fatalf("pins changed: %v, were %v", after, before)
		}
	}
	_, made := MustKey(t)
	for _, c := range []struct {
		name, reason string
		data         []byte
	}{
		{"a made-up key", "unknown_key", notice(federation.NewSigner("alpha", made), "beta")},
		{"addressed to another instance", "third_party_object", notice(stolen, "gamma")},
		{"from an instance that is no peer", "unknown_origin", notice(federation.NewSigner("mallory", made), "beta")},
		{"an envelope of another kind", "unknown_kind", MustSign(t, stolen, federation.KindLink, federation.LinkPayload{Peer: "beta", URL: a.srv.URL}, time.Now())},
		{"stale", "expired", MustSign(t, stolen, federation.KindKeys, federation.KeysPayload{Peer: "beta"}, time.Now().Add(-time.Hour))},
	} {
		t.Run(c.name+" is refused and changes nothing", func(t *testing.T) {
			if _, err := b.svc.ReceiveKeyNotice(ctx, c.data); rejection(err) != c.reason {
				t.Fatalf("got %v, want %s", err, c.reason)
			}
			unchanged(t)
		})
	}
	if err := a.id.Revoke(ctx, stolen.KeyID); err != nil {
		t.Fatal(err)
	}
	t.Run("the stolen key, before beta knows, only makes beta read the revocation", func(t *testing.T) {
		changed, err := b.svc.ReceiveKeyNotice(ctx, notice(stolen, "beta"))
		if err != nil || !changed {
			t.Fatalf("changed %v, %v", changed, err)
		}
		if k := pinned(t, b, "alpha")[stolen.KeyID]; k.RevokedAt == nil {
			t.Fatalf("stolen key pinned as %+v", k)
		}
	})
	t.Run("the stolen key, once beta knows, is refused before anything is read", func(t *testing.T) {
		if _, err := b.svc.ReceiveKeyNotice(ctx, notice(stolen, "beta")); rejection(err) != "revoked_key" {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("a key that alpha's document lists as revoked vouches for nothing", func(t *testing.T) {
		// Beta forgets the revocation, as if it had never pinned the stolen key.
		p := b.MustPeer(t, "alpha")
		var keep []parley.PeerKey
		for _, k := range p.Keys {
			if k.ID != stolen.KeyID {
				keep = append(keep, k)
			}
		}
		p.Keys = keep
		if err := b.store.UpdatePeer(ctx, p); err != nil {
			t.Fatal(err)
		}
		if _, err := b.svc.ReceiveKeyNotice(ctx, notice(stolen, "beta")); rejection(err) != "revoked_key" {
			t.Fatalf("got %v", err)
		}
		if _, ok := pinned(t, b, "alpha")[stolen.KeyID]; ok {
			t.Fatal("the refused notice pinned the document's keys")
		}
	})
}
