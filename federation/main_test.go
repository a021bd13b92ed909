package federation_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/federation"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/postgres/postgrestest"
)

// clock is a settable time for tests that move through key validity and freshness windows.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Now().UTC().Truncate(time.Millisecond)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// MustStore returns a federation store on a database of the test's own: keys and peers are
// instance-wide, so tests that make them cannot share one.
func MustStore(tb testing.TB) (*postgres.FederationStore, *postgres.DB) {
	tb.Helper()
	db := postgrestest.MustOpenDB(tb)
	return postgres.NewFederationStore(db), db
}

// MustIdentity opens an identity named name on store.
func MustIdentity(tb testing.TB, store parley.FederationStore, name, secret string, now func() time.Time) *federation.Identity {
	tb.Helper()
	id, err := federation.OpenIdentity(context.Background(), store, federation.IdentityOptions{Name: name, Secret: secret, Now: now})
	if err != nil {
		tb.Fatal(err)
	}
	return id
}

// MustKey makes an Ed25519 key pair.
// MustSigningPeer stores an active peer named name, linked both ways, whose key signs with
// the returned signer, with the quotas given (messages a second, bytes, backlog).
func MustSigningPeer(tb testing.TB, store parley.FederationStore, name string, perSecond, maxBytes, backlog int) (*federation.Signer, *parley.Peer) {
	tb.Helper()
	pub, priv := MustKey(tb)
	signer := federation.NewSigner(name, priv)
	peer := &parley.Peer{Name: name, URL: "https://" + name + ".example", State: parley.PeerActive, LocalAdded: true, RemoteConfirmed: true,
		Keys: []parley.PeerKey{{ID: signer.KeyID, PublicKey: pub, ValidFrom: time.Now().Add(-time.Hour)}}, Fingerprint: federation.Fingerprint(pub),
		MaxMessagesPerSecond: perSecond, MaxBytes: maxBytes, MaxBacklog: backlog}
	if err := store.CreatePeer(context.Background(), peer); err != nil {
		tb.Fatal(err)
	}
	return signer, peer
}

func MustKey(tb testing.TB) (ed25519.PublicKey, ed25519.PrivateKey) {
	tb.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	return pub, priv
}

func timeNow() time.Time { return time.Now() }

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
