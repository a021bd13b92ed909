package portable_test

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/portable"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/postgres/postgrestest"
)

// TestMoveLargeSite measures a move: PARLEY_SITE_MOVE_COMMENTS=200000 go test -run
// TestMoveLargeSite -v ./portable/ makes a site of that many comments (a third of them
// replies, a reaction on every tenth) on one database, exports it to a file and imports it
// into the other, and logs the time and memory of each. Skipped unless the figure is set.
func TestMoveLargeSite(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("PARLEY_SITE_MOVE_COMMENTS"))
	if n <= 0 {
		t.Skip("set PARLEY_SITE_MOVE_COMMENTS to measure a move")
	}
	ctx := context.Background()
	siteID := newID()
	settings, _ := json.Marshal(parley.DefaultSiteSettings())
	postgrestest.Exec(t, src, `INSERT INTO sites (id, name, allowed_origins, settings) VALUES ($1, 'Large', '{https://large.example}', $2)`, siteID, settings)
	postgrestest.Exec(t, src, `INSERT INTO users (id, username, email, email_verified_at, password_hash)
		SELECT gen_random_uuid(), 'large' || i, 'large' || i || '@example.org', now(), '$argon2id$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA'
		FROM generate_series(1, greatest($1 / 20, 1)) i`, n)
	postgrestest.Exec(t, src, `INSERT INTO stories (id, site_id, url, title)
		SELECT gen_random_uuid(), $1, 'https://large.example/' || i, 'Story ' || i FROM generate_series(1, greatest($2 / 100, 1)) i`, siteID, n)
	// Top-level comments first, then replies to them (a third of all).
	postgrestest.Exec(t, src, `
		WITH s AS (SELECT id, row_number() OVER () AS k FROM stories WHERE site_id = $1),
		     u AS (SELECT id, row_number() OVER () AS k FROM users WHERE username LIKE 'large%'),
		     ns AS (SELECT count(*) AS c FROM s), nu AS (SELECT count(*) AS c FROM u),
		     ids AS (SELECT i, gen_random_uuid() AS id FROM generate_series(1, $2 - $2 / 3) i)
		INSERT INTO comments (id, story_id, site_id, author_id, root_id, depth, body, body_source, status, created_at)
		SELECT ids.id, s.id, $1, u.id, ids.id, 0, '<p>Comment ' || i || ' with some words in it.</p>', 'Comment ' || i || ' with some words in it.',
			'PUBLISHED', now() - make_interval(secs => $2 - i)
		FROM ids, ns, nu JOIN s ON true JOIN u ON true
		WHERE s.k = 1 + ids.i % ns.c AND u.k = 1 + ids.i % nu.c`, siteID, n)
	postgrestest.Exec(t, src, `
		INSERT INTO comments (id, story_id, site_id, author_id, parent_id, root_id, depth, body, body_source, status, created_at)
		SELECT gen_random_uuid(), p.story_id, $1, p.author_id, p.id, p.id, 1, '<p>A reply.</p>', 'A reply.', 'PUBLISHED', p.created_at + interval '1 second'
		FROM (SELECT * FROM comments WHERE site_id = $1 ORDER BY id LIMIT $2 / 3) p`, siteID, n)
	postgrestest.Exec(t, src, `INSERT INTO reactions (comment_id, user_id, kind)
		SELECT id, author_id, 'respect' FROM comments WHERE site_id = $1 AND depth = 0 AND random() < 0.1`, siteID)

	path := filepath.Join(t.TempDir(), "site.json")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err = portable.NewExporter(postgres.NewSiteMoveStore(src)).Export(ctx, siteID, f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	info, _ := os.Stat(path)
	exported := time.Since(start)
	t.Logf("export: %d comments, %.1f MiB in %s (%.0f comments/s)", n, float64(info.Size())/(1<<20), exported.Round(time.Millisecond), float64(n)/exported.Seconds())

	var peak uint64
	done := make(chan struct{})
	go func() {
		var m runtime.MemStats
		for {
			select {
			case <-done:
				return
			case <-time.After(100 * time.Millisecond):
				runtime.ReadMemStats(&m)
				peak = max(peak, m.HeapInuse)
			}
		}
	}()
	start = time.Now()
	rep, err := portable.NewImporter(postgres.NewSiteMoveStore(dst), portable.Options{}).Import(ctx, "", func() (io.ReadCloser, error) { return os.Open(path) })
	close(done)
	if err != nil {
		t.Fatal(err)
	}
	imported := time.Since(start)
	t.Logf("import: %d records written in %s (%.0f comments/s, two passes), peak heap in use %.1f MiB",
		rep.Written, imported.Round(time.Millisecond), float64(n)/imported.Seconds(), float64(peak)/(1<<20))
	if got := siteCounts(t, dst, siteID)["comments"]; got != siteCounts(t, src, siteID)["comments"] {
		t.Errorf("imported %d comments of %d", got, siteCounts(t, src, siteID)["comments"])
	}
}
