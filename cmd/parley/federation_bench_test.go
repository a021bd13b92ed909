package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// BenchmarkFederatedComment measures cross-instance delivery between two `parley serve`
// processes: from the createComment answer on alpha to the comment being readable on beta
// (relay, signing, leaf connection, verification, beta's pipeline and write, beta's API),
// one comment at a time, polled every 5 ms on beta by an administrator (whose reads are not
// cached). It reports p50 and p99.
func BenchmarkFederatedComment(b *testing.B) {
	a, z := startFedInstance(b, "alpha"), startFedInstance(b, "beta")
	aAdmin, zAdmin := a.adminToken(b), z.adminToken(b)
	if out, err := a.parley(b, "peer", "add", z.base); err != nil {
		b.Fatalf("peer add: %q, %v", out, err)
	}
	mustGQL(b, z.base, zAdmin, `mutation($u: String!) { addPeer(input: {url: $u}) { state } }`, map[string]any{"u": a.base}, nil)
	const article = "https://news.example/bench/1"
	for in, token := range map[*fedInstance]string{a: aAdmin, z: zAdmin} {
		mustGQL(b, in.base, token, `mutation { createSite(input: {name: "News", allowedOrigins: ["https://news.example"]}) { id } }`, nil, nil)
	}
	var story struct{ Story struct{ ID string } }
	mustGQL(b, a.base, "", `query($u: String!) { story(url: $u) { id } }`, map[string]any{"u": article}, &story)
	var peers struct{ Peers []struct{ ID string } }
	mustGQL(b, a.base, aAdmin, `{ peers { id } }`, nil, &peers)
	mustGQL(b, a.base, aAdmin, `mutation($s: ID!, $p: ID!) { shareStory(input: {storyID: $s, peerIDs: [$p]}) { id } }`,
		map[string]any{"s": story.Story.ID, "p": peers.Peers[0].ID}, nil)
	for {
		resp, err := http.Get(z.base + "/readyz")
		if err != nil {
			b.Fatal(err)
		}
		var ready map[string]string
		_ = json.NewDecoder(resp.Body).Decode(&ready)
		resp.Body.Close()
		if ready["federation"] == "ok" {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The newest comment on beta says which of alpha's it is ("Comment N.").
	count := func() int {
		var out struct {
			Story struct {
				Comments struct {
					Edges []struct{ Node struct{ Body string } }
				}
			}
		}
		mustGQL(b, z.base, zAdmin, `query($u: String!) { story(url: $u) { comments(first: 1, orderBy: NEWEST) { edges { node { body } } } } }`,
			map[string]any{"u": article}, &out)
		if len(out.Story.Comments.Edges) == 0 {
			return -1
		}
		var n int
		fmt.Sscanf(strings.TrimSuffix(strings.TrimPrefix(out.Story.Comments.Edges[0].Node.Body, "<p>Comment "), ".</p>\n"), "%d", &n)
		return n
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		mustGQL(b, a.base, aAdmin, `mutation($i: CreateCommentInput!) { createComment(input: $i) { comment { id } } }`,
			map[string]any{"i": map[string]any{"storyID": story.Story.ID, "body": fmt.Sprintf("Comment %d.", i)}}, nil)
		posted := time.Now()
		for deadline := posted.Add(30 * time.Second); count() != i; {
			if time.Now().After(deadline) {
				b.Fatalf("comment %d never reached beta", i)
			}
			time.Sleep(5 * time.Millisecond)
		}
		lat = append(lat, time.Since(posted))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

// BenchmarkFederatedApply measures how many of a peer's envelopes beta verifies and applies
// a second (signature, ledger, beta's own pipeline and write, one at a time in order), with
// both instances as processes: alpha posts b.N comments while beta's link to it is paused,
// then beta resumes and reads them (catch-up, then its consumer) with its quota lifted. The
// inverse of envelopes/s is the ingest cost of one envelope on this machine.
func BenchmarkFederatedApply(b *testing.B) {
	z := startFedNode(b, "beta", fedNodeOptions{})
	a := startFedNode(b, "alpha", fedNodeOptions{})
	link(b, a, z, setQuota(b, 1_000_000))
	const article = "https://news.example/apply/1"
	a.site(b)
	z.site(b)
	story := a.share(b, article, "beta")
	z.awaitLeafs(b)
	zAdmin := z.adminToken(b)
	var peers struct{ Peers []struct{ ID string } }
	mustGQL(b, z.base, zAdmin, `{ peers { id } }`, nil, &peers)
	pause := func(paused bool) {
		mustGQL(b, z.base, zAdmin, `mutation($p: ID!, $x: Boolean!) { pausePeer(input: {peerID: $p, paused: $x}) { state } }`,
			map[string]any{"p": peers.Peers[0].ID, "x": paused}, nil)
	}
	zdb := z.db(b)
	applied := func() int {
		var n int
		if err := zdb.QueryRow(context.Background(), `SELECT count(*) FROM federation_comments WHERE instance = 'alpha'`).Scan(&n); err != nil {
			b.Fatal(err)
		}
		return n
	}
	pause(true)
	token := a.adminToken(b)
	for i := range b.N {
		a.post(b, token, story, "", fmt.Sprintf("Applied %d.", i))
	}
	// Alpha's publisher has signed them all when its outbound stream holds b.N comments:
	// awaited through beta's catch-up instead, so the clock starts at the resume.
	b.ResetTimer()
	pause(false)
	for deadline := time.Now().Add(10 * time.Minute); applied() < b.N; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			b.Fatalf("beta applied %d of %d", applied(), b.N)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "envelopes/s")
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/envelope")
}
