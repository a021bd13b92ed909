package pagecache_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleyhq/parley/pagecache"
)

const storyID = "0190a0a0-0000-7000-8000-000000000001"

// counting answers with how many times it ran, so a test sees whether the cache answered.
func counting(n *atomic.Int64, body string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	})
}

func do(h http.Handler, body string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestCache(t *testing.T) {
	read := `{"query":"query($id: ID!) { story(id: $id) { id } }","variables":{"id":"` + storyID + `"}}`
	t.Run("an anonymous read is answered once, then from the cache", func(t *testing.T) {
		var n atomic.Int64
		h := pagecache.New(1<<20, time.Minute).Middleware(counting(&n, `{"data":{}}`))
		do(h, read)
		rec := do(h, read)
		if n.Load() != 1 || rec.Header().Get("X-Cache") != "hit" || rec.Body.String() != `{"data":{}}` {
			t.Fatalf("ran %d times, X-Cache %q, body %q", n.Load(), rec.Header().Get("X-Cache"), rec.Body.String())
		}
	})
	t.Run("an event about the story makes the answer stale", func(t *testing.T) {
		var n atomic.Int64
		c := pagecache.New(1<<20, time.Minute)
		h := c.Middleware(counting(&n, `{"data":{}}`))
		do(h, read)
		c.Invalidate(storyID)
		do(h, read)
		c.Invalidate("0190a0a0-0000-7000-8000-0000000000ff") // another story: no effect
		do(h, read)
		if n.Load() != 2 {
			t.Fatalf("ran %d times, want 2", n.Load())
		}
	})
	for name, tc := range map[string]struct {
		body   string
		header []string
		answer string
	}{
		"a signed-in read":           {read, []string{"Authorization", "Bearer x"}, `{"data":{}}`},
		"a mutation":                 {`{"query":"mutation { signOut }"}`, nil, `{"data":{}}`},
		"an answer with errors":      {read, nil, `{"errors":[{"message":"no"}]}`},
		"a read asking for no-cache": {read, []string{"Cache-Control", "no-cache"}, `{"data":{}}`},
	} {
		t.Run(name+" is never cached", func(t *testing.T) {
			var n atomic.Int64
			h := pagecache.New(1<<20, time.Minute).Middleware(counting(&n, tc.answer))
			do(h, tc.body, tc.header...)
			do(h, tc.body, tc.header...)
			if n.Load() != 2 {
				t.Fatalf("ran %d times, want 2", n.Load())
			}
		})
	}
	t.Run("answers expire", func(t *testing.T) {
		var n atomic.Int64
		h := pagecache.New(1<<20, time.Nanosecond).Middleware(counting(&n, `{"data":{}}`))
		do(h, read)
		do(h, read)
		if n.Load() != 2 {
			t.Fatalf("ran %d times, want 2", n.Load())
		}
	})
	t.Run("the cache stays within its size", func(t *testing.T) {
		var n atomic.Int64
		h := pagecache.New(8*100, time.Minute).Middleware(counting(&n, strings.Repeat("x", 90)))
		for i := 0; i < 20; i++ {
			do(h, `{"query":"{ a`+strings.Repeat(" ", i)+`}"}`)
		}
		do(h, `{"query":"{ a}"}`) // the oldest was evicted
		if n.Load() != 21 {
			t.Fatalf("ran %d times, want 21", n.Load())
		}
	})
}
