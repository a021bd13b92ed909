package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// publicReads lets HTTP caches (the browser's, a CDN in front) keep anonymous persisted-query
// reads sent with GET: those answers are the same for every anonymous reader, so a
// "Cache-Control: public, max-age=…, stale-while-revalidate=…" answer with an ETag spares the
// server both the request (while fresh) and the body (a 304 when revalidated). Everything else
// keeps the "private, no-store" that noStore sets: any request with credentials (its answer
// may hold the viewer's data), mutations and POSTs, reads by query text, errors, and answers
// marked as not keepable (Surrogate-Control: no-store, when no page cache took it off). A
// change reaches anonymous readers behind such a cache within max-age. Vary names Authorization, so a cache never gives a signed-in reader
// the anonymous answer, and Origin, which the CORS headers depend on.
func publicReads(maxAge, staleWhile time.Duration, next http.Handler) http.Handler {
	control := "public, max-age=" + strconv.Itoa(int(maxAge/time.Second)) +
		", stale-while-revalidate=" + strconv.Itoa(int(staleWhile/time.Second))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !publicCandidate(r) {
			w.Header().Set("Cache-Control", "private, no-store")
			next.ServeHTTP(w, r)
			return
		}
		rec := &bufferedWriter{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		h := w.Header()
		status := rec.status
		if status == 0 {
			status = http.StatusOK
		}
		notKept := strings.Contains(h.Get("Surrogate-Control"), "no-store")
		h.Del("Surrogate-Control")
		h.Del("Surrogate-Key")
		if status != http.StatusOK || notKept || bytes.Contains(rec.buf.Bytes(), []byte(`"errors"`)) {
			h.Set("Cache-Control", "private, no-store")
			w.WriteHeader(status)
			_, _ = w.Write(rec.buf.Bytes())
			return
		}
		sum := sha256.Sum256(rec.buf.Bytes())
		etag := `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`
		h.Set("Cache-Control", control)
		h.Set("ETag", etag)
		h.Add("Vary", "Authorization")
		if etagMatches(r.Header.Get("If-None-Match"), etag) {
			h.Del("Content-Length")
			h.Del("Content-Type")
			w.WriteHeader(http.StatusNotModified)
			return
		}
		h.Set("Content-Length", strconv.Itoa(rec.buf.Len()))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(rec.buf.Bytes())
	})
}

// publicCandidate tells a read that may be public: an anonymous GET naming a persisted
// query, neither a WebSocket nor sent with credentials of any kind.
func publicCandidate(r *http.Request) bool {
	if r.Method != http.MethodGet || r.Header.Get("Upgrade") != "" ||
		r.Header.Get("Authorization") != "" || r.Header.Get("Cookie") != "" {
		return false
	}
	return strings.Contains(r.URL.Query().Get("extensions"), `"persistedQuery"`)
}

// etagMatches applies If-None-Match's weak comparison to one ETag.
func etagMatches(header, etag string) bool {
	if header == "" {
		return false
	}
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == etag || t == "*" {
			return true
		}
	}
	return false
}

// bufferedWriter holds an answer until publicReads has decided its headers.
type bufferedWriter struct {
	http.ResponseWriter
	status int
	buf    bytes.Buffer
}

func (b *bufferedWriter) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}

func (b *bufferedWriter) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.buf.Write(p)
}
