package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	natsgo "github.com/nats-io/nats.go"
	"golang.org/x/crypto/bcrypt"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/federation"
	"github.com/parleyhq/parley/nats"
	"github.com/parleyhq/parley/postgres"
)

// TestHostilePeerHeldToItsQuota floods beta from mallory, a peer beta has linked with
// whose NATS server sends 10,000 messages a second: three in four validly signed comments
// on beta's story, one in four garbage. Beta verifies and applies at most its quota, its
// inbound stream keeps at most the backlog its record allows and drops the rest, and beta's
// own readers and writers are still served. Only those bounds are asserted; with
// PARLEY_FED_SOAK=1 the flood lasts 10 s and the test logs the p50/p99 of beta's local
// reads and posts unloaded and under the flood.
func TestHostilePeerHeldToItsQuota(t *testing.T) {
	const rate, quota = 10_000, 50
	flood := time.Duration(fedSize(1, 10)) * time.Second
	backlog := fedSize(2_000, 20_000)
	b := startFedNode(t, "beta", fedNodeOptions{})

	signer, nc := linkMallory(t, b, quota, backlog)
	admin := b.adminToken(t)
	const article = "https://news.example/flood/1"
	b.site(t)
	var story struct{ Story struct{ ID string } }
	mustGQL(t, b.base, "", `query($u: String!) { story(url: $u) { id } }`, map[string]any{"u": article}, &story)
	local := b.signUp(t, "bea")

	// The messages, made before the flood so that signing does not slow it.
	total := rate * int(flood/time.Second)
	msgs := make([][]byte, total)
	for i := range msgs {
		if i%4 == 3 {
			junk := make([]byte, 200)
			_, _ = rand.Read(junk)
			msgs[i] = junk
			continue
		}
		e, err := signer.Sign(federation.KindCommentCreated, federation.CommentPayload{
			Comment: federation.ObjectRef{Instance: "mallory", ID: uuid.NewString()}, Author: federation.RemoteUser{Instance: "mallory", ID: "m1", Username: "spammer"},
			StoryURL: article, BodySource: fmt.Sprintf("Flood %d.", i), CreatedAt: time.Now().UTC()}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		msgs[i] = e.Marshal()
	}
	// Beta's own traffic: a read of the story as its admin (not cached) and a post, in turn.
	measure := func(d time.Duration) (reads, posts []time.Duration, failed int) {
		for end := time.Now().Add(d); time.Now().Before(end); {
			start := time.Now()
			var out struct{ Story struct{ ID string } }
			mustGQL(t, b.base, admin, `query($u: String!) { story(url: $u) { id comments(first: 20) { edges { node { id body } } } } }`, map[string]any{"u": article}, &out)
			reads = append(reads, time.Since(start))
			start = time.Now()
			if !b.tryPost(local, story.Story.ID, fmt.Sprintf("A local comment, %d.", len(posts))) {
				failed++
			}
			posts = append(posts, time.Since(start))
		}
		return reads, posts, failed
	}
	var unloadedR, unloadedP []time.Duration
	if fedSoak() {
		unloadedR, unloadedP, _ = measure(flood)
	}

	start := time.Now()
	var sent atomic.Int64
	var wg sync.WaitGroup
	wg.Go(func() {
		// 100 messages every 10 ms.
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for i := 0; i < total; i += rate / 100 {
			<-tick.C
			for _, m := range msgs[i:min(i+rate/100, total)] {
				if err := nc.Publish(federation.Subject("mallory", "beta", federation.KindCommentCreated), m); err != nil {
					t.Error(err)
					return
				}
				sent.Add(1)
			}
		}
		_ = nc.Flush()
	})
	loadedR, loadedP, failed := measure(flood)
	wg.Wait()

	type record struct {
		Name               string
		State              string
		Received, Rejected int
		Lag                int
	}
	read := func() (record, time.Duration) {
		var p struct{ Peers []record }
		mustGQL(t, b.base, admin, `{ peers { name state received rejected lag } }`, nil, &p)
		elapsed := time.Since(start)
		for _, r := range p.Peers {
			if r.Name == "mallory" {
				return r, elapsed
			}
		}
		t.Fatalf("beta's peers: %+v", p.Peers)
		return record{}, 0
	}
	// What beta took in, read after enough time for the flood to reach its stream.
	var r record
	var elapsed time.Duration
	eventually(t, time.Minute, func() bool { r, elapsed = read(); return r.Received+r.Rejected+r.Lag > 0 }, func() string { return "nothing reached beta" })
	t.Run("beta verifies no more than the quota a second", func(t *testing.T) {
		// An upper bound only: a slow machine does less, never more.
		limit := quota + int(elapsed.Seconds()+1)*quota
		if done := r.Received + r.Rejected; done > limit {
			t.Fatalf("beta processed %d of mallory's messages in %s; the quota allows %d", done, elapsed, limit)
		}
	})
	t.Run("the backlog is held to its limit and the rest is dropped", func(t *testing.T) {
		if r.Lag > backlog {
			t.Fatalf("%d of mallory's messages wait on beta; the limit is %d", r.Lag, backlog)
		}
		if dropped := int(sent.Load()) - r.Lag - r.Received - r.Rejected; total > backlog+10*quota && dropped <= 0 {
			t.Fatalf("sent %d, beta holds %d and processed %d: nothing was dropped", sent.Load(), r.Lag, r.Received+r.Rejected)
		}
	})
	t.Run("beta keeps serving its own readers and writers", func(t *testing.T) {
		if failed > 0 || len(loadedP) == 0 {
			t.Fatalf("%d of %d local posts failed during the flood", failed, len(loadedP))
		}
	})
	t.Logf("mallory sent %d in %s; beta processed %d (%d applied, %d refused), %d wait, %d dropped, after %s",
		sent.Load(), flood, r.Received+r.Rejected, r.Received, r.Rejected, r.Lag, int(sent.Load())-r.Lag-r.Received-r.Rejected, elapsed.Round(time.Millisecond))
	if fedSoak() {
		t.Logf("beta's local reads: unloaded p50 %s p99 %s (%d), under the flood p50 %s p99 %s (%d)",
			pct(unloadedR, 50), pct(unloadedR, 99), len(unloadedR), pct(loadedR, 50), pct(loadedR, 99), len(loadedR))
		t.Logf("beta's local posts: unloaded p50 %s p99 %s (%d), under the flood p50 %s p99 %s (%d)",
			pct(unloadedP, 50), pct(unloadedP, 99), len(unloadedP), pct(loadedP, 50), pct(loadedP, 99), len(loadedP))
	}
}

// pct is the p-th percentile of ds.
func pct(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)*p/100, len(s)-1)].Round(100 * time.Microsecond)
}

