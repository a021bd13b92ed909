package postgres_test

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley/postgres"
)

// TestWriteCostIsFlat checks that what a new comment reads of its author's history, and what
// a signed-in page read looks up about its viewer, read a bounded number of rows however long
// that history is: the comments rows each statement touches (returned, or read and filtered
// out) are counted with EXPLAIN ANALYZE after an author wrote 1,000 comments in the last ten
// minutes, and again after 4,000 more, and must be the same.
func TestWriteCostIsFlat(t *testing.T) {
	e := MustEnv(t)
	ctx := context.Background()
	_, u := e.MustUser(t)
	site, story := e.MustStory(t)
	pool := e.db.Pool()
	queries := map[string]postgres.PageQuery{
		"the draft of a new comment": postgres.PrepareCommentQuery(story.ID, u.ID, "A new comment, like none before."),
		"the viewer's state on a page": postgres.ViewerStateQuery(u.ID, []string{story.ID, site.ID},
			[]string{"0190a0a0-0000-7000-8000-000000000001", "0190a0a0-0000-7000-8000-000000000002"}),
		// Read from (author_id, site_id, status, created_at) since migration 0032 dropped
		// the index by author, site and time.
		"the author's comments of the last hour": postgres.CommentsSinceQuery(u.ID, site.ID, time.Now().Add(-time.Hour), 10),
	}
	// The worst case for the draft: a site that holds on a rejection rate reads the author's
	// recent decisions too.
	if _, err := pool.Exec(ctx, `UPDATE sites SET settings = settings || '{"holdRejectionRate": 0.5}' WHERE id = $1`, site.ID); err != nil {
		t.Fatal(err)
	}
	touched := map[string][]int{}
	for _, n := range []int{1000, 4000} {
		// Six in ten published, two rejected, two pending, all in the last ten minutes and
		// each with its own text: the worst case for the repeat-post check.
		if _, err := pool.Exec(ctx, `
			WITH g AS (SELECT gen_random_uuid() AS id, i FROM generate_series(1, $4) AS i)
			INSERT INTO comments (id, story_id, site_id, author_id, root_id, depth, body, body_source, status, created_at)
			SELECT g.id, $1, $2, $3, g.id, 0, '<p>Old ' || g.i || '</p>', 'Old ' || g.i || ' ' || $4,
				(ARRAY['PUBLISHED','PUBLISHED','PUBLISHED','PUBLISHED','PUBLISHED','PUBLISHED','REJECTED','REJECTED','PENDING','PENDING'])[g.i % 10 + 1],
				now() - make_interval(secs => g.i % 500)
			FROM g`, story.ID, site.ID, u.ID, n); err != nil {
			t.Fatal(err)
		}
		if _, err := pool.Exec(ctx, `ANALYZE comments`); err != nil {
			t.Fatal(err)
		}
		for name, q := range queries {
			touched[name] = append(touched[name], rowsTouched(t, pool, q))
		}
	}
	for name, rows := range touched {
		t.Run(name+" reads as many rows after 5,000 comments as after 1,000", func(t *testing.T) {
			t.Logf("comments rows touched: %d after 1,000 comments, %d after 5,000", rows[0], rows[1])
			if rows[0] != rows[1] || rows[1] > 1000 {
				t.Fatalf("comments rows touched: %d after 1,000 comments, %d after 5,000", rows[0], rows[1])
			}
		})
	}
}

// planNode is the part of an EXPLAIN (ANALYZE, FORMAT JSON) node that counts rows.
type planNode struct {
	Relation    string     `json:"Relation Name"`
	Type        string     `json:"Node Type"`
	Index       string     `json:"Index Name"`
	ActualRows  float64    `json:"Actual Rows"`
	ActualLoops float64    `json:"Actual Loops"`
	Filtered    float64    `json:"Rows Removed by Filter"`
	Rechecked   float64    `json:"Rows Removed by Index Recheck"`
	Plans       []planNode `json:"Plans"`
}

