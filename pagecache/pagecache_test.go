package pagecache_test

import (
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
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
	t.Run("an event about a source the answer lists makes it stale", func(t *testing.T) {
		// A read by a story's URL names no ID; its answer says which story it showed.
		byURL := `{"query":"{ story(url: \"https://news.example/a\") { commentCount } }"}`
		var n atomic.Int64
		c := pagecache.New(1<<20, time.Minute)
		h := c.Middleware(withSources(counting(&n, `{"data":{}}`), storyID))
		first := do(h, byURL)
		do(h, byURL)
		if n.Load() != 1 {
			t.Fatalf("ran %d times before the event, want 1", n.Load())
		}
		c.Invalidate(storyID)
		do(h, byURL)
		if n.Load() != 2 {
			t.Fatalf("ran %d times after the event, want 2", n.Load())
		}
		if first.Header().Get("Surrogate-Key") != "" {
			t.Errorf("the client got Surrogate-Key %q", first.Header().Get("Surrogate-Key"))
		}
	})
	t.Run("an answer marked no-store is never kept, nor shown the mark", func(t *testing.T) {
		var n atomic.Int64
		h := pagecache.New(1<<20, time.Minute).Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Surrogate-Control", "no-store")
			counting(&n, `{"data":{}}`).ServeHTTP(w, r)
		}))
		do(h, read)
		rec := do(h, read)
		if n.Load() != 2 || rec.Header().Get("Surrogate-Control") != "" {
			t.Fatalf("ran %d times, want 2; Surrogate-Control %q", n.Load(), rec.Header().Get("Surrogate-Control"))
		}
	})
	t.Run("an answer read while an event about its source came is not kept", func(t *testing.T) {
		var n atomic.Int64
		c := pagecache.New(1<<20, time.Minute)
		h := c.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if n.Load() == 0 {
				c.Invalidate(storyID) // the change lands after the read began
			}
			counting(&n, `{"data":{}}`).ServeHTTP(w, r)
		}))
		do(h, read)
		do(h, read)
		if n.Load() != 2 {
			t.Fatalf("ran %d times, want 2: the first answer may predate the change", n.Load())
		}
	})
	t.Run("a signed-in answer loses the source headers too", func(t *testing.T) {
		var n atomic.Int64
		h := pagecache.New(1<<20, time.Minute).Middleware(withSources(counting(&n, `{"data":{}}`), storyID))
		if rec := do(h, read, "Authorization", "Bearer x"); rec.Header().Get("Surrogate-Key") != "" {
			t.Errorf("Surrogate-Key %q reached the client", rec.Header().Get("Surrogate-Key"))
		}
	})
}

// withSources answers as the GraphQL handler does, listing the answer's sources.
func withSources(next http.Handler, ids ...string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Surrogate-Key", strings.Join(ids, " "))
		next.ServeHTTP(w, r)
	})
}

func doContext(ctx context.Context, h http.Handler, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body)).WithContext(ctx)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestCacheGET(t *testing.T) {
	get := func(h http.Handler, rawQuery string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/graphql?"+rawQuery, nil))
		return rec
	}
	hashOnly := `extensions=` + url.QueryEscape(`{"persistedQuery":{"version":1,"sha256Hash":"ab"}}`) +
		`&variables=` + url.QueryEscape(`{"id":"`+storyID+`"}`)
	t.Run("a hash-only GET is answered once, then from the cache by its URL", func(t *testing.T) {
		var n atomic.Int64
		h := pagecache.New(1<<20, time.Minute).Middleware(counting(&n, `{"data":{}}`))
		get(h, hashOnly)
		rec := get(h, hashOnly)
		if n.Load() != 1 || rec.Header().Get("X-Cache") != "hit" {
			t.Fatalf("ran %d times, X-Cache %q", n.Load(), rec.Header().Get("X-Cache"))
		}
		if other := get(h, hashOnly+"&operationName=X"); other.Header().Get("X-Cache") != "miss" {
			t.Fatalf("another URL: X-Cache %q", other.Header().Get("X-Cache"))
		}
	})
	t.Run("a GET naming a mutation passes through", func(t *testing.T) {
		var n atomic.Int64
		h := pagecache.New(1<<20, time.Minute).Middleware(counting(&n, `{"data":{}}`))
		q := "query=" + url.QueryEscape(`mutation { x }`)
		get(h, q)
		get(h, q)
		if n.Load() != 2 {
			t.Fatalf("ran %d times, want 2", n.Load())
		}
	})
	t.Run("a WebSocket upgrade passes through", func(t *testing.T) {
		var n atomic.Int64
		h := pagecache.New(1<<20, time.Minute).Middleware(counting(&n, `{"data":{}}`))
		for range 2 {
			req := httptest.NewRequest(http.MethodGet, "/graphql", nil)
			req.Header.Set("Upgrade", "websocket")
			h.ServeHTTP(httptest.NewRecorder(), req)
		}
		if n.Load() != 2 {
			t.Fatalf("ran %d times, want 2", n.Load())
		}
	})
}

func TestCacheGzip(t *testing.T) {
	read := `{"query":"query($id: ID!) { story(id: $id) { id } }","variables":{"id":"` + storyID + `"}}`
	page := `{"data":{"story":{"body":"` + strings.Repeat("a comment worth reading ", 200) + `"}}}`
	var n atomic.Int64
	c := pagecache.New(1<<20, time.Minute)
	h := c.Middleware(counting(&n, page))
	do(h, read)
	before := c.Stats().Bytes
	t.Run("a reader that takes gzip gets the kept answer compressed", func(t *testing.T) {
		rec := do(h, read, "Accept-Encoding", "gzip, deflate, br")
		if rec.Header().Get("Content-Encoding") != "gzip" || rec.Header().Get("X-Cache") != "hit" {
			t.Fatalf("Content-Encoding %q, X-Cache %q", rec.Header().Get("Content-Encoding"), rec.Header().Get("X-Cache"))
		}
		zr, err := gzip.NewReader(rec.Body)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(zr)
		if err != nil || string(got) != page {
			t.Fatalf("decompressed %d bytes (%v), want the page", len(got), err)
		}
		if cl := rec.Header().Get("Content-Length"); cl == strconv.Itoa(len(page)) {
			t.Fatalf("Content-Length %s is the uncompressed size", cl)
		}
	})
	t.Run("the compressed copy is counted in the cache's bytes", func(t *testing.T) {
		if after := c.Stats().Bytes; after <= before || after >= before+len(page) {
			t.Fatalf("cache holds %d bytes after compressing, %d before", after, before)
		}
	})
	t.Run("a reader that does not take gzip gets it as it is", func(t *testing.T) {
		rec := do(h, read)
		if rec.Header().Get("Content-Encoding") != "" || rec.Body.String() != page {
			t.Fatalf("Content-Encoding %q, %d bytes", rec.Header().Get("Content-Encoding"), rec.Body.Len())
		}
	})
	if n.Load() != 1 {
		t.Fatalf("the page was computed %d times, want 1", n.Load())
	}
}
