package graph_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/federation"
	"github.com/parleyhq/parley/postgres"
)

func TestInstance(t *testing.T) {
	res := shared.anonymous().Do(t, `{ instance { name publicKey keyID fingerprint federationAddress } }`, nil)
	if len(res.Errors) > 0 {
		t.Fatalf("errors: %v", res.Errors)
	}
	var got struct {
		Instance struct{ Name, PublicKey, KeyID, Fingerprint, FederationAddress string }
	}
	if err := json.Unmarshal(res.Data, &got); err != nil {
		t.Fatal(err)
	}
	pub, err := base64.StdEncoding.DecodeString(got.Instance.PublicKey)
	if err != nil || len(pub) != 32 {
		t.Fatalf("publicKey %q is not a base64 Ed25519 key", got.Instance.PublicKey)
	}
	if got.Instance.Name != "graphtest" || got.Instance.KeyID != federation.KeyID(pub) ||
		got.Instance.Fingerprint != federation.Fingerprint(pub) || got.Instance.FederationAddress != "127.0.0.1:7422" {
		t.Fatalf("instance = %+v", got.Instance)
	}
	t.Run("the well-known document names the same key", func(t *testing.T) {
		resp, err := http.Get(shared.Server.URL + "/.well-known/parley")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var doc federation.Document
		if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK || doc.Name != "graphtest" || len(doc.Keys) != 1 || doc.Keys[0].ID != got.Instance.KeyID {
			t.Fatalf("status %d, document %+v", resp.StatusCode, doc)
		}
	})
	t.Run("other methods on the well-known path are refused", func(t *testing.T) {
		resp, err := http.Post(shared.Server.URL+"/.well-known/parley", "application/json", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})
}

func TestPeersAPI(t *testing.T) {
	admin, commenter := shared.MustAdmin(t), shared.MustSignUp(t)
	for _, tc := range []struct {
		name  string
		c     *client
		query string
		vars  map[string]any
		code  string
	}{
		{"peers are not for anonymous readers", shared.anonymous(), `{ peers { id } }`, nil, "UNAUTHENTICATED"},
		{"peers are not for commenters", commenter, `{ peers { id } }`, nil, "FORBIDDEN"},
		{"a commenter cannot add a peer", commenter, `mutation { addPeer(input: {url: "https://x.example"}) { id } }`, nil, "FORBIDDEN"},
		{"a URL that is not http answers INVALID", admin, `mutation { addPeer(input: {url: "gopher://x.example"}) { id } }`, nil, "INVALID"},
		{"an unreachable peer answers INVALID", admin, `mutation { addPeer(input: {url: "http://127.0.0.1:1"}) { id } }`, nil, "INVALID"},
		{"adding this instance answers INVALID", admin, `mutation($u: String!) { addPeer(input: {url: $u}) { id } }`, map[string]any{"u": shared.Server.URL}, "INVALID"},
		{"removing an unknown peer answers NOT_FOUND", admin, `mutation { removePeer(input: {peerID: "0190a7e0-5b1c-7d3e-9a41-7b0c2d1e4f50"}) { id } }`, nil, "NOT_FOUND"},
		{"pausing a malformed ID answers NOT_FOUND", admin, `mutation { pausePeer(input: {peerID: "nope"}) { id } }`, nil, "NOT_FOUND"},
		{"defederating an unknown peer answers NOT_FOUND", admin, `mutation { defederate(input: {peerID: "0190a7e0-5b1c-7d3e-9a41-7b0c2d1e4f50", purgeBacklog: true}) { id } }`, nil, "NOT_FOUND"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if res := tc.c.Do(t, tc.query, tc.vars); res.Code() != tc.code {
				t.Fatalf("code %q (%v); want %s", res.Code(), res.Errors, tc.code)
			}
		})
	}
	t.Run("an admin lists the peers", func(t *testing.T) {
		res := admin.Do(t, `{ peers { id name state fingerprint keys { id publicKey validFrom } received rejected } }`, nil)
		if len(res.Errors) > 0 || string(res.Data) != `{"peers":[]}` {
			t.Fatalf("data %s, errors %v", res.Data, res.Errors)
		}
	})
}

func TestShareStoryAPI(t *testing.T) {
	admin, commenter := shared.MustAdmin(t), shared.MustSignUp(t)
	story := shared.MustStory(t, shared.MustCreateSite(t, admin))
	const share = `mutation($s: ID!, $p: [ID!]!) { shareStory(input: {storyID: $s, peerIDs: $p}) { id } }`
	unknown := "0190a7e0-5b1c-7d3e-9a41-7b0c2d1e4f50"
	for _, tc := range []struct {
		name  string
		c     *client
		story string
		peers []string
		code  string
	}{
		{"a commenter cannot share a story", commenter, story, []string{unknown}, "FORBIDDEN"},
		{"sharing with no peer is invalid", admin, story, []string{}, "INVALID"},
		{"sharing with an unknown peer is invalid", admin, story, []string{unknown}, "INVALID"},
		{"sharing an unknown story answers NOT_FOUND", admin, unknown, []string{unknown}, "NOT_FOUND"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if res := tc.c.Do(t, share, map[string]any{"s": tc.story, "p": tc.peers}); res.Code() != tc.code {
				t.Fatalf("code %q (%v); want %s", res.Code(), res.Errors, tc.code)
			}
		})
	}
	t.Run("a local user has no instance", func(t *testing.T) {
		res := commenter.Do(t, `{ viewer { instance } }`, nil)
		if len(res.Errors) > 0 || string(res.Data) != `{"viewer":{"instance":null}}` {
			t.Fatalf("data %s, errors %v", res.Data, res.Errors)
		}
	})
}

