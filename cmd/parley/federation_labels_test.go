package main

import (
	"strings"
	"testing"
	"time"
)

// linkInstances makes a and b peers of each other and waits until b's leaf connection to a
// is up; it returns each side's record of the other.
func linkInstances(t *testing.T, a, b *fedInstance, aAdmin, bAdmin string) (aPeerID, bPeerID string) {
	t.Helper()
	if out, err := a.parley(t, "peer", "add", b.base); err != nil {
		t.Fatalf("peer add: %q, %v", out, err)
	}
	var added struct{ AddPeer struct{ ID, State string } }
	mustGQL(t, b.base, bAdmin, `mutation($u: String!) { addPeer(input: {url: $u}) { id state } }`, map[string]any{"u": a.base}, &added)
	if added.AddPeer.State != "ACTIVE" {
		t.Fatalf("beta's link to alpha is %s", added.AddPeer.State)
	}
	var peers struct{ Peers []struct{ ID string } }
	mustGQL(t, a.base, aAdmin, `{ peers { id } }`, nil, &peers)
	b.awaitLeafs(t)
	return peers.Peers[0].ID, added.AddPeer.ID
}

func TestLabelsAcrossInstances(t *testing.T) {
	a, b := startFedInstance(t, "alpha"), startFedInstance(t, "beta")
	aAdmin, bAdmin := a.adminToken(t), b.adminToken(t)
	betaOnAlpha, alphaOnBeta := linkInstances(t, a, b, aAdmin, bAdmin)
	const article = "https://news.example/syndicated/labels"
	sites := map[*fedInstance]string{}
	for in, token := range map[*fedInstance]string{a: aAdmin, b: bAdmin} {
		var s struct{ CreateSite struct{ ID string } }
		mustGQL(t, in.base, token, `mutation { createSite(input: {name: "News", allowedOrigins: ["https://news.example"]}) { id } }`, nil, &s)
		sites[in] = s.CreateSite.ID
	}
	var story struct{ Story struct{ ID string } }
	mustGQL(t, a.base, "", `query($u: String!) { story(url: $u) { id } }`, map[string]any{"u": article}, &story)
	mustGQL(t, a.base, aAdmin, `mutation($s: ID!, $p: ID!) { shareStory(input: {storyID: $s, peerIDs: [$p]}) { id } }`,
		map[string]any{"s": story.Story.ID, "p": betaOnAlpha}, nil)

	t.Run("subscribeLabels refuses bad input by field", func(t *testing.T) {
		errs := gqlErrors(t, b.base, bAdmin, `mutation($s: ID!, $p: ID!) { subscribeLabels(input: {siteID: $s, peerID: $p, weight: 2, action: HIDE, quorum: 1}) { quorum } }`,
			map[string]any{"s": sites[b], "p": alphaOnBeta})
		if len(errs) != 1 || !strings.Contains(errs[0], "weight") {
			t.Fatalf("errors %v", errs)
		}
	})
	var sub struct {
		SubscribeLabels struct {
			PeerName, Action string
			Quorum           int
		}
	}
	mustGQL(t, b.base, bAdmin, `mutation($s: ID!, $p: ID!) { subscribeLabels(input: {siteID: $s, peerID: $p, weight: 0.8, action: HIDE, quorum: 1}) { peerName action quorum } }`,
		map[string]any{"s": sites[b], "p": alphaOnBeta}, &sub)
	if sub.SubscribeLabels.PeerName != "alpha" || sub.SubscribeLabels.Action != "HIDE" || sub.SubscribeLabels.Quorum != 1 {
		t.Fatalf("subscription %+v", sub)
	}

	var up struct{ SignUp struct{ Token string } }
	mustGQL(t, a.base, "", `mutation($i: SignUpInput!) { signUp(input: $i) { token } }`,
		map[string]any{"i": map[string]any{"email": "ann@example.org", "username": "ann", "password": "a long enough password"}}, &up)
	var made struct {
		CreateComment struct{ Comment struct{ ID string } }
	}
	mustGQL(t, a.base, up.SignUp.Token, `mutation($i: CreateCommentInput!) { createComment(input: $i) { comment { id } } }`,
		map[string]any{"i": map[string]any{"storyID": story.Story.ID, "body": "Buy cheap watches."}}, &made)
	shown := func() bool {
		for _, c := range b.thread(t, article) {
			if strings.Contains(c.Body, "cheap watches") {
				return true
			}
		}
		return false
	}
	for deadline := time.Now().Add(30 * time.Second); !shown(); {
		if time.Now().After(deadline) {
			t.Fatal("alpha's comment never reached beta")
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Run("alpha's moderator rejecting a comment hides it on beta, which subscribes to alpha's labels", func(t *testing.T) {
		mustGQL(t, a.base, aAdmin, `mutation($id: ID!) { rejectComment(input: {commentID: $id, reason: SPAM}) { comment { status } } }`,
			map[string]any{"id": made.CreateComment.Comment.ID}, nil)
		for deadline := time.Now().Add(30 * time.Second); shown(); {
			if time.Now().After(deadline) {
				t.Fatal("beta still shows the comment alpha rejected")
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	t.Run("a deletion on alpha is acknowledged by beta: erased on 1 of 1 peer", func(t *testing.T) {
		var c struct {
			CreateComment struct{ Comment struct{ ID string } }
		}
		mustGQL(t, a.base, up.SignUp.Token, `mutation($i: CreateCommentInput!) { createComment(input: $i) { comment { id } } }`,
			map[string]any{"i": map[string]any{"storyID": story.Story.ID, "body": "Soon gone."}}, &c)
		mustGQL(t, a.base, up.SignUp.Token, `mutation($id: ID!) { deleteComment(input: {commentID: $id}) { comment { id } } }`,
			map[string]any{"id": c.CreateComment.Comment.ID}, nil)
		type tombstone struct {
			ObjectID, Coverage  string
			Peers, Acknowledged int
			Pending             []string
		}
		var last []tombstone
		for deadline := time.Now().Add(30 * time.Second); ; {
			var out struct{ Tombstones []tombstone }
			mustGQL(t, a.base, aAdmin, `{ tombstones(first: 5) { objectID coverage peers acknowledged pending } }`, nil, &out)
			last = out.Tombstones
			if len(last) == 1 && last[0].ObjectID == c.CreateComment.Comment.ID && last[0].Coverage == "erased on 1 of 1 peer" &&
				last[0].Acknowledged == 1 && len(last[0].Pending) == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("alpha's tombstones: %+v", last)
			}
			time.Sleep(100 * time.Millisecond)
		}
		if errs := gqlErrors(t, a.base, aAdmin, `{ tombstones(first: 0) { id } }`, nil); len(errs) != 1 || !strings.Contains(errs[0], "1 to 100") {
			t.Fatalf("first: 0 answered %v", errs)
		}
	})
}
