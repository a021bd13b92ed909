// Command parley-bench measures Parley under load on this machine and prints a table for
// issue notes. It starts a real `parley serve` on loopback against a database of its own,
// seeds it through the API, and drives it with wrk (HTTP) and pgbench (the database's own
// ceiling). Figures are reported as ratios to ceilings measured in the same run, because
// absolute figures move from machine to machine.
//
//	go run ./cmd/parley-bench -parley bin/parley -duration 15s
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/postgres/scratchdb"
)

type options struct {
	parley      string
	duration    time.Duration
	connections int
	extra       int
	liveReaders int
	// readsOnly stops after the reads of one story page (static, uncached, anonymous,
	// signed-in), for comparing read-path changes quickly on a shared machine.
	readsOnly bool
	// keep leaves the run's database in place (-keep).
	keep bool
	// writesOnly skips the reads and runs only the writes (pgbench and createComment).
	writesOnly bool
	// bigStory is the number of comments of the story whose first page is read last.
	bigStory int
	// prof, when set, saves the server's profiles while it runs (-profiles).
	prof *profiler
}

func main() {
	var o options
	flag.StringVar(&o.parley, "parley", "bin/parley", "the parley binary to measure")
	flag.DurationVar(&o.duration, "duration", 15*time.Second, "length of each load run")
	flag.IntVar(&o.connections, "connections", 64, "concurrent connections of each load run")
	flag.BoolVar(&o.readsOnly, "reads-only", false, "stop after the story-page reads (static, uncached, anonymous, signed-in)")
	flag.IntVar(&o.extra, "extra-comments", 100000, "comments added before the second page-read run")
	flag.IntVar(&o.liveReaders, "live-readers", 1000, "concurrent connections reading a story while it receives a comment a second")
	flag.BoolVar(&o.keep, "keep", false, "keep the run's database afterwards, to inspect it (its name is printed)")
	flag.BoolVar(&o.writesOnly, "writes-only", false, "run only the writes: the pgbench ceiling and the createComment runs")
	flag.IntVar(&o.bigStory, "big-story", 10000, "comments of the story whose first page is read at the end")
	profiles := flag.String("profiles", "", "save the server's CPU profiles of the cached read and the writes, and its heap after the run, into this directory")
	spamCorpus := flag.String("spam-corpus", "", "instead of the load runs, evaluate the spam classifier on this labelled corpus")
	outage := flag.Duration("outage", 0, "instead of the load runs, measure the outbox drain after a NATS outage this long")
	outageRate := flag.Int("outage-rate", 200, "comments per second written through the outage")
	live := flag.String("live", "", "instead of the load runs, measure live delivery with these numbers of subscribers (comma-separated)")
	flag.Parse()
	var err error
	if o.prof, err = newProfiler(*profiles); err != nil {
		log.Fatal("parley-bench: ", err)
	}
	if *outage > 0 {
		if err := outageBench(context.Background(), o, *outage, *outageRate, os.Stdout); err != nil {
			log.Fatal("parley-bench: ", err)
		}
		return
	}
	if *live != "" {
		if err := runLive(context.Background(), o, *live, os.Stdout); err != nil {
			log.Fatal("parley-bench: ", err)
		}
		return
	}
	if *spamCorpus != "" {
		if err := spamEval(context.Background(), *spamCorpus, os.Stdout); err != nil {
			log.Fatal("parley-bench: ", err)
		}
		return
	}
	if err := run(context.Background(), o, os.Stdout); err != nil {
		log.Fatal("parley-bench: ", err)
	}
}

// result is one row of the table.
type result struct {
	name     string
	rps      float64
	p50, p99 time.Duration
	note     string
}