// linkMallory starts mallory, a peer of b that needs to be no more than a NATS server with
// federation accounts, a key and the leaf password it gave b at peering (what a hostile
// peer needs to send), links b with it at the quotas given (messages a second, backlog) and
// waits for the leaf connection. It returns mallory's signer and a connection to mallory's
// NATS server to publish on.
func linkMallory(t testing.TB, b *fedNode, quota, backlog int) (*federation.Signer, *natsgo.Conn) {
	t.Helper()
	ctx := context.Background()
	malAddr := freeAddr(t)
	const leafPassword = "mallory-made-this-for-beta"
	hash, err := bcrypt.GenerateFromPassword([]byte(leafPassword), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	mal, err := nats.StartEmbedded(nats.EmbeddedOptions{StoreDir: t.TempDir(), ServerName: "mallory",
		Federation: &nats.FederationOptions{Instance: "mallory", Listen: malAddr,
			Peers: map[string]nats.FederationPeer{"beta": {Hash: string(hash)}}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(mal.Shutdown)
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer := federation.NewSigner("mallory", priv)
	bdb, err := postgres.Open(ctx, b.dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	peer := &parley.Peer{Name: "mallory", URL: "http://" + freeAddr(t), FederationAddress: malAddr, State: parley.PeerPaused,
		LocalAdded: true, RemoteConfirmed: true, Keys: []parley.PeerKey{{ID: signer.KeyID, PublicKey: pub, ValidFrom: time.Now().Add(-time.Hour)}},
		Fingerprint: federation.Fingerprint(pub), MaxMessagesPerSecond: quota, MaxBytes: 64 << 20, MaxBacklog: backlog,
		// Beta signs in to mallory's leaf listener as peer-beta with this password; mallory
		// is not let in to beta's (no hash), which it does not need to send.
		LeafSecret: []byte(leafPassword)}
	if err := postgres.NewFederationStore(bdb).CreatePeer(ctx, peer); err != nil {
		t.Fatal(err)
	}
	mustGQL(t, b.base, b.adminToken(t), `mutation($p: ID!) { pausePeer(input: {peerID: $p, paused: false}) { state } }`, map[string]any{"p": peer.ID}, nil)
	b.awaitLeafs(t)
	nc, err := mal.Connect()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return signer, nc
}
