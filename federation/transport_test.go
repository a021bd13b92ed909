package federation_test

import (
	"context"
	"crypto/ed25519"
	"maps"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"golang.org/x/crypto/bcrypt"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/federation"
	"github.com/parleyhq/parley/nats"
)

// MustFreeAddr returns a loopback address with a port free a moment ago.
func MustFreeAddr(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return "127.0.0.1:" + strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

// MustBus starts an embedded NATS server of instance name with a federation listener and
// returns it, its federation address and a transport on it.
// MustJetStream connects to an embedded server, closed when the test ends.
func MustJetStream(tb testing.TB, emb *nats.Embedded) jetstream.JetStream {
	tb.Helper()
	nc, err := emb.Connect()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(nc.Close)
	js, err := nats.NewJetStream(nc)
	if err != nil {
		tb.Fatal(err)
	}
	return js
}

func MustBus(tb testing.TB, name string, in *federation.Inbound) (*nats.Embedded, string, *federation.Transport) {
	tb.Helper()
	addr := MustFreeAddr(tb)
	emb, err := nats.StartEmbedded(nats.EmbeddedOptions{StoreDir: tb.TempDir(), ServerName: name,
		Federation: &nats.FederationOptions{Instance: name, Listen: addr}})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(emb.Shutdown)
	t := federation.NewTransport(MustJetStream(tb, emb), name, in, nil)
	tb.Cleanup(t.Close)
	if err := t.EnsureOutbound(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return emb, addr, t
}

// MustLeaf links two test buses the way peering does: to's server lets from in with a
// password of from's own (its bcrypt hash), from's server signs in with it, and to keeps a
// stream of what it sends from.
func MustLeaf(tb testing.TB, from string, fromNATS *nats.Embedded, to string, toNATS *nats.Embedded, toAddr string, toT *federation.Transport) {
	tb.Helper()
	secret := "leaf-" + from + "-to-" + to
	hash, err := bcrypt.GenerateFromPassword([]byte(secret), bcrypt.MinCost)
	if err != nil {
		tb.Fatal(err)
	}
	set := func(emb *nats.Embedded, name string, p nats.FederationPeer) {
		peers := maps.Clone(emb.FederationPeers())
		if peers == nil {
			peers = map[string]nats.FederationPeer{}
		}
		old := peers[name]
		if p.Hash == "" {
			p.Hash = old.Hash
		} else if old.Hash != "" {
			p.Hash = old.Hash // already let in: keep the connection
		}
		if p.Address == "" {
			p.Address, p.Secret = old.Address, old.Secret
		}
		peers[name] = p
		if err := emb.SetFederationPeers(peers); err != nil {
			tb.Fatal(err)
		}
	}
	if err := toT.AddPeerStream(context.Background(), from); err != nil {
		tb.Fatal(err)
	}
	set(toNATS, from, nats.FederationPeer{Hash: string(hash)})
	set(fromNATS, to, nats.FederationPeer{Address: toAddr, Secret: secret})
}

func TestTransportDeliversOverLeafNodes(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	store, _ := MustStore(t)
	_, alphaPriv := MustKey(t)
	alpha := federation.NewSigner("alpha", alphaPriv)
	_, gammaPriv := MustKey(t)
	gamma := federation.NewSigner("gamma", gammaPriv)
	now := time.Now().Add(-time.Hour)
	var peers []*parley.Peer
	for _, s := range []*federation.Signer{alpha, gamma} {
		pub := s.Key().Public().(ed25519.PublicKey)
		p := &parley.Peer{Name: s.Origin, URL: "https://" + s.Origin + ".example", State: parley.PeerActive, LocalAdded: true, RemoteConfirmed: true,
			Keys: []parley.PeerKey{{ID: s.KeyID, PublicKey: pub, ValidFrom: now}}, Fingerprint: federation.Fingerprint(pub),
			MaxMessagesPerSecond: 10_000, MaxBytes: 1 << 20, MaxBacklog: 1000}
		if err := store.CreatePeer(ctx, p); err != nil {
			t.Fatal(err)
		}
		peers = append(peers, p)
	}
	applied := make(chan string, 100)
	in := federation.NewInbound(&federation.Verifier{Self: "beta", Peer: store.FindPeerByName}, store,
		federation.ApplierFunc(func(_ context.Context, v *federation.Verified) error {
			applied <- v.Envelope.Origin + "/" + v.Payload.(*federation.CommentPayload).Comment.ID
			return nil
		}), federation.InboundOptions{})
	alphaNATS, alphaAddr, alphaT := MustBus(t, "alpha", nil)
	betaNATS, _, betaT := MustBus(t, "beta", in)
	MustLeaf(t, "beta", betaNATS, "alpha", alphaNATS, alphaAddr, alphaT)
	if err := betaT.Reconcile(ctx, peers[:1]); err != nil {
		t.Fatal(err)
	}
	publish := func(s *federation.Signer, p *federation.CommentPayload) {
		t.Helper()
		e, err := s.Sign(federation.KindCommentCreated, p, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := alphaT.Publish(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	// The leaf connection comes up on its own time: alpha sends probes until one is applied.
	for i := 0; ; i++ {
		publish(alpha, comment("alpha", "probe"+strconv.Itoa(i)))
		select {
		case <-applied:
		case <-time.After(100 * time.Millisecond):
			if ctx.Err() != nil {
				t.Fatal("no envelope crossed the leaf connection")
			}
			continue
		}
		break
	}
	t.Run("an envelope published on alpha is applied on beta", func(t *testing.T) {
		publish(alpha, comment("alpha", "c1"))
		for got := range applied {
			if got == "alpha/c1" {
				break
			}
		}
	})
	t.Run("alpha cannot pass on gamma's envelopes", func(t *testing.T) {
		e, err := gamma.Sign(federation.KindCommentCreated, comment("gamma", "g1"), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := alphaT.PublishRaw(ctx, "alpha", "beta", e); err != nil {
			t.Fatal(err)
		}
		publish(alpha, comment("alpha", "after-gamma"))
		for got := range applied {
			if got == "gamma/g1" {
				t.Fatal("gamma's envelope was applied from alpha's stream")
			}
			if got == "alpha/after-gamma" {
				break
			}
		}
		p, _ := store.FindPeerByName(ctx, "alpha")
		if p.Rejected != 1 || p.LastError != "wrong_subject" {
			t.Fatalf("alpha's record: rejected %d, last error %q", p.Rejected, p.LastError)
		}
	})
	t.Run("the peer's backlog is drained", func(t *testing.T) {
		// The last envelope was applied; its ack may still be on its way.
		if lag, err := betaT.Lag(ctx, "alpha"); err != nil || lag > 1 {
			t.Fatalf("lag %d, %v", lag, err)
		}
	})
	t.Run("defederation's purge empties the inbound stream", func(t *testing.T) {
		peers[0].State = parley.PeerDefederated
		if err := betaT.Reconcile(ctx, peers[:1]); err != nil {
			t.Fatal(err)
		}
		if err := betaT.Purge(ctx, "alpha"); err != nil {
			t.Fatal(err)
		}
	})
}

func TestTransportHoldsAPeerToItsQuota(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	store, _ := MustStore(t)
	// One envelope per period; the test stretches the period to an hour.
	alpha, peer := MustSigningPeer(t, store, "alpha", 1, 1<<20, 1000)
	var mu sync.Mutex
	var applied []string
	first := make(chan struct{}, 1)
	in := federation.NewInbound(&federation.Verifier{Self: "beta", Peer: store.FindPeerByName}, store,
		federation.ApplierFunc(func(_ context.Context, v *federation.Verified) error {
			mu.Lock()
			defer mu.Unlock()
			applied = append(applied, v.Envelope.ID)
			select {
			case first <- struct{}{}:
			default:
			}
			return nil
		}), federation.InboundOptions{})
	alphaNATS, alphaAddr, alphaT := MustBus(t, "alpha", nil)
	betaNATS, _, betaT := MustBus(t, "beta", in)
	betaT.SetRateUnit(time.Hour)
	MustLeaf(t, "beta", betaNATS, "alpha", alphaNATS, alphaAddr, alphaT)
	if err := betaT.Reconcile(ctx, []*parley.Peer{peer}); err != nil {
		t.Fatal(err)
	}
	send := func() {
		e, err := alpha.Sign(federation.KindCommentCreated, comment("alpha", "c"), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := alphaT.Publish(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	// Until the leaf connection carries one, envelopes are sent one at a time.
	for arrived := false; !arrived; {
		send()
		select {
		case <-first:
			arrived = true
		case <-time.After(100 * time.Millisecond):
			if ctx.Err() != nil {
				t.Fatal("nothing crossed the leaf connection")
			}
		}
	}
	for i := 0; i < 20; i++ {
		send()
	}
	// The flood waits in the stream (one of it in the consumer, held by the quota), and
	// nothing more is applied within the period.
	for {
		lag, err := betaT.Lag(ctx, "alpha")
		if err != nil {
			t.Fatal(err)
		}
		if lag >= 20 {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("lag %d, want at least 20", lag)
		case <-time.After(50 * time.Millisecond):
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(applied) != 1 {
		t.Fatalf("applied %d envelopes within one period of a quota of 1", len(applied))
	}
	// Once full, the peer's inbound stream refuses what comes rather than dropping what it
	// holds: a flood costs no writes, and catch-up brings an honest peer's refused envelopes
	// again.
	js := MustJetStream(t, betaNATS)
	s, err := js.Stream(ctx, federation.InboundStream("alpha"))
	if err != nil {
		t.Fatal(err)
	}
	if c := s.CachedInfo().Config; c.Discard != jetstream.DiscardNew || c.MaxMsgs != 1000 || c.MaxBytes != 1<<20 {
		t.Fatalf("alpha's inbound stream keeps %d messages, %d bytes, discard %v; want 1000, %d, new", c.MaxMsgs, c.MaxBytes, c.Discard, 1<<20)
	}
}
