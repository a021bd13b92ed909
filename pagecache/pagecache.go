// Package pagecache keeps the answers to anonymous GraphQL reads, such as a story's first
// page of comments, so that a popular article's readers cost one execution per change rather
// than one per reader. Every answer is kept with its sources: the IDs its request names and
// those its Surrogate-Key header lists (the stories and sites it was read from, which a read
// by a comment's ID or a story's URL does not name). An event about a story or site makes
// every answer read from it stale, so a change is visible as soon as its event arrives, and a
// short lifetime bounds what a lost event could leave stale. An answer marked
// "Surrogate-Control: no-store" (it depends on something that does not exist yet) is never
// kept.
package pagecache

import (
	"bytes"
	"container/list"
	"crypto/sha256"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Cache is an in-process cache bounded by bytes, safe for concurrent use.
type Cache struct {
	maxBytes int
	ttl      time.Duration
	now      func() time.Time

	mu      sync.Mutex
	bytes   int
	entries map[[32]byte]*list.Element
	order   *list.List // most recently used first
	// changed holds, for each story or site an event was about, the tick of its last event;
	// tick counts events.
	changed map[string]uint64
	tick    uint64
	hits    uint64
	misses  uint64
}

type entry struct {
	key     [32]byte
	body    []byte
	expires time.Time
	// sources are the IDs the answer was read from; read is the tick when its request
	// began, so that an event since makes the answer stale.
	sources []string
	read    uint64
}

// Headers in which an answer lists its sources, as caches in front of an origin use them for
// purging by tag. The cache takes them off every answer that passes through it.
const (
	surrogateKey     = "Surrogate-Key"
	surrogateControl = "Surrogate-Control"
)

// New returns a cache of at most maxBytes of answers, each kept at most ttl.
func New(maxBytes int, ttl time.Duration) *Cache {
	return &Cache{maxBytes: maxBytes, ttl: ttl, now: time.Now, entries: map[[32]byte]*list.Element{},
		order: list.New(), changed: map[string]uint64{}}
}

// Invalidate makes every cached answer read from id (a story's or a site's) stale, and every
// answer being read from it at this moment unfit to keep.
func (c *Cache) Invalidate(id string) {
	if id == "" {
		return
	}
	c.mu.Lock()
	c.tick++
	c.changed[id] = c.tick
	c.mu.Unlock()
}

// Stats returns the hits and misses so far, for metrics.
func (c *Cache) Stats() (hits, misses uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hits, c.misses
}

// maxRequestBytes bounds the requests considered: page reads are small.
const maxRequestBytes = 16 << 10

var (
	idPattern      = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	writePattern   = regexp.MustCompile(`\b(mutation|subscription)\b`)
	cacheableTypes = "application/json"
)

// Middleware answers anonymous POSTed reads from the cache and fills it with successful
// answers. Anything signed in, any mutation or subscription, any request that says
// "Cache-Control: no-cache", and any answer with errors passes through untouched.
func (c *Cache) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			next.ServeHTTP(w, r) // a WebSocket's upgrade needs the writer as it is
			return
		}
		if r.Header.Get("Authorization") != "" || r.ContentLength > maxRequestBytes ||
			strings.Contains(r.Header.Get("Cache-Control"), "no-cache") {
			next.ServeHTTP(&recorder{ResponseWriter: w, pass: true}, r)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBytes+1))
		r.Body = io.NopCloser(bytes.NewReader(body))
		if err != nil || len(body) > maxRequestBytes || writePattern.Match(body) {
			next.ServeHTTP(&recorder{ResponseWriter: w, pass: true}, r)
			return
		}
		key := sha256.Sum256(body)
		cached, read, ok := c.get(key)
		if ok {
			w.Header().Set("Content-Type", cacheableTypes)
			w.Header().Set("Content-Length", strconv.Itoa(len(cached)))
			w.Header().Set("X-Cache", "hit")
			_, _ = w.Write(cached)
			return
		}
		rec := &recorder{ResponseWriter: w}
		w.Header().Set("X-Cache", "miss")
		next.ServeHTTP(rec, r)
		if rec.status == http.StatusOK && !rec.noStore && !bytes.Contains(rec.buf.Bytes(), []byte(`"errors"`)) {
			sources := strings.Fields(rec.sources)
			for _, id := range idPattern.FindAll(body, 16) {
				sources = append(sources, string(id))
			}
			c.put(key, bytes.Clone(rec.buf.Bytes()), sources, read)
		}
	})
}

// get returns a fresh answer for key; without one, the tick at which reading a new one
// begins.
func (c *Cache) get(key [32]byte) (body []byte, read uint64, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, found := c.entries[key]
	if !found || !c.fresh(el.Value.(*entry)) {
		c.misses++
		return nil, c.tick, false
	}
	c.hits++
	c.order.MoveToFront(el)
	return el.Value.(*entry).body, 0, true
}

// fresh reports whether e's lifetime lasts and no event about its sources came since its
// request began. The caller holds c.mu.
func (c *Cache) fresh(e *entry) bool {
	if c.now().After(e.expires) {
		return false
	}
	for _, id := range e.sources {
		if c.changed[id] > e.read {
			return false
		}
	}
	return true
}

// put keeps an answer read from sources by a request that began at tick read, unless an event
// about one of them came since: the answer may show what stood before it.
func (c *Cache) put(key [32]byte, body []byte, sources []string, read uint64) {
	if len(body) > c.maxBytes/8 {
		return // one huge answer must not empty the cache
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e := &entry{key: key, body: body, expires: c.now().Add(c.ttl), sources: sources, read: read}
	if !c.fresh(e) {
		return
	}
	if el, ok := c.entries[key]; ok {
		c.bytes -= len(el.Value.(*entry).body)
		c.order.Remove(el)
	}
	c.entries[key] = c.order.PushFront(e)
	c.bytes += len(body)
	for c.bytes > c.maxBytes {
		last := c.order.Back()
		old := last.Value.(*entry)
		c.order.Remove(last)
		delete(c.entries, old.key)
		c.bytes -= len(old.body)
	}
}

// recorder copies what the handler writes, passing it on as it goes, and takes the source
// headers off the answer; with pass set it only takes the headers off.
type recorder struct {
	http.ResponseWriter
	pass    bool
	status  int
	buf     bytes.Buffer
	sources string
	noStore bool
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		h := r.Header()
		r.sources = h.Get(surrogateKey)
		r.noStore = strings.Contains(h.Get(surrogateControl), "no-store")
		h.Del(surrogateKey)
		h.Del(surrogateControl)
	}
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.WriteHeader(http.StatusOK)
	}
	if !r.pass {
		r.buf.Write(b)
	}
	return r.ResponseWriter.Write(b)
}
