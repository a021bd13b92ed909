package pagecache

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// Overlay lets the cache answer a signed-in read from the anonymous answer to the same
// request: most of a page is the same for every viewer, and what differs is small and
// knowable to the schema's owner (the GraphQL handler), which implements it.
type Overlay interface {
	// Plan reports whether the signed-in request r, whose body is given, asks only for what
	// Personalize can make from the anonymous answer; if not, the read runs uncached. It
	// must be cheap: it runs before the cache is consulted.
	Plan(r *http.Request, body []byte) bool
	// Anonymous returns r's context without its viewer, for computing the anonymous answer.
	Anonymous(r *http.Request) context.Context
	// Personalize returns the viewer's answer made from the anonymous one, as pieces written
	// one after the other (so a patch need not copy the whole page), or ok false when the
	// viewer's answer differs in a way it does not patch (their own hidden comments, a
	// moderator's fields): the read then runs uncached.
	Personalize(r *http.Request, body []byte, anonymous Answer) (personal [][]byte, ok bool, err error)
}

// Answer is a kept anonymous answer as an Overlay sees it.
type Answer struct {
	// Body is the answer; it must not be changed.
	Body []byte
	// Sources are the IDs of the stories and sites it was read from.
	Sources []string
	e       *entry
}

// Memo returns what compute returns for this answer, computing it once per kept answer: what
// an overlay learns by reading the answer (which comments it holds, say) is then paid once,
// not per reader.
func (a Answer) Memo(compute func() any) any {
	a.e.memoOnce.Do(func() { a.e.memo = compute() })
	return a.e.memo
}

// MiddlewareWithOverlay is Middleware that also answers signed-in reads, when overlay says it
// can, from the anonymous answer and the viewer's overlay. A nil overlay passes every
// signed-in read through, as Middleware does.
func (c *Cache) MiddlewareWithOverlay(next http.Handler, overlay Overlay) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		get := r.Method == http.MethodGet && r.Header.Get("Upgrade") == ""
		if r.Method != http.MethodPost && !get {
			next.ServeHTTP(w, r) // a WebSocket's upgrade needs the writer as it is
			return
		}
		signedIn := r.Header.Get("Authorization") != ""
		if signedIn && overlay == nil {
			next.ServeHTTP(&stripper{ResponseWriter: w}, r)
			return
		}
		var body []byte
		var key [32]byte
		var ok bool
		if get {
			body, key, ok = readGET(r)
		} else if body, ok = readBody(r); ok {
			key = keyOf(body)
		}
		if !ok || (signedIn && !overlay.Plan(r, body)) {
			next.ServeHTTP(&stripper{ResponseWriter: w}, r)
			return
		}
		base := r.Context()
		if signedIn {
			base = overlay.Anonymous(r)
		}
		req := func(ctx context.Context) *http.Request {
			anon := r.Clone(ctx)
			anon.Body = io.NopCloser(bytes.NewReader(body))
			if signedIn {
				anon.Header.Del("Authorization")
			}
			return anon
		}
		res := c.answer(base, key, body, req, next)
		switch {
		case res == nil:
			return // the client went away
		case !signedIn && res.e != nil:
			c.writeAnswer(w, r, res.e, res.how)
		case !signedIn:
			res.reply.replay(w, res.how)
		case res.e != nil:
			personal, ok, err := overlay.Personalize(r, body, Answer{Body: res.e.body, Sources: res.e.sources, e: res.e})
			if err == nil && ok {
				c.mu.Lock()
				c.stats.Overlaid++
				c.mu.Unlock()
				writePieces(w, personal, "overlay-"+res.how)
				return
			}
			fallthrough
		default:
			// Not answerable from the anonymous answer: the viewer's read runs as it is.
			if !get {
				r.Body = io.NopCloser(bytes.NewReader(body))
			}
			next.ServeHTTP(&stripper{ResponseWriter: w}, r)
		}
	})
}

// readGET considers a read sent with GET (a persisted query's hash, say, with or without its
// text): its key is its URL's query string, so that a hash-only GET and any HTTP cache in
// front agree on what an answer is, and its body, for the overlay, is the POST body the same
// parameters would make. ok is false for anything the cache does not consider.
func readGET(r *http.Request) (body []byte, key [32]byte, ok bool) {
	raw := r.URL.RawQuery
	if len(raw) > maxRequestBytes || strings.Contains(r.Header.Get("Cache-Control"), "no-cache") {
		return nil, key, false
	}
	v := r.URL.Query()
	if writePattern.MatchString(v.Get("query")) {
		return nil, key, false
	}
	params := map[string]any{"query": v.Get("query"), "operationName": v.Get("operationName")}
	for _, name := range []string{"variables", "extensions"} {
		if s := v.Get(name); s != "" {
			if !json.Valid([]byte(s)) {
				return nil, key, false
			}
			params[name] = json.RawMessage(s)
		}
	}
	body, err := json.Marshal(params)
	if err != nil {
		return nil, key, false
	}
	return body, sha256.Sum256([]byte("GET\x00" + raw)), true
}

// writePieces sends an answer made of pieces, as writeAnswer sends a whole one.
func writePieces(w http.ResponseWriter, pieces [][]byte, how string) {
	n := 0
	for _, p := range pieces {
		n += len(p)
	}
	w.Header().Set("Content-Type", cacheableTypes)
	w.Header().Set("Content-Length", strconv.Itoa(n))
	w.Header().Set("X-Cache", how)
	for _, p := range pieces {
		if _, err := w.Write(p); err != nil {
			return
		}
	}
}

// recorder keeps what a handler writes, taking the source headers off.
type recorder struct {
	header http.Header
	status int
	buf    bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.buf.Write(b)
}

// recorded is an answer as a handler wrote it.
type recorded struct {
	status  int
	header  http.Header
	body    []byte
	sources string
	noStore bool
}

func (r *recorder) reply() *recorded {
	out := &recorded{status: r.status, header: r.header, body: r.buf.Bytes()}
	if out.status == 0 {
		out.status = http.StatusOK
	}
	out.sources = r.header.Get(surrogateKey)
	out.noStore = strings.Contains(r.header.Get(surrogateControl), "no-store")
	r.header.Del(surrogateKey)
	r.header.Del(surrogateControl)
	return out
}

// keepable reports whether the answer may be kept: a whole, successful one that depends on
// nothing without an ID.
func (r *recorded) keepable() bool {
	return r.status == http.StatusOK && !r.noStore && !bytes.Contains(r.body, []byte(`"errors"`))
}

// replay sends a recorded answer that was not kept.
func (r *recorded) replay(w http.ResponseWriter, how string) {
	h := w.Header()
	for k, v := range r.header {
		h[k] = v
	}
	h.Set("X-Cache", how)
	w.WriteHeader(r.status)
	_, _ = w.Write(r.body)
}

// stripper passes an answer through, taking the source headers off.
type stripper struct {
	http.ResponseWriter
	started bool
}

func (s *stripper) WriteHeader(code int) {
	if !s.started {
		s.started = true
		s.Header().Del(surrogateKey)
		s.Header().Del(surrogateControl)
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *stripper) Write(b []byte) (int, error) {
	if !s.started {
		s.WriteHeader(http.StatusOK)
	}
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (s *stripper) Unwrap() http.ResponseWriter { return s.ResponseWriter }
