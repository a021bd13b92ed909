package federation_test

import (
	"context"
	"crypto/ed25519"
	"errors"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/federation"
	"github.com/parleyhq/parley/markup"
	"github.com/parleyhq/parley/postgres"
)

// Beta holds a comment of its own and a copy of one of alpha's; alpha's readers react to
// both, through beta's verifier and its reaction service.
func TestReactionsFederate(t *testing.T) {
	ctx := context.Background()
	store, db := MustStore(t)
	_, alphaPriv := MustKey(t)
	alpha := federation.NewSigner("alpha", alphaPriv)
	peer := mustPeer(t, store, "alpha")
	peer.Keys = []parley.PeerKey{{ID: alpha.KeyID, PublicKey: alphaPriv.Public().(ed25519.PublicKey), ValidFrom: time.Now().Add(-time.Hour)}}
	if err := store.UpdatePeer(ctx, peer); err != nil {
		t.Fatal(err)
	}
	accounts, comments := postgres.NewAccountStore(db), postgres.NewCommentService(db, markup.NewRenderer())
	admin := &parley.User{Username: "admin", Email: "admin@example.org", Admin: true}
	bob := &parley.User{Username: "bob", Email: "bob@example.org"}
	for _, u := range []*parley.User{admin, bob} {
		if err := accounts.CreateUser(ctx, u, ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := postgres.NewSiteService(db).CreateSite(parley.NewContextWithUser(ctx, admin), parley.CreateSiteInput{Name: "News", AllowedOrigins: []string{"https://news.example"}}); err != nil {
		t.Fatal(err)
	}
	story, err := postgres.NewStoryService(db).FindStoryByURL(ctx, "https://news.example/a/1")
	if err != nil {
		t.Fatal(err)
	}
	local, err := comments.CreateComment(parley.NewContextWithUser(ctx, bob), parley.CreateCommentInput{StoryID: story.ID, Body: "Beta's own"})
	if err != nil {
		t.Fatal(err)
	}
	applier := federation.NewCommentApplier("beta", store, postgres.NewStoryService(db), comments, nil)
	if err := applier.Apply(ctx, federation.MustVerified(t, mustEnvelope(t, alpha, federation.KindCommentCreated, comment("alpha", "c1")))); err != nil {
		t.Fatal(err)
	}
	copyID, err := store.FindRemoteComment(ctx, "alpha", "c1")
	if err != nil {
		t.Fatal(err)
	}
	verifier := &federation.Verifier{Self: "beta", Peer: store.FindPeerByName}
	reactions := federation.NewInbound(verifier, store, federation.NewReactionApplier("beta", store, postgres.NewReactionService(db), nil), federation.InboundOptions{})
	react := func(p *federation.ReactionPayload) (federation.Outcome, error) {
		t.Helper()
		kind := federation.KindReactionAdded
		if p.Removed {
			kind = federation.KindReactionRemoved
		}
		return reactions.Receive(ctx, mustEnvelope(t, alpha, kind, p).Marshal(), time.Now())
	}
	reader := federation.RemoteUser{Instance: "alpha", ID: "u7", Username: "cleo"}
	count := func(id string) int {
		t.Helper()
		c, err := comments.FindCommentByID(parley.NewContextWithUser(ctx, admin), id)
		if err != nil {
			t.Fatal(err)
		}
		return c.ReactionCount
	}
	t.Run("a reaction to a local comment is counted", func(t *testing.T) {
		if out, err := react(&federation.ReactionPayload{Comment: federation.ObjectRef{Instance: "beta", ID: local.ID}, User: reader, Kind: "insightful"}); out != federation.Applied || err != nil {
			t.Fatalf("outcome %s, %v", out, err)
		}
		if n := count(local.ID); n != 1 {
			t.Fatalf("count %d", n)
		}
	})
	t.Run("the same reader's reaction again, in a new envelope, counts once", func(t *testing.T) {
		if out, err := react(&federation.ReactionPayload{Comment: federation.ObjectRef{Instance: "beta", ID: local.ID}, User: reader, Kind: "insightful"}); out != federation.Applied || err != nil {
			t.Fatalf("outcome %s, %v", out, err)
		}
		if n := count(local.ID); n != 1 {
			t.Fatalf("count %d", n)
		}
	})
	t.Run("a reaction to the copy of an origin's comment is counted on the copy", func(t *testing.T) {
		if _, err := react(&federation.ReactionPayload{Comment: federation.ObjectRef{Instance: "alpha", ID: "c1"}, User: federation.RemoteUser{Instance: "alpha", ID: "u8", Username: "dan"}, Kind: "funny"}); err != nil {
			t.Fatal(err)
		}
		if n := count(copyID); n != 1 {
			t.Fatalf("count %d", n)
		}
	})
	t.Run("taking it back uncounts it", func(t *testing.T) {
		if _, err := react(&federation.ReactionPayload{Comment: federation.ObjectRef{Instance: "beta", ID: local.ID}, User: reader, Kind: "insightful", Removed: true}); err != nil {
			t.Fatal(err)
		}
		if n := count(local.ID); n != 0 {
			t.Fatalf("count %d", n)
		}
	})
	t.Run("a kind the site does not offer is refused by local rules", func(t *testing.T) {
		if out, err := react(&federation.ReactionPayload{Comment: federation.ObjectRef{Instance: "beta", ID: local.ID}, User: reader, Kind: "angry"}); out != federation.Applied || err != nil {
			t.Fatalf("outcome %s, %v", out, err)
		}
		if n := count(local.ID); n != 0 {
			t.Fatalf("count %d", n)
		}
	})
	t.Run("a reaction in the name of another instance's reader is rejected", func(t *testing.T) {
		out, err := react(&federation.ReactionPayload{Comment: federation.ObjectRef{Instance: "beta", ID: local.ID}, User: federation.RemoteUser{Instance: "gamma", ID: "u9", Username: "eve"}, Kind: "funny"})
		var rej *federation.Rejection
		if out != federation.Rejected || !errors.As(err, &rej) || rej.Reason != "third_party_object" {
			t.Fatalf("outcome %s, %v", out, err)
		}
		if n := count(local.ID); n != 0 {
			t.Fatalf("count %d", n)
		}
	})
}

// mustEnvelope signs payload as s, created now.
func mustEnvelope(tb testing.TB, s *federation.Signer, kind string, payload any) *federation.Envelope {
	tb.Helper()
	e, err := s.Sign(kind, payload, time.Now())
	if err != nil {
		tb.Fatal(err)
	}
	return e
}
