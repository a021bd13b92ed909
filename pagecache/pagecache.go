// Package pagecache keeps the answers to anonymous GraphQL reads, such as a story's first
// page of comments, so that a popular article's readers cost one execution per change rather
// than one per reader. Every answer is kept with its sources: the IDs its request names and
// those its Surrogate-Key header lists (the stories and sites it was read from, which a read
// by a comment's ID or a story's URL does not name). An event about a story or site makes
// every answer read from it stale, so a change is visible as soon as its event arrives, and a
// short lifetime bounds what a lost event could leave stale. An answer marked
// "Surrogate-Control: no-store" (it depends on something that does not exist yet) is never
// kept.
//
// Readers never stampede: concurrent misses for the same request are combined (one reader
// computes the answer, the others wait for it), an answer read near the end of its lifetime
// is refreshed in the background while it is still served, and one past its lifetime may be
// served for a bounded while longer as its refresh runs (stale-while-revalidate). An answer
// made stale by an event is never served: its readers wait for one new computation.
package pagecache

import (
	"bytes"
	"compress/gzip"
	"container/list"
	"context"
	"crypto/sha256"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Config sizes a Cache and says how long its answers live.
type Config struct {
	// MaxBytes bounds the bytes of the answers kept.
	MaxBytes int
	// TTL is how long an answer is served as fresh, bounding what a lost event could leave
	// stale.
	TTL time.Duration
	// RefreshAhead starts a background refresh of an answer read in the last RefreshAhead of
	// its lifetime, so that a popular answer is replaced before it expires. Zero turns it off.
	RefreshAhead time.Duration
	// MaxStale is how long past its lifetime an answer may still be served while its refresh
	// runs; an event about its sources ends that at once. Zero turns it off.
	MaxStale time.Duration
	// RefreshTimeout bounds a background refresh; default 30 s.
	RefreshTimeout time.Duration
	// Now, when set, replaces time.Now, for tests.
	Now func() time.Time
}

// Stats are the cache's counters, for metrics.
type Stats struct {
	// Hits were answered from a kept answer, fresh or (within MaxStale) stale.
	Hits uint64
	// Stale counts the hits answered past the answer's lifetime, while it was refreshed.
	Stale uint64
	// Misses computed the answer themselves.
	Misses uint64
	// Coalesced waited for another reader's computation of the same answer and were
	// answered with it.
	Coalesced uint64
	// Refreshes are the background refreshes started.
	Refreshes uint64
	// Overlaid counts signed-in reads answered from a kept answer and a viewer's overlay.
	Overlaid uint64
	// Bytes and Entries are what the cache holds now; Waiting is how many readers wait for
	// another's computation at this moment; Changed is how many stories and sites the
	// events it still remembers were about.
	Bytes, Entries, Waiting, Changed int
}

// Cache is an in-process cache bounded by bytes, safe for concurrent use.
type Cache struct {
	cfg Config
	now func() time.Time

	mu      sync.Mutex
	bytes   int
	entries map[[32]byte]*list.Element
	order   *list.List // most recently used first
	flights map[[32]byte]*flight
	// changed holds, for each story or site an event was about, the tick of its last event;
	// tick counts events.
	changed map[string]uint64
	tick    uint64
	pruneAt int // prune when changed holds this many IDs
	// forgotten is the last tick whose events prune may have forgotten.
	forgotten uint64
	stats     Stats
	waiting   int
	// refreshing counts the background refreshes running.
	refreshing sync.WaitGroup
}

type entry struct {
	key     [32]byte
	body    []byte
	expires time.Time
	// sources are the IDs the answer was read from; read is the tick when its request
	// began, so that an event since makes the answer stale.
	sources []string
	read    uint64
	// kept tells whether the answer is in the cache, where prune checks it before it
	// forgets events; one that is not may have lost the events since its read.
	kept bool
	// memo is what an Overlay derived from body (Answer.Memo).
	memoOnce sync.Once
	memo     any
	// gz is body compressed with gzip, made on the first read that accepts it; counted is
	// how many of its bytes the cache's size includes (set under Cache.mu while kept).
	gzOnce  sync.Once
	gz      []byte
	counted int
}

// size is what e adds to the cache's bytes. The caller holds Cache.mu.
func (e *entry) size() int { return len(e.body) + e.counted }

// flight is one computation of an answer that other readers of the same request wait for.
// e is the answer when it could be kept, set before done is closed.
type flight struct {
	done chan struct{}
	e    *entry
	read uint64 // the tick when its computation began
}

// Headers in which an answer lists its sources, as caches in front of an origin use them for
// purging by tag. The cache takes them off every answer that passes through it.
const (
	surrogateKey     = "Surrogate-Key"
	surrogateControl = "Surrogate-Control"
)

// DefaultRefreshTimeout bounds a background refresh when Config leaves it zero.
const DefaultRefreshTimeout = 30 * time.Second

// New returns a cache of at most maxBytes of answers, each kept at most ttl, with no refresh
// ahead and no stale answers: NewWithConfig turns those on.
func New(maxBytes int, ttl time.Duration) *Cache {
	return NewWithConfig(Config{MaxBytes: maxBytes, TTL: ttl})
}

// NewWithConfig returns a cache as cfg describes.
func NewWithConfig(cfg Config) *Cache {
	if cfg.RefreshTimeout <= 0 {
		cfg.RefreshTimeout = DefaultRefreshTimeout
	}
	if cfg.RefreshAhead > cfg.TTL {
		cfg.RefreshAhead = cfg.TTL
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Cache{cfg: cfg, now: cfg.Now, entries: map[[32]byte]*list.Element{},
		order: list.New(), flights: map[[32]byte]*flight{}, changed: map[string]uint64{}, pruneAt: minPruneAt}
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
	if len(c.changed) >= c.pruneAt {
		c.prune()
	}
	c.mu.Unlock()
}

// minPruneAt is the fewest changed IDs worth pruning.
const minPruneAt = 1024

// prune forgets expired and stale answers, then the events that can no longer make anything
// stale: without it, every story that ever changed would stay in changed. A kept answer
// still current was read after every event about its sources, so forgetting those changes
// nothing for it; only a computation still running, whose sources are not known yet, needs
// the events since it began. The caller holds c.mu.
func (c *Cache) prune() {
	oldest := c.tick
	now := c.now()
	for key, el := range c.entries {
		e := el.Value.(*entry)
		if now.Sub(e.expires) > c.cfg.MaxStale || !c.current(e) {
			e.kept = false
			c.order.Remove(el)
			delete(c.entries, key)
			c.bytes -= e.size()
		}
	}
	for _, f := range c.flights {
		oldest = min(oldest, f.read)
	}
	for id, tick := range c.changed {
		if tick <= oldest {
			delete(c.changed, id)
		}
	}
	c.forgotten = max(c.forgotten, oldest)
	c.pruneAt = max(2*len(c.changed), minPruneAt)
}

// Stats returns the counters so far and what the cache holds now, for metrics.
func (c *Cache) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.stats
	s.Bytes, s.Entries, s.Waiting, s.Changed = c.bytes, len(c.entries), c.waiting, len(c.changed)
	return s
}

// maxRequestBytes bounds the requests considered: page reads are small.
const maxRequestBytes = 16 << 10

var (
	idPattern      = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	writePattern   = regexp.MustCompile(`\b(mutation|subscription)\b`)
	cacheableTypes = "application/json"
)

// Middleware answers anonymous reads (POSTed, or sent with GET and keyed on their URL) from the cache and fills it with successful
// answers. Anything signed in, any mutation or subscription, any request that says
// "Cache-Control: no-cache", and any answer with errors passes through untouched.
func (c *Cache) Middleware(next http.Handler) http.Handler {
	return c.MiddlewareWithOverlay(next, nil)
}

// readBody reads a request's body when it is a read the cache may consider, leaving r able to
// be read again; ok is false for anything else.
func readBody(r *http.Request) (body []byte, ok bool) {
	if r.ContentLength > maxRequestBytes || strings.Contains(r.Header.Get("Cache-Control"), "no-cache") {
		return nil, false
	}
	var err error
	if r.ContentLength >= 0 {
		// The usual case: one allocation of the right size, not ReadAll's doublings.
		body = make([]byte, r.ContentLength)
		_, err = io.ReadFull(r.Body, body)
	} else {
		body, err = io.ReadAll(io.LimitReader(r.Body, maxRequestBytes+1))
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil || len(body) > maxRequestBytes || mayWrite(body) {
		return nil, false
	}
	return body, true
}

// mayWrite reports whether a request body may hold a mutation or a subscription; the
// regular expression runs only when one of the words appears at all, which a read's rarely
// does.
func mayWrite(body []byte) bool {
	if !bytes.Contains(body, []byte("mutation")) && !bytes.Contains(body, []byte("subscription")) {
		return false
	}
	return writePattern.Match(body)
}

// result is the outcome of answer: a kept (or keepable) answer, or a computed answer that
// could not be kept, to pass on as it is.
type result struct {
	e     *entry
	how   string // X-Cache: hit, stale, miss or coalesced
	reply *recorded
}

// answer finds the answer to an anonymous read (body, run as req runs it with the context it
// is given): kept, or computed once by this reader while others of the same request wait, or
// computed by the reader another is waiting for. base carries the request's values; it
// returns nil when base is done (the client went away).
func (c *Cache) answer(base context.Context, key [32]byte, body []byte, req func(context.Context) *http.Request, next http.Handler) *result {
	for attempt := 0; ; attempt++ {
		c.mu.Lock()
		if e, how := c.lookup(base, key, body, req, next); e != nil {
			c.mu.Unlock()
			return &result{e: e, how: how}
		}
		f, waiting := c.flights[key]
		if !waiting {
			f = &flight{done: make(chan struct{}), read: c.tick}
			c.flights[key] = f
			c.stats.Misses++
			read := c.tick
			c.mu.Unlock()
			e, reply := c.compute(req(base), next, key, body, read, f)
			return &result{e: e, reply: reply, how: "miss"}
		}
		c.waiting++
		c.mu.Unlock()
		select {
		case <-f.done:
		case <-base.Done():
			c.mu.Lock()
			c.waiting--
			c.mu.Unlock()
			return nil
		}
		c.mu.Lock()
		c.waiting--
		if f.e != nil && c.fresh(f.e) {
			c.stats.Coalesced++
			c.mu.Unlock()
			return &result{e: f.e, how: "coalesced"}
		}
		c.mu.Unlock()
		if attempt >= 2 {
			// The answer keeps changing under its readers, or cannot be kept: compute it
			// alone, as if there were no cache.
			rec := &recorder{header: http.Header{}}
			next.ServeHTTP(rec, req(base))
			return &result{reply: rec.reply(), how: "miss"}
		}
	}
}

// lookup returns a kept answer that may be served for key, starting its background refresh
// when it nears or passes its lifetime. The caller holds c.mu.
func (c *Cache) lookup(base context.Context, key [32]byte, body []byte, req func(context.Context) *http.Request, next http.Handler) (*entry, string) {
	el, found := c.entries[key]
	if !found {
		return nil, ""
	}
	e := el.Value.(*entry)
	if !c.current(e) {
		return nil, ""
	}
	left := e.expires.Sub(c.now())
	if left < -c.cfg.MaxStale || (left < 0 && c.cfg.MaxStale == 0) {
		return nil, ""
	}
	c.stats.Hits++
	c.order.MoveToFront(el)
	how := "hit"
	if left < 0 {
		c.stats.Stale++
		how = "stale"
	}
	if left < c.cfg.RefreshAhead || left < 0 {
		if _, busy := c.flights[key]; !busy {
			f := &flight{done: make(chan struct{}), read: c.tick}
			c.flights[key] = f
			c.stats.Refreshes++
			read := c.tick
			c.refreshing.Add(1)
			// The request is copied now, while its reader's handler still runs.
			ctx, cancel := context.WithTimeout(context.WithoutCancel(base), c.cfg.RefreshTimeout)
			r := req(ctx)
			go func() {
				defer c.refreshing.Done()
				defer cancel()
				// A refresh that fails, even by panicking, leaves the kept answer to expire.
				defer func() { _ = recover() }()
				c.compute(r, next, key, body, read, f)
			}()
		}
	}
	return e, how
}

// compute runs the request for key, keeps its answer if it may (returning the entry), and
// ends the flight. reply is the answer as the handler wrote it.
func (c *Cache) compute(r *http.Request, next http.Handler, key [32]byte, body []byte, read uint64, f *flight) (e *entry, reply *recorded) {
	defer func() {
		c.mu.Lock()
		f.e = e
		if c.flights[key] == f {
			delete(c.flights, key)
		}
		c.mu.Unlock()
		close(f.done)
	}()
	rec := &recorder{header: http.Header{}}
	next.ServeHTTP(rec, r)
	reply = rec.reply()
	if !reply.keepable() {
		return nil, reply
	}
	sources := strings.Fields(reply.sources)
	for _, id := range idPattern.FindAll(body, 16) {
		sources = append(sources, string(id))
	}
	return c.put(key, reply.body, sources, read), reply
}

// current reports whether no event about e's sources came since its request began. The
// caller holds c.mu.
func (c *Cache) current(e *entry) bool {
	if !e.kept && e.read < c.forgotten {
		return false
	}
	for _, id := range e.sources {
		if c.changed[id] > e.read {
			return false
		}
	}
	return true
}

// fresh reports whether e's lifetime lasts and no event about its sources came since its
// request began. The caller holds c.mu.
func (c *Cache) fresh(e *entry) bool {
	return !c.now().After(e.expires) && c.current(e)
}

// put keeps an answer read from sources by a request that began at tick read, unless an event
// about one of them came since (the answer may show what stood before it), and returns the
// entry it kept, or nil.
func (c *Cache) put(key [32]byte, body []byte, sources []string, read uint64) *entry {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := &entry{key: key, body: body, expires: c.now().Add(c.cfg.TTL), sources: sources, read: read}
	if !c.fresh(e) {
		return nil
	}
	if len(body) > c.cfg.MaxBytes/8 {
		return e // one huge answer must not empty the cache; its waiters may still share it
	}
	if el, ok := c.entries[key]; ok {
		el.Value.(*entry).kept = false
		c.bytes -= el.Value.(*entry).size()
		c.order.Remove(el)
	}
	e.kept = true
	c.entries[key] = c.order.PushFront(e)
	c.bytes += len(body)
	c.shrink()
	return e
}

// shrink forgets the least recently used answers until the cache fits its bound. The caller
// holds c.mu.
func (c *Cache) shrink() {
	for c.bytes > c.cfg.MaxBytes && c.order.Len() > 0 {
		last := c.order.Back()
		old := last.Value.(*entry)
		old.kept = false
		c.order.Remove(last)
		delete(c.entries, old.key)
		c.bytes -= old.size()
	}
}

// gzipWriters keeps compressors between answers: each holds some hundreds of kilobytes.
var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed)
	return zw
}}

