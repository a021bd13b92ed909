package federation_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/federation"
	"github.com/parleyhq/parley/postgres/postgrestest"
)

func TestIdentityFirstStart(t *testing.T) {
	store, _ := MustStore(t)
	ctx := context.Background()
	t.Run("replicas starting together agree on one key", func(t *testing.T) {
		var wg sync.WaitGroup
		ids := make([]string, 6)
		for i := range ids {
			wg.Go(func() {
				id, err := federation.OpenIdentity(ctx, store, federation.IdentityOptions{Name: "alpha"})
				if err != nil {
					t.Error(err)
					return
				}
				s, err := id.Signer(ctx)
				if err != nil {
					t.Error(err)
					return
				}
				ids[i] = s.KeyID
			})
		}
		wg.Wait()
		for _, k := range ids {
			if k != ids[0] {
				t.Fatalf("key IDs differ: %v", ids)
			}
		}
		keys, err := store.InstanceKeys(ctx)
		if err != nil || len(keys) != 1 {
			t.Fatalf("keys = %d, %v; want exactly 1", len(keys), err)
		}
	})
	t.Run("a restart keeps the key", func(t *testing.T) {
		a, _ := MustIdentity(t, store, "alpha", "", nil).Info(ctx)
		b, _ := MustIdentity(t, store, "alpha", "", nil).Info(ctx)
		if a.KeyID != b.KeyID || !bytes.Equal(a.PublicKey, b.PublicKey) {
			t.Fatalf("key changed across restarts: %s then %s", a.KeyID, b.KeyID)
		}
		if !strings.HasPrefix(a.Fingerprint, "SHA256:") || a.KeyID != federation.KeyID(a.PublicKey) {
			t.Fatalf("info = %+v", a)
		}
	})
}

func TestIdentitySealing(t *testing.T) {
	store, db := MustStore(t)
	ctx := context.Background()
	const secret = "correct horse battery staple"
	id := MustIdentity(t, store, "alpha", secret, nil)
	signer, err := id.Signer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("the stored private key is sealed", func(t *testing.T) {
		var sealed []byte
		var isSealed bool
		if err := postgrestest.Pool(t, db).QueryRow(ctx, `SELECT private_key, sealed FROM federation_keys`).Scan(&sealed, &isSealed); err != nil {
			t.Fatal(err)
		}
		// AES-GCM: a 12-byte nonce, the 32-byte seed encrypted, a 16-byte tag.
		if !isSealed || len(sealed) != 12+32+16 {
			t.Fatalf("stored key sealed=%v with %d bytes; want sealed, 60 bytes", isSealed, len(sealed))
		}
	})
	for _, tc := range []struct{ name, secret, want string }{
		{"a restart without the secret fails naming the setting", "", "PARLEY_SECRET_KEY"},
		{"a restart with another secret fails", "another secret of enough length", "does not open"},
		{"a too short secret is refused", "short", "at least 16"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := federation.OpenIdentity(ctx, store, federation.IdentityOptions{Name: "alpha", Secret: tc.secret})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v; want one containing %q", err, tc.want)
			}
		})
	}
	t.Run("a restart with the secret signs with the same key", func(t *testing.T) {
		s, err := MustIdentity(t, store, "alpha", secret, nil).Signer(ctx)
		if err != nil || s.KeyID != signer.KeyID {
			t.Fatalf("signer %v, %v; want key %s", s, err, signer.KeyID)
		}
	})
}

func TestIdentityRotationAndRevocation(t *testing.T) {
	store, _ := MustStore(t)
	ctx := context.Background()
	clk := newClock()
	id := MustIdentity(t, store, "alpha", "", clk.Now)
	old, _ := id.Signer(ctx)
	clk.Add(time.Hour)
	newID, err := id.Rotate(ctx, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := id.Document(ctx, "https://alpha.example", "test")
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]federation.DocumentKey{}
	for _, k := range doc.Keys {
		byID[k.ID] = k
	}
	t.Run("the new key is published at once but the old one signs until it is pinned", func(t *testing.T) {
		s, _ := id.Signer(ctx)
		if s.KeyID != old.KeyID || !byID[old.KeyID].Current || byID[newID].Current || byID[newID].ID == "" {
			t.Fatalf("signer %s, document %+v", s.KeyID, doc.Keys)
		}
	})
	t.Run("the old key stays valid for the overlap window", func(t *testing.T) {
		k := byID[old.KeyID]
		if k.ValidUntil == nil || !k.ValidUntil.Equal(clk.Now().Add(24*time.Hour)) {
			t.Fatalf("old key = %+v; want valid until %s", k, clk.Now().Add(24*time.Hour))
		}
	})
	t.Run("after the activation delay the new key signs", func(t *testing.T) {
		clk.Add(federation.DefaultActivation)
		s, _ := id.Signer(ctx)
		doc, _ := id.Document(ctx, "", "")
		if s.KeyID != newID || !doc.Keys[0].Current || doc.Keys[0].ID != newID {
			t.Fatalf("signer %s, document %+v", s.KeyID, doc.Keys)
		}
	})
	t.Run("revoking the old key ends it at once", func(t *testing.T) {
		if err := id.Revoke(ctx, old.KeyID); err != nil {
			t.Fatal(err)
		}
		doc, _ := id.Document(ctx, "", "")
		for _, k := range doc.Keys {
			if k.ID == old.KeyID && k.RevokedAt == nil {
				t.Fatalf("old key not revoked: %+v", k)
			}
		}
	})
	t.Run("revoking the current key makes a new one", func(t *testing.T) {
		if err := id.Revoke(ctx, newID); err != nil {
			t.Fatal(err)
		}
		s, err := id.Signer(ctx)
		if err != nil || s.KeyID == newID || s.KeyID == old.KeyID {
			t.Fatalf("signer after revoking the current key: %v, %v", s, err)
		}
	})
	t.Run("revoking an unknown key answers NOT_FOUND", func(t *testing.T) {
		if err := id.Revoke(ctx, "0000000000000000"); err == nil || !strings.Contains(err.Error(), "not found") {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestWellKnownDocument(t *testing.T) {
	store, _ := MustStore(t)
	id, err := federation.OpenIdentity(context.Background(), store, federation.IdentityOptions{Name: "alpha", FederationAddress: "alpha.example:7422"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(id.WellKnownHandler("https://alpha.example", "1.2.3", nil))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc federation.Document
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	info, _ := id.Info(context.Background())
	if doc.Name != "alpha" || doc.URL != "https://alpha.example" || doc.FederationAddress != "alpha.example:7422" ||
		doc.Software != (federation.Software{Name: "parley", Version: "1.2.3"}) || len(doc.Keys) != 1 ||
		!bytes.Equal(doc.Keys[0].PublicKey, info.PublicKey) || !doc.Keys[0].Current || doc.Keys[0].Algorithm != "ed25519" {
		t.Fatalf("document = %+v", doc)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("content type %q", ct)
	}
}
