package server

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/parleyhq/parley"
)

// securityHeaders sets the headers every answer carries, whatever produced it.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		next.ServeHTTP(w, r)
	})
}

// maxRequestIDLength bounds an incoming X-Request-ID, which ends up in every log line.
const maxRequestIDLength = 64

// requestID gives every request an ID that ties its log lines and error answers together.
// An ID from a proxy in front is kept when it is short and plain, so one ID follows the
// request through both; anything else is replaced rather than logged.
func requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-ID")
		if !validRequestID(id) {
			id = newRequestID()
		}
		w.Header().Set("X-Request-ID", id)
		next.ServeHTTP(w, r.WithContext(parley.NewContextWithRequestID(r.Context(), id)))
	})
}

func validRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLength {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == ':') {
			return false
		}
	}
	return true
}

func newRequestID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// responseRecorder notes the status and size of an answer for the access log. It unwraps to
// the original writer so that http.ResponseController (flushes, deadlines, the WebSocket
// hijack) keeps working through it.
type responseRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (rec *responseRecorder) WriteHeader(status int) {
	if rec.status == 0 {
		rec.status = status
	}
	rec.ResponseWriter.WriteHeader(status)
}

func (rec *responseRecorder) Write(b []byte) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	n, err := rec.ResponseWriter.Write(b)
	rec.bytes += int64(n)
	return n, err
}

func (rec *responseRecorder) Unwrap() http.ResponseWriter { return rec.ResponseWriter }

// Flush and Hijack are for code that type-asserts instead of using http.ResponseController.
func (rec *responseRecorder) Flush() { _ = http.NewResponseController(rec.ResponseWriter).Flush() }

func (rec *responseRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(rec.ResponseWriter).Hijack()
}

// StatusClientClosedRequest is what the access log and the HTTP metrics record for a
// request whose client hung up before its answer was complete (a reader closing the tab, a
// load balancer giving up), after nginx's 499: whatever status the server then wrote, no one
// received it, and counting it as the 500 it often is would page an operator for nothing.
const StatusClientClosedRequest = 499

// clientGone reports whether r's client hung up before its answer was complete. The
// request's context is canceled when the connection closes; the server's own timeouts
// end contexts with DeadlineExceeded instead, so they still count as what they are.
func clientGone(r *http.Request) bool {
	return errors.Is(r.Context().Err(), context.Canceled)
}

// outcome is the status to record for r: StatusClientClosedRequest when the client went
// away, otherwise the status written (200 when none was).
func outcome(r *http.Request, rec *responseRecorder) int {
	switch {
	case clientGone(r):
		return StatusClientClosedRequest
	case rec.status == 0:
		return http.StatusOK
	}
	return rec.status
}

// accessLog writes one line per request. It logs the path without the query string (GET
// queries carry variables) and never a header, so tokens stay out of the log.
func accessLog(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &responseRecorder{ResponseWriter: w}
		defer func() {
			status := outcome(r, rec)
			logger.LogAttrs(r.Context(), slog.LevelInfo, "http request",
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
				slog.Int("status", status),
				slog.Int64("bytes", rec.bytes),
				slog.Duration("duration", time.Since(start)),
				slog.String("requestID", parley.RequestIDFromContext(r.Context())),
			)
		}()
		next.ServeHTTP(rec, r)
	})
}

// recoverPanics answers 500 when a handler panics, logging the panic with its stack, so one
// bad request neither kills the process nor leaves the client without an answer.
func recoverPanics(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &responseRecorder{ResponseWriter: w}
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			logger.ErrorContext(r.Context(), "server: panic",
				"panic", fmt.Sprint(v), "stack", string(debug.Stack()),
				"requestID", parley.RequestIDFromContext(r.Context()))
			if rec.status == 0 {
				writeError(rec, r, http.StatusInternalServerError, errors.New("panic"))
			}
		}()
		next.ServeHTTP(rec, r)
	})
}

// describeClient records where the request came from, for rate limits and lockouts.
func describeClient(trustProxy bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := parley.Client{IP: clientIP(r, trustProxy), Origin: r.Header.Get("Origin"), Language: r.Header.Get("Accept-Language")}
		next.ServeHTTP(w, r.WithContext(parley.NewContextWithClient(r.Context(), c)))
	})
}

// clientIP is the connection's peer, or with trustProxy the last X-Forwarded-For entry: the
// address the proxy itself saw. Earlier entries are whatever the client chose to send.
func clientIP(r *http.Request, trustProxy bool) string {
	if trustProxy {
		if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
			parts := strings.Split(xff[len(xff)-1], ",")
			if ip := net.ParseIP(strings.TrimSpace(parts[len(parts)-1])); ip != nil {
				return ip.String()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
