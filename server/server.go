// Package server is Parley's http.Handler: routes, and the middleware every request passes
// through (request IDs, access log, panic recovery, security headers, client description,
// identity, allowed origins, body limits) in front of the GraphQL endpoint and the health
// checks.
package server

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/parleyhq/parley"
)

// Config is what the server needs. Only GraphQL, Auth and Sites are required.
type Config struct {
	// Logger receives the access log and errors; nil discards them.
	Logger *slog.Logger
	// Auth resolves bearer tokens to users.
	Auth parley.AuthService
	// Sites answers which origins may call the API from a browser.
	Sites parley.SiteService
	// GraphQL serves /graphql (graph.NewHandler).
	GraphQL http.Handler
	// Ready reports whether the server can do useful work (the database answers); nil means
	// always ready.
	Ready func(ctx context.Context) error
	// Checks are reported by /readyz without deciding readiness, such as the event bus:
	// requests work while NATS is down (events wait in the outbox), so taking the replica out
	// of the load balancer would only stop writes. Each returns "" when healthy.
	Checks map[string]func() string
	// Draining, when it reports true, makes /readyz answer 503 "draining" whatever Ready
	// says: the replica is shutting down and a balancer should send it nothing new, while
	// what it already serves finishes.
	Draining func() bool
	// ReadyTimeout bounds Ready; default 2 s.
	ReadyTimeout time.Duration
	// MaxBodyBytes bounds a /graphql request body; default DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// Version is reported by /readyz, so an operator can see what is deployed.
	Version string
	// TrustProxy takes the client's IP from the last X-Forwarded-For entry, the one the
	// reverse proxy in front of Parley added. Leave it off when clients connect directly, or
	// anyone can pick the IP that rate limits and lockouts key on.
	TrustProxy bool
	// ExtraOrigins may call the API from a browser besides the sites' allowed origins: the
	// dashboard's own origin (the public URL).
	ExtraOrigins []string
	// BenchStatic serves GET /_bench/static?bytes=N, a fixed answer of N bytes through the
	// same middleware as the API: the ceiling that `make bench` measures pages against. Off
	// in normal use.
	BenchStatic bool
	// ReadCache, when set, wraps the GraphQL handler after identity is known, to answer
	// anonymous reads from a cache (pagecache.Cache.Middleware).
	ReadCache func(http.Handler) http.Handler
	// Frontend holds the built widget and dashboard (frontend.Files): embed.js, count.js
	// and admin/. Nil or empty, those paths answer 503 and say the frontend is not built.
	Frontend fs.FS
	// DemoPage, when set, is served at /demo: an article page that embeds the widget.
	DemoPage []byte
	// Metrics, when set, receives the HTTP metrics and is served at /metrics with whatever
	// else the process registered on it.
	Metrics *prometheus.Registry
	// Log, when set, serves the public moderation log as a page at /log/{siteID}.
	Log parley.ModerationLogService
	// WellKnown, when set, serves GET /.well-known/parley: the instance's federation
	// identity (name, public keys with their validity, federation address, version).
	WellKnown http.Handler
	// FederationLink, when set, takes POST /.well-known/parley/link: a peer's signed
	// message that its admins added this instance, which makes a pending link active.
	FederationLink http.Handler
	// FederationKeys, when set, takes POST /.well-known/parley/keys: a peer's signed notice
	// that its keys changed, which makes this instance read its document again at once.
	FederationKeys http.Handler
	// OIDC, when set, serves the OpenID Connect sign-in popup under /oidc/.
	OIDC parley.OIDCService
	// Recovery, when set, serves the pages that mailed links open, under /account/.
	Recovery parley.RecoveryService
	// Notifications, when set, serves the one-click unsubscribe links of notification mail
	// at /unsubscribe (RFC 8058).
	Notifications parley.NotificationService
	// Import, when set, takes exports uploaded by site admins at POST /api/import
	// (importer.Handler), with the caller identified as on /graphql.
	Import http.Handler
	// SiteExport, when set, serves GET /admin/export/{siteID}: the whole site's file for an
	// instance admin's token (the same file as `parley site export`).
	SiteExport parley.SiteExportService
	// PublicReadMaxAge, when positive, lets HTTP caches keep anonymous persisted-query reads
	// sent with GET for that long ("Cache-Control: public", with an ETag answered by 304), and
	// serve them PublicReadStale longer while they revalidate; every other answer of /graphql
	// is "private, no-store".
	PublicReadMaxAge time.Duration
	PublicReadStale  time.Duration
	// OriginCacheTTL is how long an answer of Sites.IsAllowedOrigin is reused; default 30 s.
	// A change to a site's origins takes effect within it.
	OriginCacheTTL time.Duration
}

