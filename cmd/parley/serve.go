package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/frontend"
	"github.com/parleyhq/parley/graph"
	"github.com/parleyhq/parley/importer"
	"github.com/parleyhq/parley/markup"
	"github.com/parleyhq/parley/portable"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/server"
)

// app is what every subcommand opens: the settings, the logger and the migrated database.
// Nothing else starts until a subcommand asks for it, so `parley migrate` and `parley admin
// create` need neither NATS nor Redis.
type app struct {
	cfg    *Config
	logger *slog.Logger
	db     *postgres.DB
}

// openApp reads the settings of a subcommand and connects to the database, migrating it.
// The caller closes a.db.
func openApp(ctx context.Context, name string, args []string, getenv func(string) string, stderr io.Writer) (*app, error) {
	cfg, err := loadConfig(name, args, getenv, stderr)
	if err != nil {
		return nil, err
	}
	logger, err := newLogger(cfg, stderr)
	if err != nil {
		return nil, err
	}
	db, err := postgres.Open(ctx, cfg.DatabaseURL, logger)
	if err != nil {
		return nil, err
	}
	return &app{cfg: cfg, logger: logger, db: db}, nil
}

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	a, err := openApp(ctx, "serve", args, getenv, stderr)
	if err != nil {
		return err
	}
	defer a.db.Close()
	cfg, logger := a.cfg, a.logger
	applyMemoryLimit(cfg.memoryLimit(), getenv, logger)
	a.db.SetGroupCommit(cfg.GroupCommit)
	stopDebug, err := startDebug(cfg.DebugAddr, logger)
	if err != nil {
		return fmt.Errorf("debug listener: %w", err)
	}
	defer stopDebug()
	trimCtx, stopTrim := context.WithCancel(ctx)
	defer stopTrim()
	go trimMemory(trimCtx, 5*time.Second, 30*time.Second, 16<<20)
	hashKey, err := a.db.InstanceKey(ctx, "client-hash")
	if err != nil {
		return err
	}
	lim, err := newLimits(ctx, cfg, hashKey, logger)
	if err != nil {
		return err
	}
	defer lim.close()
	// The bus comes before the services: the live service reads it, and NATS plug-ins of the
	// pipeline send their requests over it.
	events, err := startBus(ctx, cfg, a.db, logger)
	if err != nil {
		return err
	}
	defer events.close()
	// Other replicas' commits wake this replica's relay through LISTEN/NOTIFY, so their
	// events reach this replica's subscribers without waiting for the relay's poll.
	listenCtx, stopListening := context.WithCancel(context.WithoutCancel(ctx))
	listening := make(chan struct{})
	go func() { defer close(listening); a.db.ListenOutbox(listenCtx, events.relay.Wake) }()
	defer func() { stopListening(); <-listening }()
	metrics := newRegistry()
	svc, err := newServices(ctx, cfg, logger, a.db, lim, events, metrics)
	if err != nil {
		return err
	}
	mails, err := newMailer(cfg, logger, a.db)
	if err != nil {
		return err
	}
	mails.wire(cfg, logger, a.db, lim, svc)
	if err := mails.wireNotifications(ctx, cfg, logger, a.db, events, svc); err != nil {
		return err
	}
	mails.run(ctx, cfg.MailWorkers)
	// The trust consumer takes its backlog in runs, one transaction each, so that it keeps
	// up with a burst of writes instead of competing with them for the database.
	events.consumeBatch("trust", trustBatch, svc.trust.HandleBatch)
	if err := watchIdentities(ctx, svc.identities, events, cfg.Instance, metrics); err != nil {
		return err
	}
	// Webhooks take runs too: one query finds the events an endpoint wants.
	events.consumeBatch("webhooks", webhookBatch, svc.webhooks.HandleBatch)
	if err := watchLabelSubscriptions(ctx, svc.feed, svc.labelStage); err != nil {
		return err
	}
	stopWebhooks := runWebhookSender(ctx, svc.webhookSender, logger)
	defer stopWebhooks()
	stopEnactor := runEnactor(ctx, svc.rules, logger)
	defer stopEnactor()
	stopEraser := runEraser(ctx, a.db, logger)
	defer stopEraser()
	if err := svc.fedRuntime.start(ctx, cfg, events, svc, metrics); err != nil {
		return fmt.Errorf("federation transport: %w", err)
	}
	registerBusMetrics(metrics, postgres.NewOutboxStore(a.db), events.relay, svc.feed, svc.live)
	persisted, err := persistedQueries(cfg)
	if err != nil {
		return err
	}
	var readCache func(http.Handler) http.Handler
	var forgetViewer func(context.Context)
	if cfg.PageCacheBytes > 0 {
		cache, err := startPageCache(ctx, cfg, svc.feed, metrics)
		if err != nil {
			return err
		}
		overlay := graph.NewOverlay(postgres.NewViewerStateService(a.db))
		overlay.UsePersistedQueries(persisted)
		readCache = readCacheWithOverlay(cache, overlay)
		forgetViewer = overlay.Forget
	}
	if err := bootstrap(ctx, cfg, svc, stdout); err != nil {
		return err
	}

	// draining turns /readyz unready as soon as shutdown begins, while requests are still
	// served, so a balancer stops sending new ones before the listener closes.
	var draining atomic.Bool
	var demoPage []byte
	if cfg.Demo {
		demoPage = frontend.DemoPage()
	}
	api := graph.NewHandler(svc.graph, graph.Options{Production: cfg.Production(), Logger: logger, Metrics: metrics, Limits: newAccountLimits(lim.mutations, svc.levels),
		AfterMutation: events.relay.Wake, AfterViewerMutation: forgetViewer, PersistedQueries: persisted})
	events.onReconnect(func() {
		logger.Warn("NATS connection is back; live subscribers reconnect to read what they missed")
		api.ResetLive("events may have been missed; reconnect and read again")
	})
	handler := server.New(server.Config{
		Frontend:      frontend.Files(),
		DemoPage:      demoPage,
		Logger:        logger,
		Auth:          svc.graph.Auth,
		Sites:         svc.graph.Sites,
		Log:           svc.graph.ModerationLog,
		Recovery:      svc.graph.Recovery,
		OIDC:          svc.graph.OIDC,
		Notifications: svc.graph.Notifications,
		SiteExport:    portable.NewExporter(postgres.NewSiteMoveStore(a.db)),
		// Anonymous persisted reads by GET may be kept by browsers and CDNs for a few seconds.
		PublicReadMaxAge: cfg.HTTPCacheMaxAge,
		PublicReadStale:  6 * cfg.HTTPCacheMaxAge,
		GraphQL:          api,
		Metrics:          metrics,
		ReadCache:        readCache,
		Ready:            a.db.Ping,
		Draining:         draining.Load,
		Checks: map[string]func() string{"events": func() string {
			if since := events.relay.Stats().OutageSince; !since.IsZero() {
				return "NATS unreachable since " + since.UTC().Format(time.RFC3339) + "; events wait in the outbox"
			}
			return ""
		}, "federation": svc.fedRuntime.check},
		MaxBodyBytes:   cfg.MaxBodyBytes,
		WellKnown:      svc.identity.WellKnownHandler(cfg.PublicURL, version, logger),
		FederationLink: svc.federation.LinkHandler(),
		FederationKeys: svc.federation.KeysHandler(),
		// Site admins upload exports from the dashboard; the CLI's importer, over HTTP.
		Import: importer.NewHandler(postgres.NewImportStore(a.db), markup.NewRenderer(), svc.graph.Users,
			importer.HandlerOptions{TempDir: os.TempDir(), Logger: logger}),
		Version:      version,
		TrustProxy:   cfg.TrustProxy,
		BenchStatic:  cfg.BenchEndpoints,
		ExtraOrigins: publicOrigins(cfg.PublicURL),
	})
	traces, err := startTracing(ctx, getenv, cfg.Instance)
	if err != nil {
		return err
	}
	defer func() {
		flushCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		traces.shutdown(flushCtx)
	}()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           traces.wrap(handler),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	fmt.Fprintf(stdout, "Parley %s listening on http://%s (public URL %s)\n", version, ln.Addr(), cfg.PublicURL)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	return shutdown(cfg, logger, srv, api, &draining, errc)
}

