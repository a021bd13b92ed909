package federation_test

import (
	"context"
	"crypto/ed25519"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/federation"
)

// TestInboundRefreshesKeysForAnUnknownKey: an envelope signed with a key the peer published
// after it was pinned is applied once the peers' documents are read again, and a key no
// document names is refused without reading them more than once per KeyRefreshInterval.
func TestInboundRefreshesKeysForAnUnknownKey(t *testing.T) {
	ctx := context.Background()
	store, _ := MustStore(t)
	now := time.Now().UTC()
	oldPub, oldPriv := MustKey(t)
	newPub, newPriv := MustKey(t)
	_, strangerPriv := MustKey(t)
	old, fresh := federation.NewSigner("beta", oldPriv), federation.NewSigner("beta", newPriv)
	p := &parley.Peer{Name: "beta", URL: "https://beta.example", State: parley.PeerActive, LocalAdded: true, RemoteConfirmed: true,
		Keys: []parley.PeerKey{{ID: old.KeyID, PublicKey: oldPub, ValidFrom: now.Add(-time.Hour)}}, Fingerprint: federation.Fingerprint(oldPub)}
	if err := store.CreatePeer(ctx, p); err != nil {
		t.Fatal(err)
	}
	refreshes := 0
	// The refresh stands in for reading beta's document: it now lists the new key only.
	refresh := func(ctx context.Context) error {
		refreshes++
		p.Keys = []parley.PeerKey{{ID: fresh.KeyID, PublicKey: ed25519.PublicKey(newPub), ValidFrom: now.Add(-time.Minute)}}
		return store.UpdatePeer(ctx, p)
	}
	var applied int
	in := federation.NewInbound(&federation.Verifier{Self: "alpha", Peer: store.FindPeerByName}, store,
		federation.ApplierFunc(func(context.Context, *federation.Verified) error { applied++; return nil }),
		federation.InboundOptions{RefreshKeys: refresh})

	t.Run("the new key's envelope is applied after one refresh", func(t *testing.T) {
		out, err := in.ReceiveFrom(ctx, "beta", MustSign(t, fresh, federation.KindCommentCreated, comment("beta", "c1"), now), now)
		if out != federation.Applied || err != nil || applied != 1 || refreshes != 1 {
			t.Fatalf("outcome %s, %v; applied %d, refreshes %d", out, err, applied, refreshes)
		}
	})
	t.Run("the dropped key is refused", func(t *testing.T) {
		out, _ := in.ReceiveFrom(ctx, "beta", MustSign(t, old, federation.KindCommentCreated, comment("beta", "c2"), now), now)
		if out != federation.Rejected || applied != 1 {
			t.Fatalf("outcome %s; applied %d", out, applied)
		}
	})
	t.Run("unknown keys do not refresh again within the interval", func(t *testing.T) {
		for i := range 5 {
			stranger := federation.NewSigner("beta", strangerPriv)
			if out, _ := in.ReceiveFrom(ctx, "beta", MustSign(t, stranger, federation.KindCommentCreated, comment("beta", "x"+string(rune('0'+i))), now), now); out != federation.Rejected {
				t.Fatalf("outcome %s", out)
			}
		}
		if refreshes != 1 {
			t.Fatalf("%d refreshes", refreshes)
		}
	})
}