// Defaults for Config's zero fields.
const (
	DefaultMaxBodyBytes   = 1 << 20
	DefaultReadyTimeout   = 2 * time.Second
	DefaultOriginCacheTTL = 30 * time.Second
)

// New returns the server's handler.
func New(cfg Config) http.Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.ReadyTimeout <= 0 {
		cfg.ReadyTimeout = DefaultReadyTimeout
	}
	if cfg.OriginCacheTTL <= 0 {
		cfg.OriginCacheTTL = DefaultOriginCacheTTL
	}
	origins := newOriginPolicy(cfg.Sites, cfg.ExtraOrigins, cfg.OriginCacheTTL, cfg.Logger)

	// /graphql: origin check first (a refused answer must still be readable by an allowed
	// page), then the cheap body checks, then identity, which may cost a query.
	api := cfg.GraphQL
	if cfg.ReadCache != nil {
		api = cfg.ReadCache(api)
	}
	graphql := origins.middleware(limitBody(cfg.MaxBodyBytes, identify(cfg.Auth, cfg.Logger, api)))
	if cfg.PublicReadMaxAge > 0 {
		graphql = publicReads(cfg.PublicReadMaxAge, cfg.PublicReadStale, graphql)
	}
	graphql = noStore(graphql)

	mux := http.NewServeMux()
	mux.Handle("POST /graphql", graphql)
	mux.Handle("GET /graphql", graphql)
	mux.Handle("OPTIONS /graphql", graphql)
	mux.HandleFunc("/graphql", methodNotAllowed("GET, POST, OPTIONS"))
	mux.HandleFunc("GET /healthz", healthz)
	mux.HandleFunc("/healthz", methodNotAllowed("GET, HEAD"))
	mux.Handle("GET /readyz", readyz(cfg))
	mux.HandleFunc("/readyz", methodNotAllowed("GET, HEAD"))
	files, err := newFrontendFiles(cfg.Frontend, cfg.DemoPage, origins)
	if err != nil {
		// Frontend is an embedded or in-memory file system: it cannot fail to read.
		panic(fmt.Sprintf("server: reading the frontend: %v", err))
	}
	files.routes(mux)
	mux.HandleFunc("GET /favicon.ico", favicon)
	mux.HandleFunc("GET /favicon.svg", favicon)
	if cfg.Metrics != nil {
		mux.Handle("GET /metrics", metricsHandler(cfg.Metrics))
	}
	if cfg.WellKnown != nil {
		mux.Handle("GET /.well-known/parley", cfg.WellKnown)
		mux.HandleFunc("/.well-known/parley", methodNotAllowed("GET, HEAD"))
	}
	if cfg.FederationLink != nil {
		mux.Handle("POST /.well-known/parley/link", http.MaxBytesHandler(cfg.FederationLink, 64<<10))
	}
	if cfg.FederationKeys != nil {
		mux.Handle("POST /.well-known/parley/keys", http.MaxBytesHandler(cfg.FederationKeys, 64<<10))
	}
	if cfg.BenchStatic {
		mux.HandleFunc("GET /_bench/static", benchStatic(&sync.Map{}))
	}
	if cfg.Log != nil {
		mux.Handle("GET /log/{siteID}", logPage{log: cfg.Log, sites: cfg.Sites, logger: cfg.Logger})
	}
	if cfg.OIDC != nil {
		o := oidcPages{oidc: cfg.OIDC, logger: cfg.Logger}
		mux.HandleFunc("GET /oidc/start", o.start)
		mux.HandleFunc("GET /oidc/callback", o.callback)
		mux.HandleFunc("POST /oidc/link", o.link)
	}
	if cfg.Recovery != nil {
		pages := accountPages{recovery: cfg.Recovery, logger: cfg.Logger}
		mux.Handle("GET /account/{page}", pages)
		mux.Handle("POST /account/{page}", pages)
	}
	if cfg.Notifications != nil {
		u := unsubscribePage{notifications: cfg.Notifications, logger: cfg.Logger}
		mux.Handle("GET /unsubscribe", u)
		mux.Handle("POST /unsubscribe", u)
	}
	if cfg.Import != nil {
		imports := noStore(origins.middleware(identify(cfg.Auth, cfg.Logger, cfg.Import)))
		mux.Handle("POST /api/import", imports)
		mux.Handle("OPTIONS /api/import", imports)
		mux.HandleFunc("/api/import", methodNotAllowed("POST, OPTIONS"))
	}
	if cfg.SiteExport != nil {
		mux.Handle("GET /admin/export/{siteID}", noStore(identify(cfg.Auth, cfg.Logger, siteExport{svc: cfg.SiteExport, logger: cfg.Logger})))
	}
	mux.HandleFunc("/", notFound)

	var h http.Handler = mux
	if cfg.Metrics != nil {
		h = newHTTPMetrics(cfg.Metrics).middleware(h)
	}
	h = describeClient(cfg.TrustProxy, h)
	h = recoverPanics(cfg.Logger, h)
	h = accessLog(cfg.Logger, h)
	h = requestID(h)
	h = securityHeaders(h)
	return h
}