// TestShareStoryByModerators: a site's moderators share its stories with peers and stop
// sharing them; a moderator of another site and a commenter cannot, nor learn with whom a
// story is shared; a story unshared keeps the peer as a recipient of its deletions.
func TestShareStoryByModerators(t *testing.T) {
	w := shared.MustWorld(t)
	ctx := context.Background()
	store := postgres.NewFederationStore(shared.DB)
	peer := &parley.Peer{Name: "share" + strings.ReplaceAll(uuid.NewString()[:8], "-", ""), URL: "https://share.example",
		State: parley.PeerPending, LocalAdded: true, MaxMessagesPerSecond: 10, MaxBytes: 1 << 20, MaxBacklog: 100}
	if err := store.CreatePeer(ctx, peer); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.DeletePeer(ctx, peer.ID) })
	vars := map[string]any{"s": w.StoryID, "p": []string{peer.ID}}
	const (
		share     = `mutation($s: ID!, $p: [ID!]!) { shareStory(input: {storyID: $s, peerIDs: $p}) { id sharedWith { id name state } } }`
		unshare   = `mutation($s: ID!, $p: [ID!]!) { unshareStory(input: {storyID: $s, peerIDs: $p}) { id sharedWith { name } } }`
		sharedQ   = `query($s: ID!) { story(id: $s) { sharedWith { name } } }`
		shareable = `query($site: ID!) { shareablePeers(siteID: $site) { id name state } }`
	)
	sharedWith := func(c *client) string {
		var out struct {
			Story struct{ SharedWith []struct{ Name string } }
		}
		c.MustDo(t, sharedQ, map[string]any{"s": w.StoryID}, &out)
		var names []string
		for _, p := range out.Story.SharedWith {
			names = append(names, p.Name)
		}
		return strings.Join(names, ",")
	}

	t.Run("a moderator lists the peers to share with", func(t *testing.T) {
		var out struct {
			ShareablePeers []struct{ ID, Name, State string }
		}
		w.Moderator.MustDo(t, shareable, map[string]any{"site": w.Site.ID}, &out)
		if !slices.ContainsFunc(out.ShareablePeers, func(p struct{ ID, Name, State string }) bool { return p.ID == peer.ID && p.State == "PENDING" }) {
			t.Fatalf("shareable peers %+v lack %s", out.ShareablePeers, peer.Name)
		}
	})
	for _, tc := range []struct {
		name, code string
		c          *client
		query      string
		vars       map[string]any
	}{
		{"a commenter cannot list them", "FORBIDDEN", w.Other, shareable, map[string]any{"site": w.Site.ID}},
		{"a commenter cannot share", "FORBIDDEN", w.Other, share, vars},
		{"a moderator of another site cannot share", "FORBIDDEN", w.ModElsewhere, share, vars},
		{"a moderator of another site cannot unshare", "FORBIDDEN", w.ModElsewhere, unshare, vars},
		{"a malformed peer ID is invalid", "INVALID", w.Moderator, share, map[string]any{"s": w.StoryID, "p": []string{"nope"}}},
		{"unsharing with no peer is invalid", "INVALID", w.Moderator, unshare, map[string]any{"s": w.StoryID, "p": []string{}}},
		{"a malformed story is not found", "NOT_FOUND", w.Moderator, unshare, map[string]any{"s": "nope", "p": []string{peer.ID}}},
		{"the peers of a malformed site are not found", "NOT_FOUND", w.Moderator, shareable, map[string]any{"site": "nope"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.c.MustFail(t, tc.code, tc.query, tc.vars)
		})
	}
	t.Run("a moderator shares, and only moderators see with whom", func(t *testing.T) {
		w.Moderator.MustDo(t, share, vars, nil)
		w.Moderator.MustDo(t, share, vars, nil) // again: a no-op
		if got := sharedWith(w.Moderator); got != peer.Name {
			t.Fatalf("moderator sees sharedWith %q", got)
		}
		if got := sharedWith(w.Other); got != "" {
			t.Fatalf("a commenter sees sharedWith %q", got)
		}
		if got := sharedWith(w.ModElsewhere); got != "" {
			t.Fatalf("another site's moderator sees sharedWith %q", got)
		}
	})
	t.Run("unsharing stops sending but keeps the peer a recipient of deletions", func(t *testing.T) {
		w.Moderator.MustDo(t, unshare, vars, nil)
		if got := sharedWith(w.Moderator); got != "" {
			t.Fatalf("after unsharing, sharedWith %q", got)
		}
		recipients, err := store.StoryRecipients(ctx, w.StoryID)
		if err != nil || len(recipients) != 1 || recipients[0].ID != peer.ID {
			t.Fatalf("recipients %v, %v", recipients, err)
		}
		w.Moderator.MustDo(t, share, vars, nil)
		if got := sharedWith(w.Moderator); got != peer.Name {
			t.Fatalf("shared again: sharedWith %q", got)
		}
	})
}
