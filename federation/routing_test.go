package federation_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/federation"
	"github.com/parleyhq/parley/markup"
	"github.com/parleyhq/parley/postgres"
)

// MustOutboxEvent wraps an event payload as the bus delivers it to the publisher.
func MustOutboxEvent(tb testing.TB, id string, p parley.EventPayload) parley.OutboxEvent {
	tb.Helper()
	raw, err := parley.EncodeEvent(p)
	if err != nil {
		tb.Fatal(err)
	}
	return parley.OutboxEvent{ID: id, Kind: p.Kind(), Payload: json.RawMessage(raw), CreatedAt: time.Now()}
}

// Alpha shares story A with beta only and story B with beta and gamma: each envelope goes
// to the streams of the peers it concerns, and no other peer's account could read it.
func TestEnvelopesGoOnlyToThePeersTheyConcern(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	store, db := MustStore(t)
	id := MustIdentity(t, store, "alpha", "", nil)
	beta, gamma := mustPeer(t, store, "beta"), mustPeer(t, store, "gamma")
	mustPeer(t, store, "delta") // active, shares nothing
	emb, _, transport := MustBus(t, "alpha", nil)
	for _, p := range []string{"beta", "gamma", "delta"} {
		if err := transport.AddPeerStream(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	accounts, stories := postgres.NewAccountStore(db), postgres.NewStoryService(db)
	comments := postgres.NewCommentService(db, markup.NewRenderer())
	admin := &parley.User{Username: "admin", Email: "admin@example.org", Admin: true}
	ann := &parley.User{Username: "ann", Email: "ann@example.org"}
	for _, u := range []*parley.User{admin, ann} {
		if err := accounts.CreateUser(ctx, u, ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := postgres.NewSiteService(db).CreateSite(parley.NewContextWithUser(ctx, admin), parley.CreateSiteInput{Name: "News", AllowedOrigins: []string{"https://news.example"}}); err != nil {
		t.Fatal(err)
	}
	storyA, err := stories.FindStoryByURL(ctx, "https://news.example/a")
	if err != nil {
		t.Fatal(err)
	}
	storyB, err := stories.FindStoryByURL(ctx, "https://news.example/b")
	if err != nil {
		t.Fatal(err)
	}
	if err := store.ShareStory(ctx, storyA.ID, []string{beta.ID}); err != nil {
		t.Fatal(err)
	}
	if err := store.ShareStory(ctx, storyB.ID, []string{beta.ID, gamma.ID}); err != nil {
		t.Fatal(err)
	}
	pub := federation.NewPublisher(id, store, stories, postgres.NewUserService(db), comments, transport, nil).
		WithTombstones(postgres.NewTombstoneStore(db))
	as := parley.NewContextWithUser(ctx, ann)
	post := func(story *parley.Story, event string) *parley.Comment {
		t.Helper()
		c, err := comments.CreateComment(as, parley.CreateCommentInput{StoryID: story.ID, Body: "On " + story.URL})
		if err != nil {
			t.Fatal(err)
		}
		if err := pub.Handle(ctx, MustOutboxEvent(t, event, parley.CommentCreated{CommentSnapshot: parley.SnapshotOf(c)})); err != nil {
			t.Fatal(err)
		}
		return c
	}
	onA, onB := post(storyA, "ev-a"), post(storyB, "ev-b")
	reaction := MustOutboxEvent(t, "react-a", parley.ReactionAdded{CommentID: onA.ID, AuthorID: ann.ID, UserID: admin.ID, ReactionKind: "funny", ReactionCount: 1})
	reaction.StoryID = storyA.ID
	if err := pub.Handle(ctx, reaction); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for i, c := range []*parley.Comment{onA, onB} {
		ev := parley.CommentDeleted{ID: c.ID, StoryID: c.StoryID, SiteID: c.SiteID, AuthorID: ann.ID, PreviousStatus: parley.StatusPublished, DeletedAt: &now}
		if err := pub.Handle(ctx, MustOutboxEvent(t, []string{"del-a", "del-b"}[i], ev)); err != nil {
			t.Fatal(err)
		}
	}
	// Story C is shared with gamma, then unshared: a comment after that stays here, while the
	// deletion of one gamma holds still goes to it.
	storyC, err := stories.FindStoryByURL(ctx, "https://news.example/c")
	if err != nil {
		t.Fatal(err)
	}
	if err := store.ShareStory(ctx, storyC.ID, []string{gamma.ID}); err != nil {
		t.Fatal(err)
	}
	sent := post(storyC, "ev-c1")
	if err := store.UnshareStory(ctx, storyC.ID, []string{gamma.ID}); err != nil {
		t.Fatal(err)
	}
	post(storyC, "ev-c2")
	gone := parley.CommentDeleted{ID: sent.ID, StoryID: storyC.ID, SiteID: sent.SiteID, AuthorID: ann.ID, PreviousStatus: parley.StatusPublished, DeletedAt: &now}
	if err := pub.Handle(ctx, MustOutboxEvent(t, "del-c1", gone)); err != nil {
		t.Fatal(err)
	}
	ban := parley.UserSanctioned{SanctionID: "s1", UserID: ann.ID, SanctionKind: parley.SanctionBan, ModeratorID: admin.ID}
	if err := pub.Handle(ctx, MustOutboxEvent(t, "ban", ban)); err != nil {
		t.Fatal(err)
	}
	// The erasure job erased ann's account.
	if err := pub.Handle(ctx, MustOutboxEvent(t, "erase", parley.UserDeleted{ID: ann.ID})); err != nil {
		t.Fatal(err)
	}
	js := MustJetStream(t, emb)
	// received lists the envelope IDs in a peer's stream, in order.
	received := func(peer string) []string {
		t.Helper()
		s, err := js.Stream(ctx, federation.PeerStream(peer))
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for seq := uint64(1); ; seq++ {
			m, err := s.GetMsg(ctx, seq)
			if err != nil {
				if err == jetstream.ErrMsgNotFound {
					return ids
				}
				t.Fatal(err)
			}
			ids = append(ids, federation.MustDecodeEnvelope(t, m.Data).ID)
		}
	}
	for _, tc := range []struct {
		name, peer string
		want       []string
	}{
		{"the peer both stories are shared with gets both, their deletions and the ban", "beta", []string{"ev-a", "ev-b", "react-a", "del-a", "del-b", "ban", "erase"}},
		{"the peer story A is not shared with never gets its comment, its reaction nor its deletion; unshared from C, it gets C's deletion only", "gamma",
			[]string{"ev-b", "del-b", "ev-c1", "del-c1", "ban", "erase"}},
		{"a peer nothing is shared with gets nothing, not even the ban or the erasure", "delta", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := received(tc.peer)
			if len(got) != len(tc.want) {
				t.Fatalf("%s received %v, want %v", tc.peer, got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("%s received %v, want %v", tc.peer, got, tc.want)
				}
			}
		})
	}
	t.Run("a tombstone is tracked with the peers it went to", func(t *testing.T) {
		list, err := postgres.NewTombstoneStore(db).Tombstones(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		peers := map[string]int{}
		for _, ts := range list {
			peers[ts.ID] = ts.Peers
		}
		if peers["del-a"] != 1 || peers["del-b"] != 2 || peers["erase"] != 2 {
			t.Fatalf("tombstones' peers %v", peers)
		}
	})
	t.Run("the erased account leaves no record of where its comments went", func(t *testing.T) {
		if peers, err := store.UserPeers(ctx, ann.ID); err != nil || len(peers) != 0 {
			t.Fatalf("peers %v, %v", peers, err)
		}
	})
}