// rowsTouched runs q under EXPLAIN ANALYZE and returns how many comments rows its scans
// returned or read and filtered out. Test tables are small, where reading every match (a
// sequential or bitmap scan) and sorting is rightly cheaper; both are turned off to see the
// plan a big table gets, where an index read in order stops at the LIMIT.
func rowsTouched(t *testing.T, pool *pgxpool.Pool, q postgres.PageQuery) int {
	t.Helper()
	ctx := context.Background()
	conn, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SET enable_seqscan = off; SET enable_bitmapscan = off`); err != nil {
		t.Fatal(err)
	}
	defer conn.Exec(ctx, `RESET enable_seqscan; RESET enable_bitmapscan`)
	var raw []byte
	if err := conn.QueryRow(ctx, "EXPLAIN (ANALYZE, FORMAT JSON) "+q.SQL, q.Args...).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	if os.Getenv("PARLEY_SHOW_PLANS") != "" {
		t.Log(string(raw))
	}
	var plans []struct{ Plan planNode }
	if err := json.Unmarshal(raw, &plans); err != nil {
		t.Fatal(err)
	}
	var walk func(n planNode) float64
	walk = func(n planNode) float64 {
		var sum float64
		if n.Relation == "comments" {
			rows := (n.ActualRows + n.Filtered + n.Rechecked) * n.ActualLoops
			if os.Getenv("PARLEY_SHOW_PLANS") != "" {
				t.Logf("%s on %s: %.0f rows", n.Type, n.Index, rows)
			}
			sum += rows
		}
		for _, c := range n.Plans {
			sum += walk(c)
		}
		return sum
	}
	return int(walk(plans[0].Plan))
}

// TestUserCommentsPageIsMerged checks that a page of a user's comments on a site (what
// moderators read of a user) reads each status's range of comments_author_site_status_idx in
// created_at order and merges them, with no sort of the user's whole history: since
// migration 0032 no index holds the user's comments on a site in created_at order alone. Ties
// of created_at are put in id order within each range (Incremental Sort), as before.
func TestUserCommentsPageIsMerged(t *testing.T) {
	e := MustEnv(t)
	ctx := context.Background()
	_, u := e.MustUser(t)
	_, other := e.MustUser(t)
	site, story := e.MustStory(t)
	conn, err := e.db.Pool().Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	// A busy site where the user wrote few of the comments: reading the site's comments
	// filtered by author would walk everyone's.
	for author, n := range map[string]int{u.ID: 200, other.ID: 5000} {
		if _, err := conn.Exec(ctx, `
			WITH g AS (SELECT gen_random_uuid() AS id, i FROM generate_series(1, $4) AS i)
			INSERT INTO comments (id, story_id, site_id, author_id, root_id, depth, body, body_source, status, created_at)
			SELECT g.id, $1, $2, $3, g.id, 0, '<p>Old</p>', 'Old ' || g.i,
				(ARRAY['PUBLISHED','PUBLISHED','REJECTED','PENDING','DELETED'])[g.i % 5 + 1], now() - make_interval(secs => g.i)
			FROM g`, story.ID, site.ID, author, n); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := conn.Exec(ctx, `ANALYZE comments`); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `SET enable_seqscan = off; SET enable_bitmapscan = off`); err != nil {
		t.Fatal(err)
	}
	defer conn.Exec(ctx, `RESET enable_seqscan; RESET enable_bitmapscan`)
	q := postgres.UserCommentsQuery(u.ID, site.ID, 20)
	p := explain(t, conn, q)
	// A sort node is "->  Sort  (cost=…"; an Incremental Sort is named so.
	if !strings.Contains(p, "Merge Append") || strings.Count(p, "comments_author_site_status_idx") != 4 || strings.Contains(p, ">  Sort  (") {
		t.Fatalf("want four ranges of comments_author_site_status_idx merged, without a sort:\n%s", p)
	}
}
