package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// loadRun is what one wrk run measured.
type loadRun struct {
	rps      float64
	requests int
	p50, p99 time.Duration
	errors   int
}

func (l loadRun) row(name, note string) result {
	if l.errors > 0 {
		note += fmt.Sprintf(" (%d failed requests)", l.errors)
	}
	return result{name: name, rps: l.rps, p50: l.p50, p99: l.p99, note: strings.TrimSpace(note)}
}

// reportLua makes wrk print exact figures in one line the harness reads.
const reportLua = `
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("PARLEY-BENCH requests=%d duration_us=%d p50_us=%d p99_us=%d errors=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.status + e.timeout))
end
`

// script is a wrk Lua script and the path it requests.
type script struct {
	path, lua string
}

func staticScript(bytes int) script {
	return script{path: fmt.Sprintf("/_bench/static?bytes=%d", bytes), lua: reportLua}
}

// postScript posts one body; uncached asks the server to skip its read cache.
func postScript(body string, uncached bool) script {
	extra := ""
	if uncached {
		extra = `wrk.headers["Cache-Control"] = "no-cache"`
	}
	return postScriptWith(body, extra)
}

func postScriptWith(body, extra string) script {
	return script{path: "/graphql", lua: fmt.Sprintf(`
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
%s
wrk.body = [==[%s]==]
%s`, extra, body, reportLua)}
}

// createScript posts a distinct comment on every request, rotating over tokens, all to one
// story: the hottest case, where writers share its counters.
func createScript(s *seeded, tokens []string) script {
	body, _ := json.Marshal(map[string]any{
		"query":     `mutation($i: CreateCommentInput!) { createComment(input: $i) { comment { id status } } }`,
		"variables": map[string]any{"i": map[string]any{"storyID": s.hotStoryID, "body": commentBody + " @@N@@"}},
	})
	head, tail, _ := strings.Cut(string(body), "@@N@@")
	list := `"` + strings.Join(tokens, `", "`) + `"`
	return script{path: "/graphql", lua: fmt.Sprintf(`
local tokens = { %s }
local threads = 0
local n = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
function request()
  n = n + 1
  local body = [==[%s]==] .. tid .. "-" .. n .. [==[%s]==]
  return wrk.format("POST", "/graphql", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. tokens[(n %% #tokens) + 1],
  }, body)
end
%s`, list, head, tail, reportLua)}
}

var reportLine = regexp.MustCompile(`PARLEY-BENCH requests=(\d+) duration_us=(\d+) p50_us=(\d+) p99_us=(\d+) errors=(\d+)`)

// wrk warms the server up for two seconds, then measures for the run's duration.
func wrk(ctx context.Context, dir, base string, o options, s script) (loadRun, error) {
	path := filepath.Join(dir, fmt.Sprintf("run-%d.lua", time.Now().UnixNano()))
	if err := os.WriteFile(path, []byte(s.lua), 0o600); err != nil {
		return loadRun{}, err
	}
	threads := "2"
	measure := func(d time.Duration) (loadRun, error) {
		cmd := exec.CommandContext(ctx, "wrk", "-t"+threads, fmt.Sprintf("-c%d", o.connections),
			"-d"+d.String(), "--timeout", "10s", "-s", path, base+s.path)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			return loadRun{}, fmt.Errorf("wrk: %v\n%s", err, out.String())
		}
		m := reportLine.FindStringSubmatch(out.String())
		if m == nil {
			return loadRun{}, fmt.Errorf("wrk printed no report:\n%s", out.String())
		}
		n := func(i int) int { v, _ := strconv.Atoi(m[i]); return v }
		return loadRun{
			requests: n(1),
			rps:      float64(n(1)) / (float64(n(2)) / 1e6),
			p50:      time.Duration(n(3)) * time.Microsecond,
			p99:      time.Duration(n(4)) * time.Microsecond,
			errors:   n(5),
		}, nil
	}
	if _, err := measure(2 * time.Second); err != nil {
		return loadRun{}, err
	}
	return measure(o.duration)
}

// pgbenchInsert measures single-row INSERTs of a comment-sized row with synchronous commit,
// at the same concurrency: the database's own ceiling for durable writes.
func pgbenchInsert(ctx context.Context, dir, dsn string, o options) (float64, error) {
	setup := exec.CommandContext(ctx, "psql", dsn, "-qc",
		`CREATE TABLE bench_insert (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), story_id uuid NOT NULL, body text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`)
	if out, err := setup.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("psql: %v: %s", err, out)
	}
	path := filepath.Join(dir, "insert.sql")
	sql := fmt.Sprintf("INSERT INTO bench_insert (story_id, body) VALUES (gen_random_uuid(), '%s');\n", strings.ReplaceAll(commentBody, "'", "''"))
	if err := os.WriteFile(path, []byte(sql), 0o600); err != nil {
		return 0, err
	}
	cmd := exec.CommandContext(ctx, "pgbench", "-n", "-M", "prepared", "-c", strconv.Itoa(o.connections), "-j", "2",
		"-T", strconv.Itoa(int(o.duration.Seconds())), "-f", path, dsn)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("pgbench: %v: %s", err, out)
	}
	m := regexp.MustCompile(`tps = ([0-9.]+)`).FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("pgbench printed no tps:\n%s", out)
	}
	return strconv.ParseFloat(string(m[1]), 64)
}
