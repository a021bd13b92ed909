package main

import (
	"log/slog"

	"github.com/parleyhq/parley"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/parleyhq/parley/auth"
	"github.com/parleyhq/parley/graph"
	"github.com/parleyhq/parley/live"
	"github.com/parleyhq/parley/markup"
	"github.com/parleyhq/parley/moderation"
	"github.com/parleyhq/parley/moderation/spam"
	"github.com/parleyhq/parley/nats"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/trust"
)

// services are the services of a running server, each built once, in the order they
// depend on one another: storage, then the rules on top of it, then live delivery.
type services struct {
	auth *auth.Service
	// identities keeps tokens' owners for a few seconds; nil when PARLEY_IDENTITY_CACHE_TTL
	// is 0. It keeps nothing until watchIdentities feeds it the instance's user events.
	identities *auth.IdentityCache
	feed       *nats.Feed
	live       *live.Service
	graph      graph.Services
	// trust keeps trust signals and levels from the event stream.
	trust *trust.Consumer
	// levels reads the stored levels for the effects outside the pipeline (rate limits).
	levels parley.TrustLevels
}

// newServices builds the services on the database and the running event bus.
func newServices(cfg *Config, logger *slog.Logger, db *postgres.DB, lim *limits, events *bus, metrics *prometheus.Registry) (*services, error) {
	var identities *auth.IdentityCache
	if cfg.IdentityCacheTTL > 0 {
		identities = auth.NewIdentityCache(auth.IdentityCacheOptions{TTL: cfg.IdentityCacheTTL})
	}
	authService := auth.NewService(postgres.NewAccountStore(db), auth.Options{
		Identities:    identities,
		Logger:        logger,
		SessionTTL:    cfg.SessionTTL,
		SignUpLimiter: lim.signUp,
		SignInLimiter: lim.signIn,
	})
	plugins, err := loadPlugins(cfg.PluginsFile, events.conn)
	if err != nil {
		return nil, err
	}
	// The spam classifier starts in shadow mode: it records what it would do until a site's
	// moderators have seen it earn their trust and turn it on.
	classifier := spam.New(postgres.NewSpamStore(db))
	wordLists := moderation.NewWordLists(postgres.NewWordListStore(db))
	pipeline := moderation.Default(moderation.Step{Stage: wordLists.Stage()}).
		Then(moderation.Step{Stage: classifier.Stage(), Shadow: true, Budget: 500 * time.Millisecond}).
		With(plugins...).
		Observe(stageObserver(metrics))
	// One renderer for what is stored and what the preview shows, so the preview is the post.
	renderer := markup.NewRenderer()
	comments := moderation.NewCommentService(postgres.NewCommentService(db, renderer), pipeline)
	stories := postgres.NewStoryService(db)
	users := postgres.NewUserService(db)
	feed := nats.NewFeed(events.liveConn, cfg.Instance, logger)
	sites := postgres.NewSiteService(db)
	trustStore := postgres.NewTrustStore(db)
	trustConsumer := trust.NewConsumer(trustStore, sites, trust.Options{Logger: logger})
	liveService := live.New(feed, comments, stories, users, logger)
	return &services{auth: authService, identities: identities, feed: feed, live: liveService, trust: trustConsumer, levels: trustStore, graph: graph.Services{
		Auth:      authService,
		Users:     users,
		Sites:     sites,
		Stories:   stories,
		Comments:  comments,
		Reactions: postgres.NewReactionService(db),
		Reports:   moderation.NewReportService(postgres.NewReportService(db)).WithTrust(trustStore),
		Queues:    moderation.NewLearningQueue(postgres.NewQueueService(db), classifier, logger),
		Sanctions: moderation.NewSanctionService(postgres.NewSanctionService(db)),
		Moderator: pipeline,
		WordLists: wordLists,
		Live:      liveService,
		Markup:    renderer,
		Trust:     trust.NewService(trustConsumer, users),
		// The public moderation log, readable without signing in.
		ModerationLog: moderation.NewPublicLog(postgres.NewModerationLogStore(db), sites),
	}}, nil
}
