package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/federation"
)

// BenchmarkFederatedIngest measures the whole receive→apply path of a real replica (leaf
// connection, consumer, verification, the ledger, the local comment pipeline, the peer's
// counters) with no quota: b.N validly signed comments of a peer on one story, sent at
// once, applied as fast as the replica can. It reports envelopes applied a second, the
// CPU each one cost in the replica process (Go: the whole server, consumers of the events
// each comment makes included) and in the PostgreSQL backends of its database, and from
// pg_stat_statements the statements run and their execution time per envelope
// (PARLEY_BENCH_STATEMENTS=1 lists them).
func BenchmarkFederatedIngest(b *testing.B) {
	ctx := context.Background()
	n := startFedNode(b, "beta", fedNodeOptions{})
	signer, nc := linkMallory(b, n, 1_000_000, 1_000_000)
	admin := n.adminToken(b)
	const article = "https://news.example/ingest/1"
	n.site(b)
	var story struct{ Story struct{ ID string } }
	mustGQL(b, n.base, "", `query($u: String!) { story(url: $u) { id } }`, map[string]any{"u": article}, &story)
	received := func() int {
		var p struct {
			Peers []struct {
				Name     string
				Received int
			}
		}
		mustGQL(b, n.base, admin, `{ peers { name received } }`, nil, &p)
		for _, r := range p.Peers {
			if r.Name == "mallory" {
				return r.Received
			}
		}
		return 0
	}
	send := func(count int) {
		for range count {
			e, err := signer.Sign(federation.KindCommentCreated, federation.CommentPayload{
				Comment: federation.ObjectRef{Instance: "mallory", ID: uuid.NewString()}, Author: federation.RemoteUser{Instance: "mallory", ID: "m1", Username: "poster"},
				StoryURL: article, BodySource: "An ordinary remote comment, " + uuid.NewString() + ".", CreatedAt: time.Now().UTC()}, time.Now())
			if err != nil {
				b.Fatal(err)
			}
			if err := nc.Publish(federation.Subject("mallory", "beta", federation.KindCommentCreated), e.Marshal()); err != nil {
				b.Fatal(err)
			}
		}
		if err := nc.Flush(); err != nil {
			b.Fatal(err)
		}
	}
	// Warm up: the first envelope makes the remote author; the leaf carries envelopes.
	send(1)
	eventually(b, time.Minute, func() bool { return received() >= 1 }, func() string { return "nothing applied" })
	before := received()
	pid := n.replica.cmd.Process.Pid
	conn := n.db(b)
	defer conn.Close(ctx)
	// The statements' statistics are read where the extension is, the server's first
	// database, for this database alone.
	var dbid uint32
	if err := conn.QueryRow(ctx, `SELECT oid FROM pg_database WHERE datname = current_database()`).Scan(&dbid); err != nil {
		b.Fatal(err)
	}
	stats, err := pgx.Connect(ctx, os.Getenv("PARLEY_TEST_DATABASE_URL"))
	if err != nil {
		b.Fatal(err)
	}
	defer stats.Close(ctx)
	if _, err := stats.Exec(ctx, `SELECT pg_stat_statements_reset(0, $1::oid, 0)`, dbid); err != nil {
		b.Log("no statement statistics:", err)
	}
	goCPU, pgStart := procCPU(pid), backendCPU(b, conn)
	// With PARLEY_DEBUG_ADDR (passed on to the replica) and PARLEY_BENCH_CPUPROFILE, the
	// replica's CPU profile of the first 10 s of the run is written to that file.
	profiled := make(chan struct{})
	if addr, out := os.Getenv("PARLEY_DEBUG_ADDR"), os.Getenv("PARLEY_BENCH_CPUPROFILE"); addr != "" && out != "" {
		go func() {
			defer close(profiled)
			resp, err := http.Get("http://" + addr + "/debug/pprof/profile?seconds=10")
			if err != nil {
				b.Log(err)
				return
			}
			defer resp.Body.Close()
			data, _ := io.ReadAll(resp.Body)
			_ = os.WriteFile(out, data, 0o600)
		}()
	} else {
		close(profiled)
	}
	b.ResetTimer()
	start := time.Now()
	send(b.N)
	for received() < before+b.N { // another process: polled
		time.Sleep(100 * time.Millisecond)
		if time.Since(start) > 10*time.Minute {
			b.Fatalf("applied %d of %d", received()-before, b.N)
		}
	}
	elapsed := time.Since(start)
	b.StopTimer()
	goCPU = procCPU(pid) - goCPU
	var pgCPU time.Duration
	for p, cpu := range backendCPU(b, conn) {
		pgCPU += cpu - pgStart[p]
	}
	var calls int64
	var execMS float64
	if err := stats.QueryRow(ctx, `SELECT coalesce(sum(calls), 0), coalesce(sum(total_exec_time), 0) FROM pg_stat_statements
		WHERE dbid = $1::oid`, dbid).Scan(&calls, &execMS); err == nil {
		b.ReportMetric(float64(calls)/float64(b.N), "statements/env")
		b.ReportMetric(execMS/float64(b.N), "pg-exec-ms/env")
	}
	if os.Getenv("PARLEY_BENCH_STATEMENTS") != "" {
		rows, err := stats.Query(ctx, `SELECT calls, total_exec_time, left(regexp_replace(query, '\s+', ' ', 'g'), 110)
			FROM pg_stat_statements WHERE dbid = $1::oid ORDER BY calls DESC LIMIT 40`, dbid)
		if err == nil {
			for rows.Next() {
				var c int64
				var ms float64
				var q string
				_ = rows.Scan(&c, &ms, &q)
				fmt.Fprintf(os.Stderr, "%6d calls %8.1f ms  %s\n", c, ms, q)
			}
			rows.Close()
		}
	}
	<-profiled
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "envelopes/s")
	b.ReportMetric(float64(goCPU.Microseconds())/float64(b.N)/1000, "go-cpu-ms/env")
	b.ReportMetric(float64(pgCPU.Microseconds())/float64(b.N)/1000, "pg-cpu-ms/env")
}

// procCPU is the user and system CPU a process has used, from /proc.
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return 0
	}
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	// utime and stime are fields 14 and 15 of stat, 12 and 13 after the command.
	ut, _ := strconv.ParseInt(fields[11], 10, 64)
	st, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(ut+st) * time.Second / 100 // USER_HZ
}

// backendCPU is the CPU used so far by each PostgreSQL backend serving the benchmark's
// database (the replica's pool and conn), by process ID.
func backendCPU(b *testing.B, conn *pgx.Conn) map[int]time.Duration {
	rows, err := conn.Query(context.Background(), `SELECT pid FROM pg_stat_activity WHERE datname = current_database()`)
	if err != nil {
		b.Fatal(err)
	}
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		b.Fatal(err)
	}
	cpu := map[int]time.Duration{}
	for _, p := range pids {
		cpu[int(p)] = procCPU(int(p))
	}
	return cpu
}
