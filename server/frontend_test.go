package server_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/parleyhq/parley/server"
)

// builtFrontend stands in for frontend/dist: the server only serves files, so any bytes do.
func builtFrontend() fstest.MapFS {
	return fstest.MapFS{
		"embed.js":                      {Data: []byte(strings.Repeat("/* the widget */\n", 200))},
		"count.js":                      {Data: []byte("/* counts */")},
		"i18n/de.json":                  {Data: []byte(`{"signIn":"Anmelden"}`)},
		"admin/index.html":              {Data: []byte("<!doctype html><title>Parley moderation</title>")},
		"admin/assets/index-abc123.js":  {Data: []byte(strings.Repeat("/* the dashboard */\n", 100))},
		"admin/assets/index-abc123.css": {Data: []byte("body{margin:0}")},
	}
}

func TestFrontendFiles(t *testing.T) {
	e := newEnv(t, func(c *server.Config) {
		c.Frontend = builtFrontend()
		c.DemoPage = []byte("<!doctype html><title>demo</title>")
	})
	_, origin := e.MustSite(t)

	t.Run("embed.js loads cross-origin and is revalidated within minutes", func(t *testing.T) {
		a := e.Do(t, request{Method: http.MethodGet, Path: "/embed.js"})
		if a.Status != http.StatusOK || a.Body != strings.Repeat("/* the widget */\n", 200) {
			t.Fatalf("status %d, body %.40q", a.Status, a.Body)
		}
		for header, want := range map[string]string{
			"Content-Type":                 "text/javascript; charset=utf-8",
			"Cache-Control":                "public, max-age=300, stale-while-revalidate=86400",
			"Cross-Origin-Resource-Policy": "cross-origin",
		} {
			if got := a.Header.Get(header); got != want {
				t.Errorf("%s = %q, want %q", header, got, want)
			}
		}
		again := e.Do(t, request{Method: http.MethodGet, Path: "/embed.js", Header: http.Header{"If-None-Match": {a.Header.Get("ETag")}}})
		if again.Status != http.StatusNotModified || again.Body != "" {
			t.Errorf("conditional request: status %d, %d bytes", again.Status, len(again.Body))
		}
	})

	t.Run("a widget catalog loads cross-origin as JSON", func(t *testing.T) {
		a := e.Do(t, request{Method: http.MethodGet, Path: "/i18n/de.json"})
		if a.Status != http.StatusOK || a.Body != `{"signIn":"Anmelden"}` || a.Header.Get("Content-Type") != "application/json" ||
			a.Header.Get("Access-Control-Allow-Origin") != "*" || a.Header.Get("Cache-Control") != "public, max-age=300, stale-while-revalidate=86400" {
			t.Errorf("status %d, headers %v, body %q", a.Status, a.Header, a.Body)
		}
		if missing := e.Do(t, request{Method: http.MethodGet, Path: "/i18n/xx.json"}); missing.Status != http.StatusNotFound {
			t.Errorf("unknown catalog: status %d", missing.Status)
		}
	})

	t.Run("gzip is sent to clients that accept it", func(t *testing.T) {
		a := e.Do(t, request{Method: http.MethodGet, Path: "/embed.js", Header: http.Header{"Accept-Encoding": {"br;q=1, gzip;q=0.5"}}})
		if a.Header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("Content-Encoding = %q", a.Header.Get("Content-Encoding"))
		}
		zr, err := gzip.NewReader(strings.NewReader(a.Body))
		if err != nil {
			t.Fatal(err)
		}
		plain, _ := io.ReadAll(zr)
		if !bytes.Equal(plain, []byte(strings.Repeat("/* the widget */\n", 200))) {
			t.Error("gzip body does not inflate to the file")
		}
		refused := e.Do(t, request{Method: http.MethodGet, Path: "/embed.js", Header: http.Header{"Accept-Encoding": {"gzip;q=0"}}})
		if refused.Header.Get("Content-Encoding") != "" {
			t.Error("gzip sent to a client that refused it")
		}
	})

	t.Run("hashed dashboard assets are immutable", func(t *testing.T) {
		a := e.Do(t, request{Method: http.MethodGet, Path: "/admin/assets/index-abc123.css"})
		if a.Status != http.StatusOK || a.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" || a.Header.Get("Content-Type") != "text/css; charset=utf-8" {
			t.Errorf("status %d, Cache-Control %q, Content-Type %q", a.Status, a.Header.Get("Cache-Control"), a.Header.Get("Content-Type"))
		}
		if missing := e.Do(t, request{Method: http.MethodGet, Path: "/admin/assets/gone.js"}); missing.Status != http.StatusNotFound {
			t.Errorf("missing asset: status %d", missing.Status)
		}
	})

	t.Run("every dashboard path is the app, never framed", func(t *testing.T) {
		for _, path := range []string{"/admin/", "/admin/queue/pending", "/admin/settings"} {
			a := e.Do(t, request{Method: http.MethodGet, Path: path})
			if a.Status != http.StatusOK || !strings.Contains(a.Body, "Parley moderation") {
				t.Fatalf("%s: status %d", path, a.Status)
			}
			csp := a.Header.Get("Content-Security-Policy")
			if !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "script-src 'self'") || a.Header.Get("X-Frame-Options") != "DENY" {
				t.Errorf("%s: CSP %q, X-Frame-Options %q", path, csp, a.Header.Get("X-Frame-Options"))
			}
		}
		// The client follows the redirect from /admin to /admin/.
		if a := e.Do(t, request{Method: http.MethodGet, Path: "/admin"}); a.Status != http.StatusOK || !strings.Contains(a.Body, "Parley moderation") {
			t.Errorf("/admin: status %d", a.Status)
		}
	})

	t.Run("the frame page may be framed only by an allowed origin", func(t *testing.T) {
		allowed := e.Do(t, request{Method: http.MethodGet, Path: "/embed?storyURL=" + url.QueryEscape(origin+"/news/1")})
		if csp := allowed.Header.Get("Content-Security-Policy"); !strings.HasSuffix(csp, "frame-ancestors "+origin) {
			t.Errorf("allowed origin: CSP %q", csp)
		}
		if !strings.Contains(allowed.Body, `data-story-url="`+origin+`/news/1"`) {
			t.Errorf("frame page does not carry the story URL: %s", allowed.Body)
		}
		other := e.Do(t, request{Method: http.MethodGet, Path: "/embed?storyURL=" + url.QueryEscape("https://elsewhere.example.net/a")})
		if csp := other.Header.Get("Content-Security-Policy"); !strings.HasSuffix(csp, "frame-ancestors 'none'") {
			t.Errorf("unknown origin: CSP %q", csp)
		}
		hostile := e.Do(t, request{Method: http.MethodGet, Path: "/embed?storyURL=" + url.QueryEscape(`"><script>alert(1)</script>`) + "&lang=" + url.QueryEscape(`en"><script>`)})
		if strings.Contains(hostile.Body, "<script>alert") || strings.Contains(hostile.Body, `lang="en"><script>`) {
			t.Errorf("query text reached the page unescaped: %s", hostile.Body)
		}
	})

	t.Run("the demo page is served when configured", func(t *testing.T) {
		if a := e.Do(t, request{Method: http.MethodGet, Path: "/demo"}); a.Status != http.StatusOK || !strings.Contains(a.Body, "demo") {
			t.Errorf("status %d", a.Status)
		}
	})
}

func TestFrontendNotBuilt(t *testing.T) {
	e := newEnv(t, nil)
	for _, path := range []string{"/embed.js", "/count.js", "/admin/", "/embed"} {
		a := e.Do(t, request{Method: http.MethodGet, Path: path})
		if a.Status != http.StatusServiceUnavailable || !strings.Contains(a.Body, "make build") {
			t.Errorf("%s: status %d, body %q", path, a.Status, a.Body)
		}
	}
	if a := e.Do(t, request{Method: http.MethodGet, Path: "/demo"}); a.Status != http.StatusNotFound {
		t.Errorf("/demo without a demo page: status %d", a.Status)
	}
}
