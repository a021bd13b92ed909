package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestFederationSurvivesKills posts on alpha while alpha's NATS server (a process of its own,
// NATS_URL) is killed with SIGKILL and restarted, and then alpha's replica (its outbox relay
// and federation publisher) is; a checker then reads both databases: every comment alpha
// stored is on beta exactly once. PARLEY_FED_SOAK=1 posts 1,000.
func TestFederationSurvivesKills(t *testing.T) {
	total := fedSize(120, 1000)
	b := startFedNode(t, "beta", fedNodeOptions{})
	a := startFedNode(t, "alpha", fedNodeOptions{ExternalNATS: true})
	link(t, a, b, setQuota(t, 5000))
	const article = "https://news.example/crash/1"
	a.site(t)
	b.site(t)
	story := a.share(t, article, "beta")
	b.awaitLeafs(t)
	token := a.adminToken(t)

	// Posters take numbers in turn and try each until alpha answers; a post whose answer a
	// kill cut off may be stored twice on alpha, which the checker allows for (it compares
	// alpha's comments, not the posts).
	var next atomic.Int64
	var posted, failed atomic.Int64
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				i := next.Add(1)
				if i > int64(total) {
					return
				}
				for !a.tryPost(token, story, fmt.Sprintf("Crash comment %d.", i)) {
					failed.Add(1)
					time.Sleep(100 * time.Millisecond) // alpha is down: try again
				}
				posted.Add(1)
			}
		})
	}
	awaitPosted := func(n int64) {
		eventually(t, 5*time.Minute, func() bool { return posted.Load() >= n }, func() string { return fmt.Sprintf("only %d posted", posted.Load()) })
	}
	awaitPosted(int64(total) / 5)
	a.natsProc.stop(syscall.SIGKILL)
	t.Logf("alpha's NATS killed after %d posts", posted.Load())
	awaitPosted(int64(total) * 2 / 5)
	a.startNATS()
	awaitPosted(int64(total) * 3 / 5)
	a.replica.stop(syscall.SIGKILL)
	t.Logf("alpha's replica killed after %d posts", posted.Load())
	a.startReplica()
	wg.Wait()
	t.Logf("%d posts, %d failed attempts while alpha was down", posted.Load(), failed.Load())

	adb, bdb := a.db(t), b.db(t)
	ctx := context.Background()
	var stored int
	if err := adb.QueryRow(ctx, `SELECT count(*) FROM comments WHERE story_id = $1 AND status = 'PUBLISHED'`, story).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored < total {
		t.Fatalf("alpha holds %d comments of %d posted", stored, total)
	}
	// check compares the two databases: alpha's published comments of the story against the
	// copies beta mapped to them and the comments beta holds of alpha's authors.
	type result struct{ lost, twice, copies, unmapped int }
	check := func() result {
		rows, err := adb.Query(ctx, `SELECT id::text FROM comments WHERE story_id = $1 AND status = 'PUBLISHED'`, story)
		if err != nil {
			t.Fatal(err)
		}
		ids := map[string]bool{}
		for rows.Next() {
			var id string
			_ = rows.Scan(&id)
			ids[id] = true
		}
		if rows.Err() != nil {
			t.Fatal(rows.Err())
		}
		rows, err = bdb.Query(ctx, `SELECT remote_id, count(*) FROM federation_comments WHERE instance = 'alpha' GROUP BY remote_id`)
		if err != nil {
			t.Fatal(err)
		}
		var r result
		mapped := map[string]bool{}
		for rows.Next() {
			var id string
			var n int
			_ = rows.Scan(&id, &n)
			mapped[id] = true
			if n > 1 {
				r.twice++
			}
		}
		for id := range ids {
			if !mapped[id] {
				r.lost++
			}
		}
		// A copy made twice would be a second comment of an alpha author that no mapping
		// names (the mapping's key refuses the second).
		if err := bdb.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE f.comment_id IS NULL) FROM comments c
			JOIN federation_users u ON u.user_id = c.author_id AND u.instance = 'alpha'
			LEFT JOIN federation_comments f ON f.comment_id = c.id`).Scan(&r.copies, &r.unmapped); err != nil {
			t.Fatal(err)
		}
		return r
	}
	var last result
	// Catch-up reads what the leaf connection missed within CatchUpInterval.
	eventually(t, 3*time.Minute, func() bool { last = check(); return last.lost == 0 }, func() string {
		return fmt.Sprintf("beta still lacks %d of alpha's %d comments: %+v", last.lost, stored, last)
	})
	t.Run("none lost and none applied twice", func(t *testing.T) {
		if last.lost != 0 || last.twice != 0 || last.unmapped != 0 || last.copies != stored {
			t.Fatalf("alpha holds %d comments; beta: %+v", stored, last)
		}
	})
	t.Logf("alpha holds %d comments, beta %d copies of them", stored, last.copies)
}

// TestReadinessSeesAnExternalNATSLeafConnections runs beta on its own nats-server, whose
// monitoring endpoint (PARLEY_NATS_MONITOR_URL) beta's /readyz reads: it reports the leaf
// connection to alpha up once linked, and down when alpha stops.
func TestReadinessSeesAnExternalNATSLeafConnections(t *testing.T) {
	b := startFedNode(t, "beta", fedNodeOptions{ExternalNATS: true})
	a := startFedNode(t, "alpha", fedNodeOptions{})
	link(t, a, b, nil)
	federationLine := func() string {
		resp, err := http.Get(b.base + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var ready map[string]string
		if err := json.NewDecoder(resp.Body).Decode(&ready); err != nil {
			t.Fatal(err)
		}
		return ready["federation"]
	}
	// connected is what beta's Peers page says of alpha's link ("null" when not said).
	token := b.adminToken(t)
	connected := func() string {
		var out struct{ Peers []struct{ Connected *bool } }
		mustGQL(t, b.base, token, `{ peers { connected } }`, nil, &out)
		if len(out.Peers) != 1 || out.Peers[0].Connected == nil {
			return "null"
		}
		return strconv.FormatBool(*out.Peers[0].Connected)
	}
	t.Run("up once linked", func(t *testing.T) {
		b.awaitLeafs(t)
		if got := connected(); got != "true" {
			t.Fatalf("the Peers page says alpha's connection is %s", got)
		}
	})
	t.Run("down while the peer is stopped", func(t *testing.T) {
		a.replica.stop(syscall.SIGTERM)
		eventually(t, time.Minute, func() bool { return federationLine() == "no leaf connection to alpha" }, func() string {
			return "beta's /readyz says " + federationLine()
		})
		if got := connected(); got != "false" {
			t.Fatalf("the Peers page says alpha's connection is %s", got)
		}
	})
}
