package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/federation"
)

// TestKeyRotationInFlight rotates alpha's key and then revokes the key that signed while
// alpha's envelopes wait in beta's inbound stream (beta's quota makes them wait): every
// envelope alpha signed is applied on beta, those signed with its new key too, and envelopes
// signed with the revoked key after the revocation (by whoever stole it, published into
// alpha's NATS) are refused and counted, although the revocation reached beta at once
// (alpha's key notice) while the others were still waiting. PARLEY_FED_SOAK=1 sends 1,000.
func TestKeyRotationInFlight(t *testing.T) {
	ctx := context.Background()
	total, after, forged := fedSize(200, 1000), fedSize(10, 50), fedSize(20, 50)
	b := startFedNode(t, "beta", fedNodeOptions{})
	a := startFedNode(t, "alpha", fedNodeOptions{ExternalNATS: true})
	// Beta applies a fifth of them a second: rotation and revocation land mid-flight.
	link(t, a, b, setQuota(t, max(total/5, 20)))
	const article = "https://news.example/keys/1"
	a.site(t)
	b.site(t)
	story := a.share(t, article, "beta")
	b.awaitLeafs(t)
	token := a.adminToken(t)

	// The key that signs now, as one who stole it holds it.
	id := a.identity(t)
	stolen, err := id.Signer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	bdb := b.db(t)
	copies := func() int {
		var n int
		if err := bdb.QueryRow(ctx, `SELECT count(*) FROM federation_comments WHERE instance = 'alpha'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	var next atomic.Int64
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for i := next.Add(1); i <= int64(total); i = next.Add(1) {
				a.post(t, token, story, "", fmt.Sprintf("Signed before the rotation, %d.", i))
			}
		})
	}
	wg.Wait()
	// Every one of them has reached beta's inbound stream (applied or waiting there) before
	// the revocation: beta honours a revoked key for what reached it before.
	lag := func() int {
		var p struct{ Peers []struct{ Lag int } }
		mustGQL(t, b.base, b.adminToken(t), `{ peers { lag } }`, nil, &p)
		if len(p.Peers) != 1 {
			t.Fatalf("beta's peers: %+v", p.Peers)
		}
		return p.Peers[0].Lag
	}
	eventually(t, 2*time.Minute, func() bool { return copies()+lag() >= total }, func() string {
		return fmt.Sprintf("beta holds %d of alpha's %d envelopes", copies()+lag(), total)
	})
	// Beta applies them at its quota; the rotation comes when it has applied few of them.
	if out, err := a.parley(t, "key", "rotate"); err != nil {
		t.Fatalf("key rotate: %q, %v", out, err)
	}
	t.Logf("rotated with %d of %d applied on beta", copies(), total)
	if out, err := a.parley(t, "key", "revoke", stolen.KeyID); err != nil {
		t.Fatalf("key revoke: %q, %v", out, err)
	}
	inFlight := total - copies()
	t.Logf("revoked %s with %d of %d still to apply on beta", stolen.KeyID, inFlight, total)
	for i := range after {
		a.post(t, token, story, "", fmt.Sprintf("Signed with the new key, %d.", i))
	}
	eventually(t, 5*time.Minute, func() bool { return copies() == total+after }, func() string {
		return fmt.Sprintf("beta applied %d of alpha's %d envelopes", copies(), total+after)
	})
	t.Run("no valid envelope was dropped across the rotation and the revocation", func(t *testing.T) {
		if n := copies(); n != total+after {
			t.Fatalf("beta holds %d of %d", n, total+after)
		}
		if r := b.metric(t, `parley_federation_envelopes_total{reason="",result="applied"}`); int(r) < total+after {
			t.Fatalf("beta counted %v applied", r)
		}
	})

	// Envelopes signed with the revoked key after the revocation, published where alpha's
	// own are, then one of alpha's own: once it is applied, the forged ones were decided.
	js := a.jetStream(t)
	var forgedIDs []string
	for i := range forged {
		cid := uuid.NewString()
		forgedIDs = append(forgedIDs, cid)
		e, err := stolen.Sign(federation.KindCommentCreated, federation.CommentPayload{
			Comment: federation.ObjectRef{Instance: "alpha", ID: cid}, Author: federation.RemoteUser{Instance: "alpha", ID: uuid.NewString(), Username: "mallet"},
			StoryURL: article, BodySource: fmt.Sprintf("Forged with the revoked key, %d.", i), CreatedAt: time.Now().UTC()}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := js.Publish(ctx, federation.Subject("alpha", "beta", e.Kind), e.Marshal(), jetstream.WithMsgID("alpha/"+e.ID)); err != nil {
			t.Fatal(err)
		}
	}
	a.post(t, token, story, "", "After the forgeries.")
	eventually(t, 2*time.Minute, func() bool { return copies() == total+after+1 }, func() string {
		return fmt.Sprintf("beta applied %d of alpha's %d envelopes", copies(), total+after+1)
	})
	t.Run("no envelope signed with the revoked key is accepted after the revocation", func(t *testing.T) {
		var n int
		if err := bdb.QueryRow(ctx, `SELECT count(*) FROM federation_comments WHERE instance = 'alpha' AND remote_id = ANY($1)`, forgedIDs).Scan(&n); err != nil {
			t.Fatal(err)
		}
		var bodies int
		if err := bdb.QueryRow(ctx, `SELECT count(*) FROM comments WHERE body_source LIKE 'Forged%'`).Scan(&bodies); err != nil {
			t.Fatal(err)
		}
		if n != 0 || bodies != 0 {
			t.Fatalf("beta applied %d forged envelopes (%d comments)", n, bodies)
		}
	})
	t.Run("each is refused and counted", func(t *testing.T) {
		refused := b.metric(t, `parley_federation_envelopes_total{reason="unknown_key",result="rejected"}`) +
			b.metric(t, `parley_federation_envelopes_total{reason="revoked_key",result="rejected"}`) +
			b.metric(t, `parley_federation_envelopes_total{reason="key_not_valid",result="rejected"}`)
		var p struct {
			Peers []struct {
				Name      string
				Rejected  int
				LastError string
			}
		}
		mustGQL(t, b.base, b.adminToken(t), `{ peers { name rejected lastError } }`, nil, &p)
		if int(refused) != forged || len(p.Peers) != 1 || p.Peers[0].Rejected != forged || !strings.Contains(p.Peers[0].LastError, "key") {
			t.Fatalf("beta counted %v refused by key; its record of alpha: %+v", refused, p.Peers)
		}
	})
}

// TestKeyRevocationReachesPeersAtOnce revokes alpha's signing key with `parley key revoke`:
// the command tells beta, which pins the revocation and the new key before the command
// returns, with no refresh of its own; an envelope signed with the revoked key and put
// straight into beta's inbound stream then is refused, and alpha's next comment, under its
// new key, is applied without beta ever meeting a key it does not know.
func TestKeyRevocationReachesPeersAtOnce(t *testing.T) {
	ctx := context.Background()
	b := startFedNode(t, "beta", fedNodeOptions{ExternalNATS: true})
	a := startFedNode(t, "alpha", fedNodeOptions{})
	link(t, a, b, nil)
	const article = "https://news.example/keys/2"
	a.site(t)
	b.site(t)
	story := a.share(t, article, "beta")
	a.awaitLeafs(t)
	b.awaitLeafs(t)
	token := a.adminToken(t)
	bdb := b.db(t)
	copies := func() int {
		var n int
		if err := bdb.QueryRow(ctx, `SELECT count(*) FROM federation_comments WHERE instance = 'alpha'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	a.post(t, token, story, "", "Signed with the first key.")
	eventually(t, time.Minute, func() bool { return copies() == 1 }, func() string { return "beta never applied alpha's first comment" })

	id := a.identity(t)
	stolen, err := id.Signer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out, err := a.parley(t, "key", "revoke", stolen.KeyID)
	if err != nil || !strings.Contains(out, "Peer beta told.") {
		t.Fatalf("key revoke: %q, %v", out, err)
	}
	fresh, err := id.Signer(ctx)
	if err != nil || fresh.KeyID == stolen.KeyID {
		t.Fatalf("alpha's signer after the revocation: %v, %v", fresh, err)
	}
	t.Run("beta pinned the revocation and the new key before the command returned", func(t *testing.T) {
		if keys := pinnedKeys(t, bdb, "alpha"); !keys.revoked(stolen.KeyID) || !keys.valid(fresh.KeyID) {
			t.Fatalf("beta's keys of alpha: %+v", keys)
		}
	})

	// Whoever stole the key puts an envelope straight into beta's inbound stream of alpha.
	js := b.jetStream(t)
	forgedID := uuid.NewString()
	forged, err := stolen.Sign(federation.KindCommentCreated, federation.CommentPayload{
		Comment: federation.ObjectRef{Instance: "alpha", ID: forgedID}, Author: federation.RemoteUser{Instance: "alpha", ID: uuid.NewString(), Username: "mallet"},
		StoryURL: article, BodySource: "Forged with the revoked key.", CreatedAt: time.Now().UTC()}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.Publish(ctx, federation.Subject("alpha", "beta", forged.Kind), forged.Marshal(), jetstream.WithMsgID("alpha/"+forged.ID)); err != nil {
		t.Fatal(err)
	}
	// Then one of alpha's own, under its new key: once it is applied, the forgery before it
	// in the stream was decided.
	a.post(t, token, story, "", "Signed with the new key.")
	eventually(t, time.Minute, func() bool { return copies() == 2 }, func() string {
		return fmt.Sprintf("beta applied %d of alpha's 2 comments", copies())
	})
	t.Run("the envelope of the revoked key is refused", func(t *testing.T) {
		var n int
		if err := bdb.QueryRow(ctx, `SELECT count(*) FROM federation_comments WHERE instance = 'alpha' AND remote_id = $1`, forgedID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatal("beta applied the forged envelope")
		}
		if r := b.metric(t, `parley_federation_envelopes_total{reason="revoked_key",result="rejected"}`); r != 1 {
			t.Fatalf("beta counted %v refused for the revoked key", r)
		}
	})
	t.Run("the new key's envelope is applied without an unknown key on the way", func(t *testing.T) {
		if r := b.metric(t, `parley_federation_envelopes_total{reason="unknown_key",result="rejected"}`); r != 0 {
			t.Fatalf("beta counted %v unknown keys", r)
		}
		var body string
		if err := bdb.QueryRow(ctx, `SELECT c.body_source FROM comments c JOIN federation_comments f ON f.comment_id = c.id
			WHERE f.instance = 'alpha' ORDER BY c.created_at DESC LIMIT 1`).Scan(&body); err != nil || body != "Signed with the new key." {
			t.Fatalf("beta's latest comment of alpha: %q, %v", body, err)
		}
	})
}

// peerKeys are the keys an instance pinned for a peer.
type peerKeys []parley.PeerKey

func (ks peerKeys) revoked(id string) bool {
	return slices.ContainsFunc(ks, func(k parley.PeerKey) bool { return k.ID == id && k.RevokedAt != nil })
}

func (ks peerKeys) valid(id string) bool {
	return slices.ContainsFunc(ks, func(k parley.PeerKey) bool { return k.ID == id && k.RevokedAt == nil })
}

// pinnedKeys reads the keys db pinned for peer.
func pinnedKeys(t testing.TB, db *pgx.Conn, peer string) peerKeys {
	t.Helper()
	var raw []byte
	if err := db.QueryRow(context.Background(), `SELECT keys FROM federation_peers WHERE name = $1`, peer).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	var keys peerKeys
	if err := json.Unmarshal(raw, &keys); err != nil {
		t.Fatal(err)
	}
	return keys
}

// TestKeyChangesReachPeersTheCommandMissed covers what `parley key` cannot tell: a change
// of alpha's keys made without the command is told to beta by alpha's server, which looks
// at its keys every 15 seconds; and beta, stopped while alpha revoked a key (the command
// says it could not tell beta), reads alpha's keys when it starts again. Either way beta
// knows well before its periodic refresh (5 minutes) would have read them.
func TestKeyChangesReachPeersTheCommandMissed(t *testing.T) {
	ctx := context.Background()
	b := startFedNode(t, "beta", fedNodeOptions{})
	a := startFedNode(t, "alpha", fedNodeOptions{})
	link(t, a, b, nil)
	id := a.identity(t)
	old, err := id.Signer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	bdb := b.db(t)
	t.Run("alpha's server tells beta of a rotation made without the command", func(t *testing.T) {
		next, err := id.Rotate(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		eventually(t, 2*time.Minute, func() bool { return pinnedKeys(t, bdb, "alpha").valid(next) }, func() string {
			return fmt.Sprintf("beta's keys of alpha: %+v", pinnedKeys(t, bdb, "alpha"))
		})
	})
	t.Run("beta, down at a revocation, reads it when it starts", func(t *testing.T) {
		b.replica.stop(syscall.SIGTERM)
		out, err := a.parley(t, "key", "revoke", old.KeyID)
		if err != nil || !strings.Contains(out, "Peer beta not told") {
			t.Fatalf("key revoke: %q, %v", out, err)
		}
		if pinnedKeys(t, bdb, "alpha").revoked(old.KeyID) {
			t.Fatal("beta learnt of the revocation while it was down")
		}
		b.startReplica()
		eventually(t, 2*time.Minute, func() bool { return pinnedKeys(t, bdb, "alpha").revoked(old.KeyID) }, func() string {
			return fmt.Sprintf("beta's keys of alpha: %+v", pinnedKeys(t, bdb, "alpha"))
		})
	})
}
