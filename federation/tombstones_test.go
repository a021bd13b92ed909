package federation_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/federation"
	"github.com/parleyhq/parley/markup"
	"github.com/parleyhq/parley/postgres"
)

func TestTombstonesTracked(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	store, db := MustStore(t)
	ts := postgres.NewTombstoneStore(db)
	id := MustIdentity(t, store, "alpha", "", nil)
	beta, gamma := mustPeer(t, store, "beta"), mustPeer(t, store, "gamma")
	emb, _, transport := MustBus(t, "alpha", nil)
	for _, p := range []string{"beta", "gamma"} {
		if err := transport.AddPeerStream(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	pub := federation.NewPublisher(id, store, nil, nil, nil, transport, nil).WithTombstones(ts)
	if err := ts.AddTombstone(ctx, parley.Tombstone{ID: "t1", ObjectType: "comment", ObjectID: "c1"}, []string{beta.ID, gamma.ID}); err != nil {
		t.Fatal(err)
	}
	coverage := func() *parley.Tombstone {
		t.Helper()
		list, err := ts.Tombstones(ctx, 10)
		if err != nil || len(list) != 1 {
			t.Fatalf("tombstones %+v, %v", list, err)
		}
		return list[0]
	}
	ack := func(origin string) {
		t.Helper()
		_, priv := MustKey(t)
		e, err := federation.NewSigner(origin, priv).Sign(federation.KindAck,
			&federation.AckPayload{Tombstone: "t1", Object: federation.ObjectRef{Instance: "alpha", ID: "c1"}}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := federation.NewAckApplier("alpha", ts).Apply(ctx, federation.MustVerified(t, e)); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("an unacknowledged tombstone is sent again as a new envelope", func(t *testing.T) {
		if c := coverage(); c.Coverage() != "erased on 0 of 2 peers" || strings.Join(c.Pending, ",") != "beta,gamma" {
			t.Fatalf("coverage %+v", c)
		}
		n, err := pub.RetryTombstones(ctx, time.Now().Add(time.Hour))
		if err != nil || n != 1 {
			t.Fatalf("retried %d, %v", n, err)
		}
		js := MustJetStream(t, emb)
		s, err := js.Stream(ctx, federation.PeerStream("beta"))
		if err != nil {
			t.Fatal(err)
		}
		m, err := s.GetLastMsgForSubject(ctx, federation.Subject("alpha", "beta", federation.KindTombstone))
		if err != nil {
			t.Fatal(err)
		}
		e := federation.MustDecodeEnvelope(t, m.Data)
		if !strings.HasPrefix(e.ID, "t1.r") || !strings.Contains(string(e.Payload), `"c1"`) {
			t.Fatalf("retry envelope %s %s", e.ID, e.Payload)
		}
	})
	t.Run("a tombstone just sent waits before it is sent again", func(t *testing.T) {
		if n, err := pub.RetryTombstones(ctx, time.Now().Add(-time.Minute)); err != nil || n != 0 {
			t.Fatalf("retried %d, %v", n, err)
		}
	})
	t.Run("acknowledgements raise the coverage; another instance's ack changes nothing", func(t *testing.T) {
		ack("beta")
		ack("mallory")
		if c := coverage(); c.Coverage() != "erased on 1 of 2 peers" || strings.Join(c.Pending, ",") != "gamma" {
			t.Fatalf("coverage %+v", c)
		}
		ack("gamma")
		if c := coverage(); c.Coverage() != "erased on 2 of 2 peers" || len(c.Pending) != 0 {
			t.Fatalf("coverage %+v", c)
		}
	})
	t.Run("a fully acknowledged tombstone is not sent again", func(t *testing.T) {
		if n, err := pub.RetryTombstones(ctx, time.Now().Add(time.Hour)); err != nil || n != 0 {
			t.Fatalf("retried %d, %v", n, err)
		}
	})
}

func TestATombstoneThatOvertakesItsComment(t *testing.T) {
	ctx := context.Background()
	store, db := MustStore(t)
	admin := parley.NewContextWithUser(ctx, &parley.User{ID: "00000000-0000-0000-0000-000000000001", Username: "root", Admin: true})
	if _, err := postgres.NewSiteService(db).CreateSite(admin, parley.CreateSiteInput{Name: "News", AllowedOrigins: []string{"https://news.example"}}); err != nil {
		t.Fatal(err)
	}
	applier := federation.NewCommentApplier("beta", store, postgres.NewStoryService(db), postgres.NewCommentService(db, markup.NewRenderer()), nil)
	_, priv := MustKey(t)
	alpha := federation.NewSigner("alpha", priv)
	apply := func(kind string, payload any) {
		t.Helper()
		e, err := alpha.Sign(kind, payload, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := applier.Apply(ctx, federation.MustVerified(t, e)); err != nil {
			t.Fatal(err)
		}
	}
	// After an outage, catch-up may store a comment after its deletion that came live.
	apply(federation.KindTombstone, &federation.TombstonePayload{Object: federation.ObjectRef{Instance: "alpha", ID: "gone"}, Type: "comment"})
	apply(federation.KindCommentCreated, comment("alpha", "gone"))
	apply(federation.KindCommentCreated, comment("alpha", "kept"))
	t.Run("the comment deleted first is refused when it comes", func(t *testing.T) {
		if _, err := store.FindRemoteComment(ctx, "alpha", "gone"); parley.ErrorCode(err) != parley.ENOTFOUND {
			t.Fatalf("the buried comment was stored: %v", err)
		}
	})
	t.Run("another comment of the same origin is applied", func(t *testing.T) {
		if _, err := store.FindRemoteComment(ctx, "alpha", "kept"); err != nil {
			t.Fatal(err)
		}
	})
}
