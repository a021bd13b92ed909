package pagecache_test

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleyhq/parley/pagecache"
)

// numbered answers with how many times it has run, so a test tells answers apart; before each
// run it waits on gate when gate is set.
func numbered(n *atomic.Int64, gate chan struct{}) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		k := n.Add(1)
		if gate != nil {
			<-gate
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprintf(w, `{"data":{"run":%d}}`, k)
	})
}

// waitFor yields until cond holds: the cache's own counters say when readers are waiting.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("the condition never held")
		}
		runtime.Gosched()
	}
}

// clock is a time a test moves by hand.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func TestStampede(t *testing.T) {
	read := `{"query":"query($id: ID!) { story(id: $id) { id } }","variables":{"id":"` + storyID + `"}}`
	const readers = 32

	t.Run("concurrent misses for the same read compute it once", func(t *testing.T) {
		var n atomic.Int64
		gate := make(chan struct{})
		c := pagecache.New(1<<20, time.Minute)
		h := c.Middleware(numbered(&n, gate))
		bodies := make([]string, readers)
		var wg sync.WaitGroup
		for i := range readers {
			wg.Add(1)
			go func() { defer wg.Done(); bodies[i] = do(h, read).Body.String() }()
		}
		waitFor(t, func() bool { return c.Stats().Waiting == readers-1 })
		close(gate)
		wg.Wait()
		if n.Load() != 1 {
			t.Fatalf("computed %d times, want 1", n.Load())
		}
		for i, b := range bodies {
			if b != `{"data":{"run":1}}` {
				t.Fatalf("reader %d got %q", i, b)
			}
		}
		if s := c.Stats(); s.Misses != 1 || s.Coalesced != readers-1 {
			t.Fatalf("stats %+v, want 1 miss and %d coalesced", s, readers-1)
		}
	})
	t.Run("readers waiting across an event get an answer read after it", func(t *testing.T) {
		var n atomic.Int64
		gate := make(chan struct{})
		c := pagecache.New(1<<20, time.Minute)
		h := c.Middleware(numbered(&n, gate))
		bodies := make([]string, readers)
		var wg sync.WaitGroup
		for i := range readers {
			wg.Add(1)
			go func() { defer wg.Done(); bodies[i] = do(h, read).Body.String() }()
		}
		waitFor(t, func() bool { return c.Stats().Waiting == readers-1 })
		c.Invalidate(storyID) // the first computation may predate the change
		close(gate)
		wg.Wait()
		if n.Load() != 2 {
			t.Fatalf("computed %d times, want 2", n.Load())
		}
		// The first computation's own reader began before the change; every other reader
		// gets the answer read after it.
		got := map[string]int{}
		for _, b := range bodies {
			got[b]++
		}
		if got[`{"data":{"run":1}}`] != 1 || got[`{"data":{"run":2}}`] != readers-1 {
			t.Fatalf("answers %v, want the first once and the second for every other reader", got)
		}
	})
	t.Run("a read near the end of its lifetime is refreshed in the background", func(t *testing.T) {
		var n atomic.Int64
		clk := &clock{now: time.Unix(1e9, 0)}
		c := pagecache.NewWithConfig(pagecache.Config{MaxBytes: 1 << 20, TTL: 10 * time.Second, RefreshAhead: 2 * time.Second, Now: clk.Now})
		h := c.Middleware(numbered(&n, nil))
		do(h, read)
		clk.Add(9 * time.Second)
		if rec := do(h, read); rec.Header().Get("X-Cache") != "hit" || rec.Body.String() != `{"data":{"run":1}}` {
			t.Fatalf("X-Cache %q, body %q: want the kept answer", rec.Header().Get("X-Cache"), rec.Body.String())
		}
		c.WaitRefreshes()
		clk.Add(5 * time.Second) // past the first answer's lifetime, within the refreshed one's
		if rec := do(h, read); rec.Header().Get("X-Cache") != "hit" || rec.Body.String() != `{"data":{"run":2}}` {
			t.Fatalf("X-Cache %q, body %q: want the refreshed answer", rec.Header().Get("X-Cache"), rec.Body.String())
		}
		if s := c.Stats(); n.Load() != 2 || s.Refreshes != 1 || s.Misses != 1 {
			t.Fatalf("computed %d times, stats %+v", n.Load(), s)
		}
	})
	t.Run("an expired answer is served stale within the bound while it is refreshed", func(t *testing.T) {
		var n atomic.Int64
		clk := &clock{now: time.Unix(1e9, 0)}
		c := pagecache.NewWithConfig(pagecache.Config{MaxBytes: 1 << 20, TTL: 10 * time.Second, MaxStale: 5 * time.Second, Now: clk.Now})
		h := c.Middleware(numbered(&n, nil))
		do(h, read)
		clk.Add(12 * time.Second)
		if rec := do(h, read); rec.Header().Get("X-Cache") != "stale" || rec.Body.String() != `{"data":{"run":1}}` {
			t.Fatalf("X-Cache %q, body %q: want the stale answer", rec.Header().Get("X-Cache"), rec.Body.String())
		}
		c.WaitRefreshes()
		if rec := do(h, read); rec.Header().Get("X-Cache") != "hit" || rec.Body.String() != `{"data":{"run":2}}` {
			t.Fatalf("X-Cache %q, body %q: want the refreshed answer", rec.Header().Get("X-Cache"), rec.Body.String())
		}
		clk.Add(16 * time.Second) // past the lifetime and the bound
		if rec := do(h, read); rec.Header().Get("X-Cache") != "miss" || rec.Body.String() != `{"data":{"run":3}}` {
			t.Fatalf("X-Cache %q, body %q: want a new answer", rec.Header().Get("X-Cache"), rec.Body.String())
		}
	})
	t.Run("an answer an event made stale is never served", func(t *testing.T) {
		var n atomic.Int64
		c := pagecache.NewWithConfig(pagecache.Config{MaxBytes: 1 << 20, TTL: time.Minute, RefreshAhead: time.Minute, MaxStale: time.Minute})
		h := c.Middleware(numbered(&n, nil))
		do(h, read)
		c.WaitRefreshes()
		c.Invalidate(storyID)
		if rec := do(h, read); rec.Header().Get("X-Cache") != "miss" || strings.Contains(rec.Body.String(), `"run":1`) {
			t.Fatalf("X-Cache %q, body %q: want a new answer", rec.Header().Get("X-Cache"), rec.Body.String())
		}
		c.WaitRefreshes()
	})
	t.Run("a reader that gives up while waiting does not stop the others", func(t *testing.T) {
		var n atomic.Int64
		gate := make(chan struct{})
		c := pagecache.New(1<<20, time.Minute)
		h := c.Middleware(numbered(&n, gate))
		var wg sync.WaitGroup
		var first string
		wg.Add(1)
		go func() { defer wg.Done(); first = do(h, read).Body.String() }()
		waitFor(t, func() bool { return n.Load() == 1 })
		ctx, cancel := context.WithCancel(context.Background())
		wg.Add(1)
		go func() { defer wg.Done(); doContext(ctx, h, read) }()
		waitFor(t, func() bool { return c.Stats().Waiting == 1 })
		cancel()
		waitFor(t, func() bool { return c.Stats().Waiting == 0 })
		close(gate)
		wg.Wait()
		if first != `{"data":{"run":1}}` || n.Load() != 1 {
			t.Fatalf("first reader got %q after %d runs", first, n.Load())
		}
	})
	t.Run("the cache counts its bytes", func(t *testing.T) {
		var n atomic.Int64
		c := pagecache.New(1<<20, time.Minute)
		do(c.Middleware(numbered(&n, nil)), read)
		if s := c.Stats(); s.Bytes != len(`{"data":{"run":1}}`) || s.Entries != 1 {
			t.Fatalf("stats %+v", s)
		}
	})
}