// noStore keeps API answers, which depend on who asks, out of every cache.
func noStore(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

func healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte("ok\n"))
}

func readyz(cfg Config) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if cfg.Draining != nil && cfg.Draining() {
			w.Header().Set("Connection", "close") // a balancer's kept-alive check must reconnect
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "draining", "reason": "This replica is shutting down.", "version": cfg.Version})
			return
		}
		if cfg.Ready != nil {
			ctx, cancel := context.WithTimeout(r.Context(), cfg.ReadyTimeout)
			err := cfg.Ready(ctx)
			timedOut := ctx.Err() == context.DeadlineExceeded
			cancel()
			if err != nil {
				cfg.Logger.ErrorContext(r.Context(), "server: not ready", "error", err, "requestID", parley.RequestIDFromContext(r.Context()))
				reason := "The readiness check failed; see the server log."
				if timedOut {
					reason = "The readiness check did not finish within " + cfg.ReadyTimeout.String() + "."
				}
				writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": reason, "version": cfg.Version})
				return
			}
		}
		answer := map[string]string{"status": "ready", "version": cfg.Version}
		for name, check := range cfg.Checks {
			answer[name] = "ok"
			if problem := check(); problem != "" {
				answer[name] = problem
			}
		}
		writeJSON(w, http.StatusOK, answer)
	})
}

// maxBenchStatic bounds the benchmark answer.
const maxBenchStatic = 4 << 20

// benchStatic answers a JSON document of the requested size. bodies keeps each size's body,
// so the answer costs what serving an embedded file does.
func benchStatic(bodies *sync.Map) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(r.URL.Query().Get("bytes"))
		if err != nil || n < 16 || n > maxBenchStatic {
			writeError(w, r, http.StatusBadRequest, parley.Errorf(parley.EINVALID, "bytes must be between 16 and %d.", maxBenchStatic))
			return
		}
		body, ok := bodies.Load(n)
		if !ok {
			b := make([]byte, n)
			copy(b, `{"data":"`)
			for i := 9; i < n-2; i++ {
				b[i] = 'x'
			}
			copy(b[n-2:], `"}`)
			body, _ = bodies.LoadOrStore(n, b)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(n))
		_, _ = w.Write(body.([]byte))
	}
}

func notFound(w http.ResponseWriter, r *http.Request) {
	writeError(w, r, http.StatusNotFound, parley.Errorf(parley.ENOTFOUND, "There is nothing at %s.", r.URL.Path))
}

func methodNotAllowed(allow string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allow)
		writeError(w, r, http.StatusMethodNotAllowed, parley.Errorf(parley.EINVALID, "Use %s on %s.", allow, r.URL.Path))
	}
}
