package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/parleyhq/parley"
)

// CORS answers for allowed origins. Credentials are bearer headers, never cookies, so the
// API never sends Access-Control-Allow-Credentials.
const (
	corsAllowMethods  = "GET, POST, OPTIONS"
	corsAllowHeaders  = "Authorization, Content-Type, X-Request-ID"
	corsExposeHeaders = "X-Request-ID"
	corsMaxAge        = "600"
	// maxCachedOrigins bounds the origin cache; hostile clients can send any Origin.
	maxCachedOrigins = 4096
	// maxOriginLength bounds what is looked up at all.
	maxOriginLength = 512
)

// originPolicy decides which browser origins may call /graphql: those a site allows, plus
// the extra origins of the instance itself. Every cross-origin request asks, so answers
// (both ways) are cached for a short while.
type originPolicy struct {
	sites  parley.SiteService
	extra  map[string]bool
	ttl    time.Duration
	logger *slog.Logger

	mu    sync.Mutex
	cache map[string]originAnswer
}

type originAnswer struct {
	allowed bool
	expires time.Time
}

func newOriginPolicy(sites parley.SiteService, extra []string, ttl time.Duration, logger *slog.Logger) *originPolicy {
	p := &originPolicy{sites: sites, extra: map[string]bool{}, ttl: ttl, logger: logger, cache: map[string]originAnswer{}}
	for _, o := range extra {
		if n, err := parley.NormalizeOrigin(o); err == nil {
			p.extra[n] = true
		}
	}
	return p
}

// middleware applies the policy. Requests without an Origin (servers, curl) and same-origin
// requests pass untouched. A disallowed origin gets no CORS headers: 403 to a preflight, and
// a FORBIDDEN error to anything else.
func (p *originPolicy) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Add("Vary", "Origin")
		origin := r.Header.Get("Origin")
		if origin == "" || sameOrigin(origin, r.Host) {
			next.ServeHTTP(w, r)
			return
		}
		preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
		if !p.allowed(r.Context(), origin) {
			if preflight {
				w.WriteHeader(http.StatusForbidden)
				return
			}
			writeError(w, r, http.StatusForbidden, parley.Errorf(parley.EFORBIDDEN, "Pages at %s may not call this API: add the origin to a site's allowed origins.", truncate(origin, 100)))
			return
		}
		h.Set("Access-Control-Allow-Origin", origin)
		if preflight {
			h.Set("Access-Control-Allow-Methods", corsAllowMethods)
			h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
			h.Set("Access-Control-Max-Age", corsMaxAge)
			w.WriteHeader(http.StatusNoContent)
			return
		}
		h.Set("Access-Control-Expose-Headers", corsExposeHeaders)
		next.ServeHTTP(w, r)
	})
}

// allowed answers from the cache, or asks the sites and caches the answer. A failed lookup
// refuses the origin and is not cached, so the next request asks again.
func (p *originPolicy) allowed(ctx context.Context, origin string) bool {
	if len(origin) > maxOriginLength {
		return false
	}
	n, err := parley.NormalizeOrigin(origin)
	if err != nil || n != origin {
		// Browsers send origins in normal form; anything else is not a browser's.
		return false
	}
	if p.extra[n] {
		return true
	}
	now := time.Now()
	p.mu.Lock()
	a, ok := p.cache[n]
	p.mu.Unlock()
	if ok && now.Before(a.expires) {
		return a.allowed
	}
	allowed, err := p.sites.IsAllowedOrigin(ctx, n)
	if err != nil {
		level := slog.LevelError
		if errors.Is(ctx.Err(), context.Canceled) {
			level = slog.LevelDebug // the client hung up; nothing is wrong here
		}
		p.logger.Log(ctx, level, "server: allowed origin lookup", "error", err, "requestID", parley.RequestIDFromContext(ctx))
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.cache) >= maxCachedOrigins {
		for k, v := range p.cache {
			if now.After(v.expires) {
				delete(p.cache, k)
			}
		}
		if len(p.cache) >= maxCachedOrigins {
			clear(p.cache)
		}
	}
	p.cache[n] = originAnswer{allowed: allowed, expires: now.Add(p.ttl)}
	return allowed
}

// sameOrigin reports whether origin names the host the request was sent to, as a browser
// does for the dashboard served by Parley itself.
func sameOrigin(origin, host string) bool {
	u, err := url.Parse(origin)
	return err == nil && u.Host != "" && u.Host == host
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