// shutdown stops a server in the order a balancer needs: /readyz answers 503 at once and
// kept-alive connections close after their next answer, while requests are still served
// for the drain delay (the balancer's checks notice and send new requests elsewhere);
// then WebSockets close with 1012 so their clients reconnect to a replica that stays,
// and the listener stops while requests in flight finish within the shutdown timeout.
func shutdown(cfg *Config, logger *slog.Logger, srv *http.Server, api *graph.Handler, draining *atomic.Bool, errc <-chan error) error {
	draining.Store(true)
	srv.SetKeepAlivesEnabled(false)
	logger.Info("shutting down", "drain", cfg.DrainDelay, "timeout", cfg.ShutdownTimeout)
	if cfg.DrainDelay > 0 {
		select {
		case err := <-errc:
			return err
		case <-time.After(cfg.DrainDelay):
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	wsDone := make(chan error, 1)
	go func() { wsDone <- api.Shutdown(ctx) }()
	if err := srv.Shutdown(ctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-wsDone; err != nil {
		logger.Warn("WebSocket clients did not finish their close handshakes in time", "error", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// publicOrigins is the origin of the public URL, which the dashboard is served from.
func publicOrigins(publicURL string) []string {
	o, err := parley.OriginOfURL(publicURL)
	if err != nil || !(strings.HasPrefix(o, "http://") || strings.HasPrefix(o, "https://")) {
		return nil
	}
	return []string{o}
}

// bootstrap creates the first administrator and, in demo mode, a demo site, so a fresh
// instance can be used at once.
func bootstrap(ctx context.Context, cfg *Config, svc *services, stdout io.Writer) error {
	email, password := cfg.AdminEmail, cfg.AdminPassword
	generated := false
	if cfg.Demo && email == "" {
		email = "admin@parley.localhost"
		var err error
		if password, generated, err = demoPassword(cfg.DataDir); err != nil {
			return err
		}
	}
	if email != "" {
		if password == "" {
			return errors.New("PARLEY_ADMIN_EMAIL is set without PARLEY_ADMIN_PASSWORD (or PARLEY_ADMIN_PASSWORD_FILE)")
		}
		_, err := svc.auth.CreateAdmin(ctx, parley.SignUpInput{Email: email, Username: cfg.AdminUsername, Password: password})
		if err != nil && parley.ErrorCode(err) != parley.ECONFLICT {
			return fmt.Errorf("create administrator: %s", parley.ErrorMessage(err))
		}
	}
	if !cfg.Demo {
		return nil
	}
	origin := publicOrigins(cfg.PublicURL)
	if err := ensureDemoSite(ctx, svc.graph.Sites, origin); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Demo site for %s. Administrator: %s", strings.Join(origin, ", "), email)
	if generated || cfg.AdminEmail == "" {
		fmt.Fprintf(stdout, " with password %s (kept in %s)", password, filepath.Join(cfg.DataDir, "admin-password"))
	}
	fmt.Fprintln(stdout)
	return nil
}

// ensureDemoSite creates a site allowing origin unless one already does.
func ensureDemoSite(ctx context.Context, sites parley.SiteService, origins []string) error {
	if len(origins) == 0 {
		return errors.New("PARLEY_PUBLIC_URL is not an http(s) URL")
	}
	ok, err := sites.IsAllowedOrigin(ctx, origins[0])
	if err != nil || ok {
		return err
	}
	system := parley.NewContextWithUser(ctx, &parley.User{Username: "system", Admin: true})
	_, err = sites.CreateSite(system, parley.CreateSiteInput{Name: "Parley demo", AllowedOrigins: origins})
	return err
}

// demoPassword reads the demo administrator's password from the data directory, making one
// on first start.
func demoPassword(dataDir string) (password string, generated bool, err error) {
	path := filepath.Join(dataDir, "admin-password")
	if b, err := os.ReadFile(path); err == nil {
		return strings.TrimSpace(string(b)), false, nil
	}
	var buf [12]byte
	if _, err := rand.Read(buf[:]); err != nil {
		return "", false, err
	}
	password = base64.RawURLEncoding.EncodeToString(buf[:])
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return "", false, err
	}
	return password, true, os.WriteFile(path, []byte(password+"\n"), 0o600)
}
