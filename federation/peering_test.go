package federation_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/federation"
)

// instance is one Parley instance as federation sees it: its own database, identity and
// service, behind an HTTP server that serves /.well-known/parley and the link path.
type instance struct {
	name   string
	store  parley.FederationStore
	id     *federation.Identity
	svc    *federation.Service
	srv    *httptest.Server
	admin  context.Context
	mu     sync.Mutex
	defeds []parley.DefederateInput
}

func MustInstance(tb testing.TB, name string) *instance {
	tb.Helper()
	return MustInstanceWithSecret(tb, name, "")
}

// MustInstanceWithSecret is MustInstance with PARLEY_SECRET_KEY set: private keys and leaf
// passwords are sealed.
func MustInstanceWithSecret(tb testing.TB, name, secret string) *instance {
	tb.Helper()
	store, _ := MustStore(tb)
	in := &instance{name: name, store: store, admin: parley.NewContextWithUser(context.Background(), &parley.User{ID: "a", Username: "admin", Admin: true})}
	// New keys sign at once here; the activation delay has a test of its own.
	id, err := federation.OpenIdentity(context.Background(), store, federation.IdentityOptions{Name: name, Activation: -1, Secret: secret})
	if err != nil {
		tb.Fatal(err)
	}
	in.id = id
	mux := http.NewServeMux()
	in.srv = httptest.NewServer(mux)
	tb.Cleanup(in.srv.Close)
	in.svc = federation.NewService(in.id, store, federation.ServiceOptions{PublicURL: in.srv.URL,
		OnDefederate: func(_ context.Context, _ *parley.Peer, d parley.DefederateInput) error {
			in.mu.Lock()
			defer in.mu.Unlock()
			in.defeds = append(in.defeds, d)
			return nil
		}})
	mux.Handle("GET "+federation.WellKnownPath, in.id.WellKnownHandler(in.srv.URL, "test", nil))
	mux.Handle("POST "+federation.LinkPath, in.svc.LinkHandler())
	mux.Handle("POST "+federation.KeysPath, in.svc.KeysHandler())
	return in
}

// MustPeer returns in's record of the peer named name.
func (in *instance) MustPeer(tb testing.TB, name string) *parley.Peer {
	tb.Helper()
	p, err := in.store.FindPeerByName(context.Background(), name)
	if err != nil {
		tb.Fatalf("%s's peer %s: %v", in.name, name, err)
	}
	return p
}

