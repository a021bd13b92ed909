package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/server"
)

func TestHealthz(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *server.Config) { c.Ready = func(context.Context) error { return errors.New("db down") } })
	a := e.Do(t, request{Method: http.MethodGet, Path: "/healthz"})
	if a.Status != http.StatusOK || strings.TrimSpace(a.Body) != "ok" {
		t.Errorf("healthz = %d %q, want 200 ok even when not ready", a.Status, a.Body)
	}
}

func TestReadyz(t *testing.T) {
	t.Parallel()
	type readiness struct{ Status, Reason, Version string }
	read := func(t *testing.T, e *env) (int, readiness) {
		a := e.Do(t, request{Method: http.MethodGet, Path: "/readyz"})
		var r readiness
		if err := json.Unmarshal([]byte(a.Body), &r); err != nil {
			t.Fatalf("readyz body %q: %v", a.Body, err)
		}
		if a.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("Cache-Control = %q", a.Header.Get("Cache-Control"))
		}
		return a.Status, r
	}

	t.Run("ready when the database answers", func(t *testing.T) {
		status, r := read(t, newEnv(t, nil))
		if status != http.StatusOK || r.Status != "ready" || r.Version != "v1.2.3-test" {
			t.Errorf("readyz = %d %+v", status, r)
		}
	})
	t.Run("unavailable when the check fails", func(t *testing.T) {
		e := newEnv(t, func(c *server.Config) {
			c.Ready = func(context.Context) error { return errors.New("secret dsn detail") }
		})
		status, r := read(t, e)
		if status != http.StatusServiceUnavailable || r.Status != "unavailable" || r.Reason == "" || strings.Contains(r.Reason, "secret") {
			t.Errorf("readyz = %d %+v", status, r)
		}
		if !strings.Contains(e.Logs.String(), "secret dsn detail") {
			t.Error("the failure is not logged")
		}
	})
	t.Run("draining once shutdown starts, though the database answers", func(t *testing.T) {
		e := newEnv(t, func(c *server.Config) { c.Draining = func() bool { return true } })
		status, r := read(t, e)
		if status != http.StatusServiceUnavailable || r.Status != "draining" || r.Reason == "" {
			t.Errorf("readyz = %d %+v", status, r)
		}
	})
	t.Run("unavailable when the check hangs", func(t *testing.T) {
		e := newEnv(t, func(c *server.Config) {
			c.ReadyTimeout = 50 * time.Millisecond
			c.Ready = func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }
		})
		status, r := read(t, e)
		if status != http.StatusServiceUnavailable || !strings.Contains(r.Reason, "50ms") {
			t.Errorf("readyz = %d %+v", status, r)
		}
	})
}

func TestRoutes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	for _, tc := range []struct {
		name   string
		req    request
		status int
		code   string
	}{
		{"unknown path is not found", request{Method: http.MethodGet, Path: "/nope"}, http.StatusNotFound, "NOT_FOUND"},
		{"root is not found", request{Method: http.MethodGet, Path: "/"}, http.StatusNotFound, "NOT_FOUND"},
		{"PUT on graphql is not allowed", request{Method: http.MethodPut, ContentType: "application/json", Body: []byte(`{}`)}, http.StatusMethodNotAllowed, "INVALID"},
		{"POST on healthz is not allowed", request{Method: http.MethodPost, Path: "/healthz"}, http.StatusMethodNotAllowed, "INVALID"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := e.Do(t, tc.req)
			if a.Status != tc.status || a.Code() != tc.code {
				t.Errorf("status %d code %q, want %d %q: %s", a.Status, a.Code(), tc.status, tc.code, a.Body)
			}
		})
	}
}

func TestFavicon(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	for _, path := range []string{"/favicon.ico", "/favicon.svg"} {
		t.Run(path+" is the icon", func(t *testing.T) {
			a := e.Do(t, request{Method: http.MethodGet, Path: path})
			if a.Status != http.StatusOK || a.Header.Get("Content-Type") != "image/svg+xml" || !strings.HasPrefix(string(a.Body), "<svg") {
				t.Errorf("%s = %d %q %.40s", path, a.Status, a.Header.Get("Content-Type"), a.Body)
			}
		})
	}
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	for _, req := range []request{
		{Method: http.MethodGet, Path: "/healthz"},
		{Method: http.MethodGet, Path: "/nope"},
		{ContentType: "application/json", Body: []byte(`{"query":"{ viewer { id } }"}`)},
		{ContentType: "text/plain", Body: []byte(`x`)},
	} {
		a := e.Do(t, req)
		if a.Header.Get("X-Content-Type-Options") != "nosniff" || a.Header.Get("Referrer-Policy") != "strict-origin-when-cross-origin" {
			t.Errorf("%s %s: headers %v", req.Method, req.Path, a.Header)
		}
		if strings.Contains(a.Header.Get("Content-Type"), "json") && a.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s %s: JSON answer with Cache-Control %q", req.Method, req.Path, a.Header.Get("Cache-Control"))
		}
	}
}

func TestRequestID(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	get := func(id string) string {
		h := http.Header{}
		if id != "" {
			h.Set("X-Request-ID", id)
		}
		return e.Do(t, request{Method: http.MethodGet, Path: "/healthz", Header: h}).Header.Get("X-Request-ID")
	}
	t.Run("a sane incoming ID is kept", func(t *testing.T) {
		if got := get("edge-1234.abc:9_Z"); got != "edge-1234.abc:9_Z" {
			t.Errorf("X-Request-ID = %q", got)
		}
	})
	for name, id := range map[string]string{
		"missing": "", "too long": strings.Repeat("a", 65), "with spaces": "a b", "with a newline escape": "a%0d%0ab", "non-ASCII": "ä",
	} {
		t.Run(name+" is replaced", func(t *testing.T) {
			got := get(id)
			if got == "" || got == id || len(got) > 64 {
				t.Errorf("X-Request-ID = %q for incoming %q", got, id)
			}
		})
	}
}