// minGzipBytes is the smallest answer worth compressing.
const minGzipBytes = 1024

// gzipped returns e's body compressed with gzip, compressing it once per answer kept, and
// counts the compressed copy in the cache's bytes while the answer is kept.
func (c *Cache) gzipped(e *entry) []byte {
	e.gzOnce.Do(func() {
		var buf bytes.Buffer
		buf.Grow(len(e.body) / 4)
		zw := gzipWriters.Get().(*gzip.Writer)
		zw.Reset(&buf)
		_, _ = zw.Write(e.body)
		_ = zw.Close()
		gzipWriters.Put(zw)
		gz := buf.Bytes()
		c.mu.Lock()
		e.gz = gz
		if e.kept {
			e.counted = len(gz)
			c.bytes += len(gz)
			c.shrink()
		}
		c.mu.Unlock()
	})
	return e.gz
}

// acceptsGzip reports whether a client takes gzip-encoded answers.
func acceptsGzip(r *http.Request) bool {
	ae := r.Header.Get("Accept-Encoding")
	return strings.Contains(ae, "gzip") && !strings.Contains(ae, "gzip;q=0")
}

// keyOf is the cache key of a request body.
func keyOf(body []byte) [32]byte { return sha256.Sum256(body) }

// writeAnswer sends a kept answer, compressed when its client takes gzip and it is large
// enough: the compressed copy is kept with the answer, so it is made once, not per reader.
func (c *Cache) writeAnswer(w http.ResponseWriter, r *http.Request, e *entry, how string) {
	h := w.Header()
	h.Set("Content-Type", cacheableTypes)
	h.Set("X-Cache", how)
	h.Set("Vary", "Accept-Encoding")
	body := e.body
	if len(body) >= minGzipBytes && acceptsGzip(r) {
		body = c.gzipped(e)
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write(body)
}
