// Package pagecache keeps the answers to anonymous GraphQL reads, such as a story's first
// page of comments, so that a popular article's readers cost one execution per change rather
// than one per reader. Every answer is keyed by the request and by the versions of the stories
// and sites whose IDs it names; an event about a story or site bumps its version, so a change
// is visible as soon as its event arrives, and a short lifetime bounds what a lost event
// could leave stale.
package pagecache

import (
	"bytes"
	"container/list"
	"crypto/sha256"
	"encoding/binary"
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

	mu       sync.Mutex
	bytes    int
	entries  map[[32]byte]*list.Element
	order    *list.List // most recently used first
	versions map[string]uint64
	hits     uint64
	misses   uint64
}

type entry struct {
	key     [32]byte
	body    []byte
	expires time.Time
}

// New returns a cache of at most maxBytes of answers, each kept at most ttl.
func New(maxBytes int, ttl time.Duration) *Cache {
	return &Cache{maxBytes: maxBytes, ttl: ttl, now: time.Now, entries: map[[32]byte]*list.Element{},
		order: list.New(), versions: map[string]uint64{}}
}

// Invalidate makes every cached answer that names id (a story's or a site's) stale.
func (c *Cache) Invalidate(id string) {
	if id == "" {
		return
	}
	c.mu.Lock()
	c.versions[id]++
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
		if r.Method != http.MethodPost || r.Header.Get("Authorization") != "" || r.ContentLength > maxRequestBytes ||
			strings.Contains(r.Header.Get("Cache-Control"), "no-cache") {
			next.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBytes+1))
		r.Body = io.NopCloser(bytes.NewReader(body))
		if err != nil || len(body) > maxRequestBytes || writePattern.Match(body) {
			next.ServeHTTP(w, r)
			return
		}
		key := c.key(body)
		if cached, ok := c.get(key); ok {
			w.Header().Set("Content-Type", cacheableTypes)
			w.Header().Set("Content-Length", strconv.Itoa(len(cached)))
			w.Header().Set("X-Cache", "hit")
			_, _ = w.Write(cached)
			return
		}
		rec := &recorder{ResponseWriter: w}
		w.Header().Set("X-Cache", "miss")
		next.ServeHTTP(rec, r)
		if rec.status == http.StatusOK && !bytes.Contains(rec.buf.Bytes(), []byte(`"errors"`)) {
			c.put(key, bytes.Clone(rec.buf.Bytes()))
		}
	})
}

// key hashes the request with the current versions of the IDs it names.
func (c *Cache) key(body []byte) [32]byte {
	h := sha256.New()
	h.Write(body)
	ids := idPattern.FindAll(body, 16)
	c.mu.Lock()
	for _, id := range ids {
		var v [8]byte
		binary.LittleEndian.PutUint64(v[:], c.versions[string(id)])
		h.Write(id)
		h.Write(v[:])
	}
	c.mu.Unlock()
	var k [32]byte
	h.Sum(k[:0])
	return k
}

func (c *Cache) get(key [32]byte) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[key]
	if !ok || c.now().After(el.Value.(*entry).expires) {
		c.misses++
		return nil, false
	}
	c.hits++
	c.order.MoveToFront(el)
	return el.Value.(*entry).body, true
}

func (c *Cache) put(key [32]byte, body []byte) {
	if len(body) > c.maxBytes/8 {
		return // one huge answer must not empty the cache
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[key]; ok {
		c.bytes -= len(el.Value.(*entry).body)
		c.order.Remove(el)
	}
	c.entries[key] = c.order.PushFront(&entry{key: key, body: body, expires: c.now().Add(c.ttl)})
	c.bytes += len(body)
	for c.bytes > c.maxBytes {
		last := c.order.Back()
		e := last.Value.(*entry)
		c.order.Remove(last)
		delete(c.entries, e.key)
		c.bytes -= len(e.body)
	}
}

// recorder copies what the handler writes, passing it on as it goes.
type recorder struct {
	http.ResponseWriter
	status int
	buf    bytes.Buffer
}

func (r *recorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	r.buf.Write(b)
	return r.ResponseWriter.Write(b)
}