func TestAccessLog(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	token, _ := e.MustSession(t)
	h := http.Header{"Authorization": {"Bearer " + token}, "X-Request-ID": {"log-test-1"}}
	e.Do(t, request{Method: http.MethodGet, Path: "/graphql?query=%7B+viewer+%7B+id+%7D+%7D&secret=s3cr3t", Header: h})
	var line map[string]any
	for _, l := range strings.Split(e.Logs.String(), "\n") {
		if strings.Contains(l, `"msg":"http request"`) && strings.Contains(l, "log-test-1") {
			if err := json.Unmarshal([]byte(l), &line); err != nil {
				t.Fatal(err)
			}
		}
	}
	if line == nil {
		t.Fatalf("no access log line:\n%s", e.Logs.String())
	}
	if line["method"] != "GET" || line["path"] != "/graphql" || line["status"] != float64(200) || line["bytes"].(float64) <= 0 || line["duration"] == nil {
		t.Errorf("access log = %v", line)
	}
	if logs := e.Logs.String(); strings.Contains(logs, token) || strings.Contains(logs, "s3cr3t") {
		t.Errorf("the log holds the token or the query string:\n%s", logs)
	}
}

func TestPanicRecovery(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *server.Config) {
		c.GraphQL = http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("kaboom") })
	})
	a := e.Query(t, `{ viewer { id } }`)
	if a.Status != http.StatusInternalServerError || a.Code() != "INTERNAL" || a.Errors[0].Message != "Internal error." ||
		a.Errors[0].Extensions["requestID"] != a.Header.Get("X-Request-ID") {
		t.Errorf("status %d: %s", a.Status, a.Body)
	}
	if logs := e.Logs.String(); !strings.Contains(logs, "kaboom") || !strings.Contains(logs, "goroutine") {
		t.Errorf("the panic is not logged with its stack:\n%s", logs)
	}
	if e.Do(t, request{Method: http.MethodGet, Path: "/healthz"}).Status != http.StatusOK {
		t.Error("the server does not serve after a panic")
	}
}

// contextEcho answers with what the middleware put in the request's context.
func contextEcho(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"client": parley.ClientFromContext(ctx), "requestID": parley.RequestIDFromContext(ctx), "userID": parley.UserIDFromContext(ctx),
	})
}

func TestClientInfo(t *testing.T) {
	t.Parallel()
	client := func(t *testing.T, trust bool, header http.Header) parley.Client {
		e := newEnv(t, func(c *server.Config) { c.TrustProxy = trust; c.GraphQL = http.HandlerFunc(contextEcho) })
		a := e.Do(t, request{Method: http.MethodGet, Header: header})
		var out struct{ Client parley.Client }
		if err := json.Unmarshal([]byte(a.Body), &out); err != nil {
			t.Fatal(err)
		}
		return out.Client
	}
	xff := http.Header{"X-Forwarded-For": {"203.0.113.9, 198.51.100.7"}}
	t.Run("the peer address without a trusted proxy", func(t *testing.T) {
		if c := client(t, false, xff); c.IP != "127.0.0.1" {
			t.Errorf("IP = %q, want the peer", c.IP)
		}
	})
	t.Run("the proxy's last entry with a trusted proxy", func(t *testing.T) {
		if c := client(t, true, xff); c.IP != "198.51.100.7" {
			t.Errorf("IP = %q, want the entry the proxy added", c.IP)
		}
	})
	t.Run("the peer when the proxy's entry is garbage", func(t *testing.T) {
		if c := client(t, true, http.Header{"X-Forwarded-For": {"not an ip"}}); c.IP != "127.0.0.1" {
			t.Errorf("IP = %q", c.IP)
		}
	})
	t.Run("same-origin requests carry their origin", func(t *testing.T) {
		e := newEnv(t, func(c *server.Config) { c.GraphQL = http.HandlerFunc(contextEcho) })
		a := e.Do(t, request{Method: http.MethodGet, Header: http.Header{"Origin": {e.Server.URL}}})
		var out struct{ Client parley.Client }
		_ = json.Unmarshal([]byte(a.Body), &out)
		if out.Client.Origin != e.Server.URL {
			t.Errorf("origin = %q, want %q", out.Client.Origin, e.Server.URL)
		}
	})
}

func TestBenchStatic(t *testing.T) {
	t.Parallel()
	t.Run("off by default", func(t *testing.T) {
		e := newEnv(t, nil)
		if a := e.Do(t, request{Method: http.MethodGet, Path: "/_bench/static?bytes=100"}); a.Status != http.StatusNotFound {
			t.Fatalf("status %d, want 404", a.Status)
		}
	})
	t.Run("answers the asked size when on", func(t *testing.T) {
		e := newEnv(t, func(c *server.Config) { c.BenchStatic = true })
		a := e.Do(t, request{Method: http.MethodGet, Path: "/_bench/static?bytes=1000"})
		if a.Status != http.StatusOK || len(a.Body) != 1000 || !json.Valid([]byte(a.Body)) {
			t.Fatalf("status %d, %d bytes", a.Status, len(a.Body))
		}
		if a := e.Do(t, request{Method: http.MethodGet, Path: "/_bench/static?bytes=999999999"}); a.Status != http.StatusBadRequest {
			t.Fatalf("oversized: status %d", a.Status)
		}
	})
}