func run(ctx context.Context, o options, out io.Writer) error {
	for _, tool := range []string{"wrk", "pgbench", o.parley} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%s is needed (make bench installs wrk and builds bin/parley): %w", tool, err)
		}
	}
	dsn, work, srv, cleanup, err := newServer(ctx, o)
	if err != nil {
		return err
	}
	defer cleanup()
	fmt.Fprintf(out, "parley-bench: server at %s, database %s\n", srv.base, filepath.Base(dsn))

	seed, err := seedStory(ctx, srv.base, o.connections)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	page, err := seed.pageRequest()
	if err != nil {
		return err
	}
	pageBytes, err := checkPage(srv.base, page)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "parley-bench: story page of %d comments is %d bytes\n", seed.comments, pageBytes)

	var rows []result
	if o.writesOnly {
		if rows, err = writeRuns(ctx, work, dsn, srv, o, seed, rows); err != nil {
			return err
		}
		o.prof.snapshot(ctx, "after")
		return printTable(out, o, append(rows, srv.rssRow()))
	}
	staticRun, err := wrk(ctx, work, srv.base, o, staticScript(pageBytes))
	if err != nil {
		return err
	}
	rows = append(rows, staticRun.row(fmt.Sprintf("static %d B (ceiling)", pageBytes), ""))

	readRun, err := wrk(ctx, work, srv.base, o, postScript(page, true))
	if err != nil {
		return err
	}
	rows = append(rows, readRun.row("story page, 100 comments, uncached", pct(readRun.rps, staticRun.rps)+" of static"))
	wait := o.prof.cpu(ctx, "cpu-anonymous", o.duration/2)
	cachedRun, err := wrk(ctx, work, srv.base, o, postScript(page, false))
	wait()
	if err != nil {
		return err
	}
	rows = append(rows, cachedRun.row("story page, anonymous, page cache", pct(cachedRun.rps, staticRun.rps)+" of static"))
	countersBefore, err := cacheCounters(srv.base)
	if err != nil {
		return err
	}
	signedInRun, err := wrk(ctx, work, srv.base, o, signedInScript(page, seed.tokens))
	if err != nil {
		return err
	}
	countersAfter, err := cacheCounters(srv.base)
	if err != nil {
		return err
	}
	signedIn := deltaOf(countersBefore, countersAfter)
	rows = append(rows, signedInRun.row(fmt.Sprintf("story page, %d signed-in readers in turn", len(seed.tokens)),
		fmt.Sprintf("%s of static; %s of the anonymous page; %.0f%% from the cache with an overlay", pct(signedInRun.rps, staticRun.rps),
			pct(signedInRun.rps, cachedRun.rps), 100*signedIn["overlaid_total"]/max(signedIn["hits_total"]+signedIn["coalesced_total"]+signedIn["misses_total"], 1))))
	// One signed-in reader, whose request wrk builds once: the same server path without the
	// per-request Lua that rotating tokens costs the load generator, which shares the CPUs.
	oneReader, err := wrk(ctx, work, srv.base, o, postScriptWith(page, `wrk.headers["Authorization"] = "Bearer `+seed.tokens[0]+`"`))
	if err != nil {
		return err
	}
	rows = append(rows, oneReader.row("story page, one signed-in reader", fmt.Sprintf("%s of static; %s of the anonymous page",
		pct(oneReader.rps, staticRun.rps), pct(oneReader.rps, cachedRun.rps))))
	if o.readsOnly {
		return printTable(out, o, rows)
	}
	liveRun, live, posted, err := liveStoryRun(ctx, work, srv, o, seed, page)
	if err != nil {
		return err
	}
	rows = append(rows, liveRun.row(fmt.Sprintf("story page, %d readers, 1 comment/s on it", o.liveReaders),
		fmt.Sprintf("hit rate %.3f (%d comments; %.0f misses, %.0f coalesced)", live.hitRate(), posted, live["misses_total"], live["coalesced_total"])))

	if rows, err = writeRuns(ctx, work, dsn, srv, o, seed, rows); err != nil {
		return err
	}

	if err := addComments(ctx, dsn, seed.storyID, o.extra); err != nil {
		return err
	}
	if _, err := checkPage(srv.base, page); err != nil {
		return err
	}
	readAgain, err := wrk(ctx, work, srv.base, o, postScript(page, true))
	if err != nil {
		return err
	}
	rows = append(rows, readAgain.row(fmt.Sprintf("story page after +%d comments", o.extra),
		fmt.Sprintf("%s of the first read, %s of static", pct(readAgain.rps, readRun.rps), pct(readAgain.rps, staticRun.rps))))

	big, err := bigStoryRun(ctx, work, dsn, srv, o)
	if err != nil {
		return err
	}
	rows = append(rows, big.row(fmt.Sprintf("first page of a %d-comment story, page cache", o.bigStory), "p99 is the target"))

	o.prof.snapshot(ctx, "after")
	rows = append(rows, srv.rssRow())

	return printTable(out, o, rows)
}

