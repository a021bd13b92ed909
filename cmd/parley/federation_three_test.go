package main

import (
	"os"
	"strings"
	"testing"
	"time"
)

// TestThreeInstances runs alpha, beta and gamma as processes, each with its own database
// and embedded NATS, linked pairwise on loopback and sharing one story.
func TestThreeInstances(t *testing.T) {
	a, b, c := startFedNode(t, "alpha", fedNodeOptions{}), startFedNode(t, "beta", fedNodeOptions{}), startFedNode(t, "gamma", fedNodeOptions{})
	nodes := []*fedNode{a, b, c}
	link(t, a, b, nil)
	link(t, a, c, nil)
	link(t, b, c, nil)
	const article = "https://news.example/three/1"
	sites := map[*fedNode]string{}
	for _, n := range nodes {
		sites[n] = n.site(t)
	}
	mustGQL(t, b.base, b.adminToken(t), `mutation($s: ID!) { setWordList(input: {siteID: $s, kind: BANNED, terms: "forbidden"}) { version } }`,
		map[string]any{"s": sites[b]}, nil)
	stories := map[*fedNode]string{
		a: a.share(t, article, "beta", "gamma"),
		b: b.share(t, article, "alpha", "gamma"),
		c: c.share(t, article, "alpha", "beta"),
	}
	for _, n := range nodes {
		n.awaitLeafs(t)
	}
	ann, cid := a.signUp(t, "ann"), c.signUp(t, "cid")

	// find returns the comment of n's thread whose body has text, nil when there is none.
	find := func(n *fedNode, text string) *threadComment {
		for _, cm := range n.thread(t, article) {
			if strings.Contains(cm.Body, text) {
				return &cm
			}
		}
		return nil
	}
	await := func(t *testing.T, n *fedNode, what string, ok func() bool) {
		t.Helper()
		eventually(t, time.Minute, ok, func() string { return what + ": " + n.name + " shows " + dump(n.thread(t, article)) })
	}

	helloA := a.post(t, ann, stories[a], "", "Hello from alpha.")
	t.Run("a comment on alpha appears on beta and gamma as ann@alpha", func(t *testing.T) {
		for _, n := range []*fedNode{b, c} {
			await(t, n, "alpha's comment", func() bool { return find(n, "Hello from alpha") != nil })
			if got := find(n, "Hello from alpha"); got.Author == nil || got.Author.Username != "ann@alpha" {
				t.Fatalf("%s shows %+v", n.name, got)
			}
		}
	})
	t.Run("a reply on gamma reaches alpha and beta under alpha's comment", func(t *testing.T) {
		onC := find(c, "Hello from alpha")
		c.post(t, cid, stories[c], onC.ID, "Reply from gamma.")
		for _, n := range []*fedNode{a, b} {
			await(t, n, "gamma's reply", func() bool {
				h := find(n, "Hello from alpha")
				return h != nil && len(h.Replies.Edges) == 1 && strings.Contains(h.Replies.Edges[0].Node.Body, "Reply from gamma") &&
					h.Replies.Edges[0].Node.Author != nil && h.Replies.Edges[0].Node.Author.Username == "cid@gamma"
			})
		}
	})
	t.Run("an edit on alpha reaches beta and gamma", func(t *testing.T) {
		mustGQL(t, a.base, ann, `mutation($id: ID!) { editComment(input: {commentID: $id, body: "Hello from alpha, edited."}) { comment { id } } }`,
			map[string]any{"id": helloA}, nil)
		for _, n := range []*fedNode{b, c} {
			await(t, n, "the edit", func() bool { return find(n, "edited") != nil })
		}
	})
	t.Run("a comment beta's word list bans is not shown on beta but stays on alpha and gamma", func(t *testing.T) {
		a.post(t, ann, stories[a], "", "This is forbidden talk.")
		a.post(t, ann, stories[a], "", "After the banned one.")
		// Envelopes are applied in order: once the later one shows, the banned one was decided.
		for _, n := range []*fedNode{b, c} {
			await(t, n, "the later comment", func() bool { return find(n, "After the") != nil })
		}
		if find(b, "forbidden talk") != nil {
			t.Fatalf("beta shows the banned comment: %s", dump(b.thread(t, article)))
		}
		for _, n := range []*fedNode{a, c} {
			if find(n, "forbidden talk") == nil {
				t.Fatalf("%s lost the comment beta banned: %s", n.name, dump(n.thread(t, article)))
			}
		}
	})
	t.Run("a deletion on alpha reaches beta and gamma", func(t *testing.T) {
		mustGQL(t, a.base, ann, `mutation($id: ID!) { deleteComment(input: {commentID: $id}) { comment { id } } }`, map[string]any{"id": helloA}, nil)
		for _, n := range []*fedNode{b, c} {
			await(t, n, "the deletion", func() bool {
				for _, cm := range n.thread(t, article) {
					if cm.Status == "DELETED" && cm.Body == "" && len(cm.Replies.Edges) == 1 {
						return find(n, "Hello from alpha") == nil
					}
				}
				return false
			})
		}
	})
	t.Run("no instance's leaf connection evicts another's", func(t *testing.T) {
		for _, n := range nodes {
			if log, _ := os.ReadFile(n.replica.logPath); strings.Contains(string(log), "Duplicate Remote LeafNode") {
				t.Errorf("%s's NATS replaced a peer's leaf connection with another's", n.name)
			}
		}
	})
}

// dump shows a thread in a failure message.
func dump(cs []threadComment) string {
	var b strings.Builder
	for _, c := range cs {
		author := "?"
		if c.Author != nil {
			author = c.Author.Username
		}
		b.WriteString("\n  " + c.Status + " " + author + ": " + strings.TrimSpace(c.Body))
		for _, r := range c.Replies.Edges {
			b.WriteString("\n    ↳ " + strings.TrimSpace(r.Node.Body))
		}
	}
	return b.String()
}
