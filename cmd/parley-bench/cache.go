package main

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// signedInScript reads the page as signed-in readers do, each request with the next reader's
// token, so that no per-viewer state stays warm between a reader's requests.
func signedInScript(body string, tokens []string) script {
	list := `"` + strings.Join(tokens, `", "`) + `"`
	return script{path: "/graphql", lua: fmt.Sprintf(`
local tokens = { %s }
local n = 0
function request()
  n = n + 1
  return wrk.format("POST", "/graphql", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. tokens[(n %% #tokens) + 1],
  }, [==[%s]==])
end
%s`, list, body, reportLua)}
}

// cacheCounters reads the page cache's counters from the server's /metrics.
func cacheCounters(base string) (map[string]float64, error) {
	res, err := http.Get(base + "/metrics")
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if !ok || !strings.HasPrefix(name, "parley_page_cache_") {
			continue
		}
		if v, err := strconv.ParseFloat(value, 64); err == nil {
			out[strings.TrimPrefix(name, "parley_page_cache_")] = v
		}
	}
	return out, sc.Err()
}

// cacheDelta is what the counters moved by between two readings.
type cacheDelta map[string]float64

func deltaOf(before, after map[string]float64) cacheDelta {
	d := cacheDelta{}
	for k, v := range after {
		d[k] = v - before[k]
	}
	return d
}

// hitRate is the share of cache-answerable reads that did not compute their answer.
func (d cacheDelta) hitRate() float64 {
	served := d["hits_total"] + d["coalesced_total"]
	if all := served + d["misses_total"]; all > 0 {
		return served / all
	}
	return 0
}

// liveStoryRun reads the page anonymously under load while a writer comments on the same
// story once a second, each comment's event making the cached page stale: the hit rate a
// live story keeps.
func liveStoryRun(ctx context.Context, work string, srv *server, o options, seed *seeded, page string) (loadRun, cacheDelta, int, error) {
	before, err := cacheCounters(srv.base)
	if err != nil {
		return loadRun{}, nil, 0, err
	}
	ctx, stop := context.WithCancel(ctx)
	posted := make(chan int, 1)
	go func() {
		n := 0
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				posted <- n
				return
			case <-tick.C:
				if gql(srv.base, seed.tokens[0], `mutation($i: CreateCommentInput!) { createComment(input: $i) { comment { id } } }`,
					map[string]any{"i": map[string]any{"storyID": seed.storyID, "body": fmt.Sprintf("%s (live %d)", commentBody, n)}}, nil) == nil {
					n++
				}
			}
		}
	}()
	readers := o
	readers.connections = o.liveReaders
	run, err := wrk(ctx, work, srv.base, readers, postScript(page, false))
	stop()
	n := <-posted
	if err != nil {
		return loadRun{}, nil, 0, err
	}
	after, err := cacheCounters(srv.base)
	if err != nil {
		return loadRun{}, nil, 0, err
	}
	return run, deltaOf(before, after), n, nil
}