func TestEventsAreForgotten(t *testing.T) {
	read := `{"query":"query($id: ID!) { story(id: $id) { id } }","variables":{"id":"` + storyID + `"}}`
	t.Run("events about many stories leave a bounded memory", func(t *testing.T) {
		var n atomic.Int64
		c := pagecache.New(1<<20, time.Minute)
		h := c.Middleware(numbered(&n, nil))
		do(h, read)
		for i := range 100_000 {
			c.Invalidate(fmt.Sprintf("0190a0a0-0000-7000-9000-%012d", i))
		}
		if s := c.Stats(); s.Changed > 4096 {
			t.Fatalf("%d changed IDs remembered after 100,000 events", s.Changed)
		}
		if rec := do(h, read); rec.Header().Get("X-Cache") != "hit" {
			t.Fatalf("X-Cache %q: events about other stories made the answer stale", rec.Header().Get("X-Cache"))
		}
		c.Invalidate(storyID)
		if rec := do(h, read); rec.Header().Get("X-Cache") != "miss" {
			t.Fatalf("X-Cache %q: the story's own event was lost", rec.Header().Get("X-Cache"))
		}
	})
	t.Run("an event a running computation began before is kept until it ends", func(t *testing.T) {
		var n atomic.Int64
		gate := make(chan struct{})
		c := pagecache.New(1<<20, time.Minute)
		h := c.Middleware(numbered(&n, gate))
		done := make(chan string)
		go func() { done <- do(h, read).Body.String() }()
		waitFor(t, func() bool { return n.Load() == 1 })
		c.Invalidate(storyID)
		for i := range 10_000 {
			c.Invalidate(fmt.Sprintf("0190a0a0-0000-7000-9000-%012d", i))
		}
		close(gate)
		<-done
		if rec := do(h, read); rec.Header().Get("X-Cache") != "miss" {
			t.Fatalf("X-Cache %q: the answer read across the event was kept", rec.Header().Get("X-Cache"))
		}
	})
}