// printTable prints the rows measured, with the run's conditions.
func printTable(out io.Writer, o options, rows []result) error {
	fmt.Fprintf(out, "\n%d connections, %s per run, on %s, load average %s\n", o.connections, o.duration, hostDescription(), loadAverage())
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\treq/s\tp50\tp99\t\t")
	for _, r := range rows {
		lat := func(d time.Duration) string {
			if d == 0 {
				return "-"
			}
			return fmt.Sprintf("%.2fms", float64(d.Microseconds())/1000)
		}
		rps := "-"
		if r.rps > 0 {
			rps = fmt.Sprintf("%.0f", r.rps)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t\n", r.name, rps, lat(r.p50), lat(r.p99), r.note)
	}
	return tw.Flush()
}

func pct(a, b float64) string {
	if b == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f%%", 100*a/b)
}

func countComments(ctx context.Context, dsn string) (int, error) {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return 0, err
	}
	defer conn.Close(ctx)
	var n int
	err = conn.QueryRow(ctx, `SELECT count(*) FROM comments`).Scan(&n)
	return n, err
}

// addComments adds n older comments to a story directly in the database, so the first page
// (the newest comments) stays the same while the table and the story grow.
func addComments(ctx context.Context, dsn, storyID string, n int) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `
		WITH g AS (SELECT gen_random_uuid() AS id, i FROM generate_series(1, $2) AS i)
		INSERT INTO comments (id, story_id, site_id, author_id, root_id, depth, body, body_source, status, created_at)
		SELECT g.id, s.id, s.site_id, (SELECT id FROM users ORDER BY created_at LIMIT 1), g.id, 0,
		       '<p>An older comment.</p>', 'An older comment.', 'PUBLISHED',
		       now() - interval '30 days' - make_interval(secs => g.i)
		FROM g JOIN stories s ON s.id = $1`, storyID, n)
	if err != nil {
		return fmt.Errorf("add comments: %w", err)
	}
	_, err = conn.Exec(ctx, `VACUUM ANALYZE comments`)
	return err
}

var errNoAddress = errors.New("server did not report its address")

// runLive starts a server and measures live delivery at each number of subscribers.
func runLive(ctx context.Context, o options, counts string, out io.Writer) error {
	_, _, srv, cleanup, err := newServer(ctx, o)
	if err != nil {
		return err
	}
	defer cleanup()
	seed, err := seedStory(ctx, srv.base, 8)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "live delivery on %s\n", hostDescription())
	for _, c := range strings.Split(counts, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(c))
		if err != nil {
			return err
		}
		if err := liveBench(ctx, srv.base, seed, n, 20, out); err != nil {
			return err
		}
	}
	return nil
}

// newServer starts `parley serve` on a database and a data directory of its own; cleanup
// stops it and removes both.
func newServer(ctx context.Context, o options) (dsn, work string, srv *server, cleanup func(), err error) {
	dsn, drop, err := scratchdb.Create(ctx)
	if err != nil {
		return "", "", nil, nil, err
	}
	if work, err = os.MkdirTemp("", "parley-bench-"); err != nil {
		_ = drop()
		return "", "", nil, nil, err
	}
	if srv, err = startServer(ctx, o.parley, dsn, work, o.prof.env()...); err != nil {
		_ = drop()
		os.RemoveAll(work)
		return "", "", nil, nil, err
	}
	return dsn, work, srv, func() {
		srv.stop()
		os.RemoveAll(work)
		if o.keep {
			fmt.Fprintf(os.Stderr, "parley-bench: database kept: %s\n", dsn)
			return
		}
		_ = drop()
	}, nil
}

// bigStoryRun reads, from the page cache as readers do, the first page of a story with
// o.bigStory comments, added directly to the database.
func bigStoryRun(ctx context.Context, work, dsn string, srv *server, o options) (loadRun, error) {
	var story struct{ Story struct{ ID string } }
	if err := gql(srv.base, "", `query($u: String!) { story(url: $u) { id } }`, map[string]any{"u": "https://bench.example.org/big"}, &story); err != nil {
		return loadRun{}, err
	}
	if err := addComments(ctx, dsn, story.Story.ID, o.bigStory); err != nil {
		return loadRun{}, err
	}
	b, err := json.Marshal(map[string]any{"query": pageQuery, "variables": map[string]any{"id": story.Story.ID}})
	if err != nil {
		return loadRun{}, err
	}
	return wrk(ctx, work, srv.base, o, postScript(string(b), false))
}

// loadAverage is the machine's load average over the last 1, 5 and 15 minutes.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
