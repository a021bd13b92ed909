package server_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/server"
)

func preflight(origin string) request {
	return request{Method: http.MethodOptions, Header: http.Header{
		"Origin": {origin}, "Access-Control-Request-Method": {"POST"}, "Access-Control-Request-Headers": {"authorization, content-type"}}}
}

func post(origin string, header ...string) request {
	h := http.Header{"Origin": {origin}}
	for i := 0; i+1 < len(header); i += 2 {
		h.Set(header[i], header[i+1])
	}
	return request{ContentType: "application/json", Body: []byte(`{"query":"{ viewer { id } }"}`), Header: h}
}

func TestCORS(t *testing.T) {
	t.Parallel()
	const dashboard = "https://parley.example.com"
	e := newEnv(t, func(c *server.Config) { c.ExtraOrigins = []string{dashboard + "/"} })
	_, allowed := e.MustSite(t)
	const refused = "https://evil.example.net"

	t.Run("preflight from a site's origin is allowed", func(t *testing.T) {
		a := e.Do(t, preflight(allowed))
		h := a.Header
		if a.Status != http.StatusNoContent || h.Get("Access-Control-Allow-Origin") != allowed ||
			h.Get("Access-Control-Allow-Methods") != "GET, POST, OPTIONS" ||
			h.Get("Access-Control-Allow-Headers") != "Authorization, Content-Type, X-Request-ID" ||
			h.Get("Access-Control-Max-Age") != "600" || h.Get("Vary") != "Origin" {
			t.Errorf("status %d, headers %v", a.Status, h)
		}
		if h.Get("Access-Control-Allow-Credentials") != "" {
			t.Error("credentials are allowed; the API uses bearer headers only")
		}
	})
	t.Run("request from a site's origin is answered with its origin", func(t *testing.T) {
		a := e.Do(t, post(allowed))
		if a.Status != http.StatusOK || a.Header.Get("Access-Control-Allow-Origin") != allowed || a.Header.Get("Vary") != "Origin" ||
			a.Header.Get("Access-Control-Expose-Headers") != "X-Request-ID" {
			t.Errorf("status %d, headers %v", a.Status, a.Header)
		}
	})
	t.Run("a refused token still reaches the allowed page", func(t *testing.T) {
		a := e.Do(t, post(allowed, "Authorization", "Bearer nonsense"))
		if a.Status != http.StatusUnauthorized || a.Header.Get("Access-Control-Allow-Origin") != allowed {
			t.Errorf("status %d, headers %v", a.Status, a.Header)
		}
	})
	t.Run("the dashboard's origin is allowed", func(t *testing.T) {
		if a := e.Do(t, preflight(dashboard)); a.Status != http.StatusNoContent || a.Header.Get("Access-Control-Allow-Origin") != dashboard {
			t.Errorf("status %d, headers %v", a.Status, a.Header)
		}
	})
	t.Run("preflight from another origin gets no CORS headers", func(t *testing.T) {
		a := e.Do(t, preflight(refused))
		if a.Status != http.StatusForbidden || a.Header.Get("Access-Control-Allow-Origin") != "" || a.Header.Get("Access-Control-Allow-Methods") != "" {
			t.Errorf("status %d, headers %v", a.Status, a.Header)
		}
	})
	t.Run("request from another origin is forbidden", func(t *testing.T) {
		a := e.Do(t, post(refused))
		if a.Status != http.StatusForbidden || a.Code() != "FORBIDDEN" || a.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("status %d, headers %v: %s", a.Status, a.Header, a.Body)
		}
	})
	t.Run("a look-alike origin is forbidden", func(t *testing.T) {
		for _, o := range []string{allowed + ".evil.example", allowed + ":8443", "http" + allowed[5:], "null", allowed + "/"} {
			if a := e.Do(t, preflight(o)); a.Status != http.StatusForbidden || a.Header.Get("Access-Control-Allow-Origin") != "" {
				t.Errorf("%s: status %d, headers %v", o, a.Status, a.Header)
			}
		}
	})
	t.Run("requests without an origin pass", func(t *testing.T) {
		a := e.Do(t, request{ContentType: "application/json", Body: []byte(`{"query":"{ viewer { id } }"}`)})
		if a.Status != http.StatusOK || a.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("status %d, headers %v", a.Status, a.Header)
		}
	})
	t.Run("same-origin requests pass", func(t *testing.T) {
		a := e.Do(t, post(e.Server.URL))
		if a.Status != http.StatusOK || a.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("status %d, headers %v", a.Status, a.Header)
		}
	})
}

func TestCORSCache(t *testing.T) {
	t.Parallel()
	const ttl = 300 * time.Millisecond
	e := newEnv(t, func(c *server.Config) { c.OriginCacheTTL = ttl })
	site, origin := e.MustSite(t)
	later := "https://" + unique("later") + ".example.org"
	status := func(o string) int { return e.Do(t, preflight(o)).Status }

	if status(origin) != http.StatusNoContent || status(later) != http.StatusForbidden {
		t.Fatal("initial answers are wrong")
	}
	admin := parley.NewContextWithUser(context.Background(), &parley.User{ID: "operator", Admin: true})
	if _, err := e.Sites.UpdateSiteSettings(admin, site.ID, parley.SiteSettingsUpdate{AllowedOrigins: []string{later}}); err != nil {
		t.Fatal(err)
	}
	if status(origin) != http.StatusNoContent || status(later) != http.StatusForbidden {
		t.Error("answers changed before the cache expired: the cache is not used")
	}
	time.Sleep(ttl + 50*time.Millisecond)
	if status(origin) != http.StatusForbidden || status(later) != http.StatusNoContent {
		t.Error("answers did not change after the cache expired")
	}
}