func TestPeeringIsMutual(t *testing.T) {
	a, b := MustInstance(t, "alpha"), MustInstance(t, "beta")
	bInfo, _ := b.id.Info(context.Background())
	p, err := a.svc.AddPeer(a.admin, parley.AddPeerInput{URL: b.srv.URL + "/"})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("the first side to add is pending, with the peer's key pinned", func(t *testing.T) {
		if p.Name != "beta" || p.State != parley.PeerPending || p.Fingerprint != bInfo.Fingerprint || p.URL != b.srv.URL ||
			len(p.Keys) != 1 || p.Keys[0].ID != bInfo.KeyID || !p.LocalAdded || p.RemoteConfirmed {
			t.Fatalf("peer = %+v", p)
		}
		if _, err := b.store.FindPeerByName(context.Background(), "alpha"); parley.ErrorCode(err) != parley.ENOTFOUND {
			t.Fatalf("beta has a record of alpha before its admins added it: %v", err)
		}
	})
	t.Run("the second side to add makes both active", func(t *testing.T) {
		q, err := b.svc.AddPeer(b.admin, parley.AddPeerInput{URL: a.srv.URL})
		if err != nil {
			t.Fatal(err)
		}
		if q.State != parley.PeerActive || !q.RemoteConfirmed {
			t.Fatalf("beta's record of alpha = %+v", q)
		}
		if p := a.MustPeer(t, "beta"); p.State != parley.PeerActive || !p.RemoteConfirmed {
			t.Fatalf("alpha's record of beta = %+v", p)
		}
	})
	t.Run("each side holds its own leaf password and the hash of the other's", func(t *testing.T) {
		ab, ba := a.MustPeer(t, "beta"), b.MustPeer(t, "alpha")
		aSecret, err := a.id.LeafSecret(ab)
		if err != nil || aSecret == "" {
			t.Fatalf("alpha's password for beta %q, %v", aSecret, err)
		}
		bSecret, err := b.id.LeafSecret(ba)
		if err != nil || bSecret == "" || bSecret == aSecret {
			t.Fatalf("beta's password for alpha %q, %v", bSecret, err)
		}
		if bcrypt.CompareHashAndPassword([]byte(ba.LeafHash), []byte(aSecret)) != nil {
			t.Fatal("beta does not let alpha in with alpha's password")
		}
		if bcrypt.CompareHashAndPassword([]byte(ab.LeafHash), []byte(bSecret)) != nil {
			t.Fatal("alpha does not let beta in with beta's password")
		}
		if strings.Contains(string(ab.LeafSecret), aSecret) == false && !ab.LeafSecretSealed {
			t.Fatal("an unsealed password is not stored as is")
		}
	})
	t.Run("a sealed leaf password opens only with the secret", func(t *testing.T) {
		c := MustInstanceWithSecret(t, "gamma", "a secret of at least sixteen bytes")
		if _, err := c.svc.AddPeer(c.admin, parley.AddPeerInput{URL: a.srv.URL}); err != nil {
			t.Fatal(err)
		}
		p := c.MustPeer(t, "alpha")
		plain, err := c.id.LeafSecret(p)
		if err != nil || !p.LeafSecretSealed || strings.Contains(string(p.LeafSecret), plain) {
			t.Fatalf("sealed %v, stored %q, %v", p.LeafSecretSealed, p.LeafSecret, err)
		}
		if _, err := a.id.LeafSecret(p); err == nil {
			t.Fatal("a sealed password opened without the secret")
		}
	})
	t.Run("adding the same peer twice is a conflict", func(t *testing.T) {
		if _, err := a.svc.AddPeer(a.admin, parley.AddPeerInput{URL: b.srv.URL}); parley.ErrorCode(err) != parley.ECONFLICT {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("pausing stops the link and resuming restores it", func(t *testing.T) {
		p := a.MustPeer(t, "beta")
		got, err := a.svc.PausePeer(a.admin, parley.PausePeerInput{PeerID: p.ID, Paused: true})
		if err != nil || got.State != parley.PeerPaused {
			t.Fatalf("pause = %+v, %v", got, err)
		}
		got, err = a.svc.PausePeer(a.admin, parley.PausePeerInput{PeerID: p.ID, Paused: false})
		if err != nil || got.State != parley.PeerActive {
			t.Fatalf("resume = %+v, %v", got, err)
		}
	})
	t.Run("defederation ends the link and asks for the purge", func(t *testing.T) {
		p := a.MustPeer(t, "beta")
		if _, err := a.svc.Defederate(a.admin, parley.DefederateInput{PeerID: p.ID, HideContent: true}); parley.ErrorCode(err) != parley.EINVALID {
			t.Fatalf("hiding without a queue service: %v", err)
		}
		if p := a.MustPeer(t, "beta"); p.State != parley.PeerActive {
			t.Fatalf("a refused defederation changed the state to %s", p.State)
		}
		in := parley.DefederateInput{PeerID: p.ID, PurgeBacklog: true}
		got, err := a.svc.Defederate(a.admin, in)
		if err != nil || got.State != parley.PeerDefederated || len(a.defeds) != 1 || a.defeds[0] != in {
			t.Fatalf("defederate = %+v, %v; hook saw %v", got, err, a.defeds)
		}
		if _, err := a.svc.PausePeer(a.admin, parley.PausePeerInput{PeerID: p.ID}); parley.ErrorCode(err) != parley.EINVALID {
			t.Fatalf("pausing a defederated peer: %v", err)
		}
	})
	t.Run("removing forgets the peer", func(t *testing.T) {
		p := a.MustPeer(t, "beta")
		if _, err := a.svc.RemovePeer(a.admin, p.ID); err != nil {
			t.Fatal(err)
		}
		peers, err := a.svc.Peers(a.admin)
		if err != nil || len(peers) != 0 {
			t.Fatalf("peers = %v, %v", peers, err)
		}
		if _, err := a.svc.RemovePeer(a.admin, p.ID); parley.ErrorCode(err) != parley.ENOTFOUND {
			t.Fatalf("removing again: %v", err)
		}
	})
}

func TestPeeringRefuses(t *testing.T) {
	a := MustInstance(t, "alpha")
	notParley := httptest.NewServer(http.NotFoundHandler())
	defer notParley.Close()
	commenter := parley.NewContextWithUser(context.Background(), &parley.User{ID: "u", Username: "u"})
	for _, tc := range []struct {
		name string
		ctx  context.Context
		url  string
		code string
	}{
		{"an anonymous caller must sign in", context.Background(), "https://x.example", parley.EUNAUTHENTICATED},
		{"a commenter is forbidden", commenter, "https://x.example", parley.EFORBIDDEN},
		{"a URL that is not http is invalid", a.admin, "ftp://x.example", parley.EINVALID},
		{"a URL with a query is invalid", a.admin, "https://x.example/?a=1", parley.EINVALID},
		{"an empty URL is invalid", a.admin, "", parley.EINVALID},
		{"a server that is not Parley is invalid", a.admin, notParley.URL, parley.EINVALID},
		{"a server that does not answer is invalid", a.admin, "http://127.0.0.1:1", parley.EINVALID},
		{"this instance itself is invalid", a.admin, a.srv.URL, parley.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := a.svc.AddPeer(tc.ctx, parley.AddPeerInput{URL: tc.url})
			if parley.ErrorCode(err) != tc.code {
				t.Fatalf("err = %v; want %s", err, tc.code)
			}
		})
	}
	t.Run("peers are for admins only", func(t *testing.T) {
		if _, err := a.svc.Peers(commenter); parley.ErrorCode(err) != parley.EFORBIDDEN {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("a link signed by a key that is not the pinned one is refused", func(t *testing.T) {
		b := MustInstance(t, "beta")
		if _, err := a.svc.AddPeer(a.admin, parley.AddPeerInput{URL: b.srv.URL}); err != nil {
			t.Fatal(err)
		}
		_, priv := MustKey(t)
		wire := MustSign(t, federation.NewSigner("beta", priv), federation.KindLink, federation.LinkPayload{Peer: "alpha", URL: b.srv.URL}, timeNow())
		resp, err := http.Post(a.srv.URL+federation.LinkPath, "application/json", bytesReader(wire))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden || a.MustPeer(t, "beta").State != parley.PeerPending {
			t.Fatalf("status %d, state %s", resp.StatusCode, a.MustPeer(t, "beta").State)
		}
	})
}

func TestPeerKeyRotation(t *testing.T) {
	ctx := context.Background()
	a, b := MustInstance(t, "alpha"), MustInstance(t, "beta")
	if _, err := a.svc.AddPeer(a.admin, parley.AddPeerInput{URL: b.srv.URL}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.AddPeer(b.admin, parley.AddPeerInput{URL: a.srv.URL}); err != nil {
		t.Fatal(err)
	}
	old, _ := b.id.Signer(ctx)
	newID, err := b.id.Rotate(ctx, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	current, _ := b.id.Signer(ctx)
	verify := func(s *federation.Signer) error {
		_, err := a.svc.Verifier().Verify(ctx, MustSign(t, s, federation.KindTombstone,
			federation.TombstonePayload{Object: federation.ObjectRef{Instance: "beta", ID: "c1"}, Type: "comment"}, time.Now()), time.Now())
		return err
	}
	t.Run("before a refresh the new key is unknown", func(t *testing.T) {
		if err := verify(current); err == nil || !strings.Contains(err.Error(), "unknown_key") {
			t.Fatalf("verify = %v", err)
		}
	})
	t.Run("a refresh pins the new key and keeps the old one for its overlap", func(t *testing.T) {
		if n, err := a.svc.RefreshPeerKeys(ctx); err != nil || n != 1 {
			t.Fatalf("refresh = %d, %v", n, err)
		}
		p := a.MustPeer(t, "beta")
		info, _ := b.id.Info(ctx)
		if len(p.Keys) != 2 || p.Fingerprint != info.Fingerprint || info.KeyID != newID {
			t.Fatalf("alpha's record of beta: %+v", p)
		}
		if err := verify(current); err != nil {
			t.Fatal(err)
		}
		if err := verify(old); err != nil {
			t.Fatalf("the old key within its overlap: %v", err)
		}
	})
	t.Run("after revocation and a refresh the old key is refused at once", func(t *testing.T) {
		if err := b.id.Revoke(ctx, old.KeyID); err != nil {
			t.Fatal(err)
		}
		if n, err := a.svc.RefreshPeerKeys(ctx); err != nil || n != 1 {
			t.Fatalf("refresh = %d, %v", n, err)
		}
		if err := verify(old); err == nil {
			t.Fatal("a revoked key still verifies")
		}
		if err := verify(current); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("a refresh with nothing new changes nothing", func(t *testing.T) {
		if n, err := a.svc.RefreshPeerKeys(ctx); err != nil || n != 0 {
			t.Fatalf("refresh = %d, %v", n, err)
		}
	})
}
