package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	natsgo "github.com/nats-io/nats.go"
	"github.com/prometheus/client_golang/prometheus"
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
	"github.com/parleyhq/parley/auth"
	"github.com/parleyhq/parley/frontend"
	"github.com/parleyhq/parley/graph"
	"github.com/parleyhq/parley/live"
	"github.com/parleyhq/parley/markup"
	"github.com/parleyhq/parley/moderation"
	"github.com/parleyhq/parley/moderation/spam"
	"github.com/parleyhq/parley/nats"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/server"
)

// app is every service, built once from the config: the only place concrete types meet.
type app struct {
	limits *limits
	// natsConn is the event bus connection, once serve has started it; NATS plug-ins use it.
	natsConn *atomic.Pointer[natsgo.Conn]
	cfg      *Config
	metrics  *prometheus.Registry
	logger   *slog.Logger
	db       *postgres.DB
	auth     *auth.Service
	services graph.Services
}

// openApp reads the settings of a subcommand, connects to the database (migrating it) and
// builds the services. The caller closes a.db.
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
	hashKey, err := db.InstanceKey(ctx, "client-hash")
	if err != nil {
		db.Close()
		return nil, err
	}
	lim, err := newLimits(ctx, cfg, hashKey)
	if err != nil {
		db.Close()
		return nil, err
	}
	authService := auth.NewService(postgres.NewAccountStore(db), auth.Options{
		Logger:        logger,
		SessionTTL:    cfg.SessionTTL,
		SignUpLimiter: lim.signUp,
		SignInLimiter: lim.signIn,
	})
	// The spam classifier starts in shadow mode: it records what it would do until a site's
	// moderators have seen it earn their trust and turn it on.
	classifier := spam.New(postgres.NewSpamStore(db))
	natsConn := &atomic.Pointer[natsgo.Conn]{}
	plugins, err := loadPlugins(cfg.PluginsFile, natsConn.Load)
	if err != nil {
		db.Close()
		return nil, err
	}
	wordLists := moderation.NewWordLists(postgres.NewWordListStore(db))
	metrics := newRegistry()
	renderer := markup.NewRenderer()
	pipeline := moderation.Default(moderation.Step{Stage: wordLists.Stage()}).
		Then(moderation.Step{Stage: classifier.Stage(), Shadow: true, Budget: 500 * time.Millisecond}).
		With(plugins...).
		Observe(stageObserver(metrics))
	return &app{limits: lim, natsConn: natsConn, cfg: cfg, metrics: metrics, logger: logger, db: db, auth: authService, services: graph.Services{
		Auth:      authService,
		Users:     postgres.NewUserService(db),
		Sites:     postgres.NewSiteService(db),
		Stories:   postgres.NewStoryService(db),
		Comments:  postgres.NewCommentService(db, renderer).WithModerator(pipeline),
		Reactions: postgres.NewReactionService(db),
		Reports:   postgres.NewReportService(db),
		Queues:    moderation.NewLearningQueue(postgres.NewQueueService(db), classifier, logger),
		Sanctions: postgres.NewSanctionService(db),
		Moderator: pipeline,
		WordLists: wordLists,
		Markup:    renderer,
	}}, nil
}

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	a, err := openApp(ctx, "serve", args, getenv, stderr)
	if err != nil {
		return err
	}
	defer a.db.Close()
	defer a.limits.close()
	cfg, logger := a.cfg, a.logger
	events, err := startBus(ctx, cfg, a.db, logger)
	if err != nil {
		return err
	}
	defer events.close()
	a.natsConn.Store(events.conn)
	feed := nats.NewFeed(func() *natsgo.Conn { return events.conn }, cfg.Instance, logger)
	liveService := live.New(feed,
		a.services.Comments, a.services.Stories, a.services.Users, logger)
	a.services.Live = liveService
	registerBusMetrics(a.metrics, postgres.NewOutboxStore(a.db), events.relay, liveService)
	var readCache func(http.Handler) http.Handler
	if cfg.PageCacheBytes > 0 {
		cache, err := startPageCache(ctx, cfg, feed, a.metrics)
		if err != nil {
			return err
		}
		readCache = cache.Middleware
	}
	if err := a.bootstrap(ctx, cfg, stdout); err != nil {
		return err
	}

	var demoPage []byte
	if cfg.Demo {
		demoPage = frontend.DemoPage()
	}
	handler := server.New(server.Config{
		Frontend: frontend.Files(),
		DemoPage: demoPage,
		Logger:   logger,
		Auth:     a.services.Auth,
		Sites:    a.services.Sites,
		GraphQL: graph.NewHandler(a.services, graph.Options{Production: cfg.Production(), Logger: logger, Metrics: a.metrics, Limits: a.limits.mutations,
			AfterMutation: events.relay.Wake}),
		Metrics:   a.metrics,
		ReadCache: readCache,
		Ready:     a.db.Ping,
		Checks: map[string]func() string{"events": func() string {
			if since := events.relay.Stats().OutageSince; !since.IsZero() {
				return "NATS unreachable since " + since.UTC().Format(time.RFC3339) + "; events wait in the outbox"
			}
			return ""
		}},
		MaxBodyBytes: cfg.MaxBodyBytes,
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
	logger.Info("shutting down", "timeout", cfg.ShutdownTimeout)
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
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
func (a *app) bootstrap(ctx context.Context, cfg *Config, stdout io.Writer) error {
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
		_, err := a.auth.CreateAdmin(ctx, parley.SignUpInput{Email: email, Username: cfg.AdminUsername, Password: password})
		if err != nil && parley.ErrorCode(err) != parley.ECONFLICT {
			return fmt.Errorf("create administrator: %s", parley.ErrorMessage(err))
		}
	}
	if !cfg.Demo {
		return nil
	}
	origin := publicOrigins(cfg.PublicURL)
	if err := a.ensureDemoSite(ctx, origin); err != nil {
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
func (a *app) ensureDemoSite(ctx context.Context, origins []string) error {
	if len(origins) == 0 {
		return errors.New("PARLEY_PUBLIC_URL is not an http(s) URL")
	}
	ok, err := a.services.Sites.IsAllowedOrigin(ctx, origins[0])
	if err != nil || ok {
		return err
	}
	system := parley.NewContextWithUser(ctx, &parley.User{Username: "system", Admin: true})
	_, err = a.services.Sites.CreateSite(system, parley.CreateSiteInput{Name: "Parley demo", AllowedOrigins: origins})
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
