package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleyhq/parley/federation"
	"github.com/parleyhq/parley/postgres"
)

// TestKeyRotationInFlight rotates alpha's key and then revokes the key that signed while
// alpha's envelopes wait in beta's inbound stream (beta's quota makes them wait): every
// envelope alpha signed is applied on beta, those signed with its new key too, and envelopes
// signed with the revoked key after the revocation (by whoever stole it, published into
// alpha's NATS) are refused and counted. PARLEY_FED_SOAK=1 sends 1,000.
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
	adb, err := postgres.Open(ctx, a.dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer adb.Close()
	id, err := federation.OpenIdentity(ctx, postgres.NewFederationStore(adb), federation.IdentityOptions{Name: "alpha", Secret: a.env["PARLEY_SECRET_KEY"]})
	if err != nil {
		t.Fatal(err)
	}
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
	// Alpha's publisher signs as its event consumer reads; the rotation comes when beta has
	// applied few of them.
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
	nc, err := natsgo.Connect(a.env["NATS_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
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
