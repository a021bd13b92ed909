package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/auth"
	"github.com/parleyhq/parley/federation"
	"github.com/parleyhq/parley/graph"
	"github.com/parleyhq/parley/live"
	"github.com/parleyhq/parley/markup"
	"github.com/parleyhq/parley/moderation"
	"github.com/parleyhq/parley/moderation/spam"
	"github.com/parleyhq/parley/nats"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/seal"
	"github.com/parleyhq/parley/trust"
	"github.com/parleyhq/parley/webhook"
)

// services are the services of a running server, each built once, in the order they
// depend on one another: storage, then the rules on top of it, then live delivery.
type services struct {
	auth *auth.Service
	// labelStage keeps sites' label subscriptions; watchLabelSubscriptions feeds it the
	// events that say they changed.
	labelStage *federation.LabelStage
	// identities keeps tokens' owners for a few seconds; nil when PARLEY_IDENTITY_CACHE_TTL
	// is 0. It keeps nothing until watchIdentities feeds it the instance's user events.
	identities *auth.IdentityCache
	feed       *nats.Feed
	live       *live.Service
	graph      graph.Services
	// trust keeps trust signals and levels from the event stream.
	trust *trust.Consumer
	// levels reads the stored levels for the effects outside the pipeline (rate limits),
	// each account's highest level cached for levelCacheTTL.
	levels parley.TrustLevels
	// webhooks queues deliveries from the event stream; webhookSender sends them.
	webhooks      *webhook.Consumer
	webhookSender *webhook.Sender
	// identity is the instance's federation identity, served at /.well-known/parley.
	identity *federation.Identity
	// federation manages peers and takes their link messages.
	federation *federation.Service
	// fedRuntime runs the federation transport when PARLEY_FEDERATION_ADDR is set.
	fedRuntime *federationRuntime
	// rules enacts, in the background, the approved proposals whose delay ended.
	rules *trust.Rules
}

// The rate limits' view of trust levels: busy writers past the new-account quota would
// otherwise cost a query per change. Ten seconds late is harmless for a rate limit.
const (
	levelCacheSize = 50_000
	levelCacheTTL  = 10 * time.Second
)

// newServices builds the services on the database and the running event bus.
func newServices(ctx context.Context, cfg *Config, logger *slog.Logger, db *postgres.DB, lim *limits, events *bus, metrics *prometheus.Registry) (*services, error) {
	identity, err := openIdentity(ctx, cfg, db)
	if err != nil {
		return nil, err
	}
	var identities *auth.IdentityCache
	if cfg.IdentityCacheTTL > 0 {
		identities = auth.NewIdentityCache(auth.IdentityCacheOptions{TTL: cfg.IdentityCacheTTL})
	}
	authService := auth.NewService(postgres.NewAccountStore(db), auth.Options{
		Identities:    identities,
		Logger:        logger,
		SessionTTL:    cfg.SessionTTL,
		DeletionGrace: cfg.DeletionGrace,
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
	// Community rules run after the word lists, so they can read the flags those raise.
	ruleEngine, err := trust.NewEngine()
	if err != nil {
		return nil, err
	}
	ruleStore, trustStore := postgres.NewRuleStore(db), postgres.NewTrustStore(db)
	ruleStage := trust.NewStage(ruleEngine, ruleStore, trustStore)
	// A first comment waits for a verified address on sites that ask for it.
	verified := moderation.Step{Stage: moderation.VerifiedEmail(postgres.NewRecoveryStore(db).EmailVerified)}
	fedStore, labelStore := postgres.NewFederationStore(db), postgres.NewLabelStore(db)
	// Peers' labels act after the community's own rules, as each subscription says.
	labelStage := federation.NewLabelStage(cfg.Instance, labelStore, fedStore)
	pipeline := moderation.Default(moderation.Step{Stage: wordLists.Stage()}, moderation.Step{Stage: ruleStage, Budget: 200 * time.Millisecond},
		moderation.Step{Stage: labelStage, Budget: 200 * time.Millisecond}, verified).
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
	// Levels are decided with the bounds the community's rules put on them.
	trustConsumer := trust.NewConsumer(trustStore, sites, trust.Options{Logger: logger, Bounds: ruleStage})
	queues := moderation.NewLearningQueue(postgres.NewQueueService(db), classifier, logger)
	tombstones := postgres.NewTombstoneStore(db)
	fedRuntime := newFederationRuntime(fedStore, labelStore, tombstones, logger)
	// A peer's erased account is erased here as a local one is.
	fedRuntime.accounts = postgres.NewAccountStore(db)
	fed := federation.NewService(identity, fedStore, federation.ServiceOptions{
		PublicURL: cfg.PublicURL, Logger: logger, Stories: stories, Users: users, Queues: queues, Labels: labelStore, Sites: sites, Tombstones: tombstones,
		OnPeersChanged: func() { fedRuntime.changed(); labelStage.Forget("") }, Lag: fedRuntime.lag, Connected: fedRuntime.connected, OnDefederate: fedRuntime.defederated})
	liveService := live.New(feed, comments, stories, users, logger)
	webhookStore := postgres.NewWebhookStore(db)
	// Webhook secrets are sealed at rest like federation keys, with a key of their own.
	webhookSeal, err := seal.New(cfg.SecretKey, webhook.SealPurpose)
	if err != nil {
		return nil, err
	}
	if n, err := webhook.SealSecrets(ctx, webhookStore, webhookSeal); err != nil {
		return nil, fmt.Errorf("seal webhook secrets: %w", err)
	} else if n > 0 {
		logger.Info("webhook secrets stored in the clear are now sealed", "count", n)
	}
	rules := trust.NewRules(ruleEngine, ruleStore, trustStore, sites, users, feed, nil)
	sender := webhook.NewSender(webhookStore, webhook.SenderOptions{AllowPrivate: cfg.WebhooksReachPrivate(), Timeout: cfg.WebhookTimeout, Logger: logger, Seal: webhookSeal})
	return &services{auth: authService, identities: identities, feed: feed, labelStage: labelStage, live: liveService, trust: trustConsumer,
		levels:   trust.CacheLevels(trustStore, levelCacheSize, levelCacheTTL),
		identity: identity, federation: fed, fedRuntime: fedRuntime, rules: rules,
		webhooks: webhook.NewConsumer(webhookStore, sender.Wake, logger), webhookSender: sender, graph: graph.Services{
			Auth: authService,
			// Guests comment without an account, always held for review.
			Guests: moderation.NewGuests(stories, sites, postgres.NewGuestStore(db), comments, lim.guests),
			// Readers claim imported and guest comments by their verified address.
			Claims:      auth.NewClaims(postgres.NewClaimStore(db), postgres.NewRecoveryStore(db).EmailVerified),
			Credentials: auth.NewCredentials(postgres.NewAccountStore(db), logger).ForgetWith(authService),
			// OpenID Connect sign-in: providers register {publicURL}/oidc/callback.
			OIDC: auth.NewOIDC(authService, postgres.NewOIDCStore(db), auth.OIDCOptions{
				CallbackURL: strings.TrimSuffix(cfg.PublicURL, "/") + "/oidc/callback", StartLimiter: lim.signIn}),
			Users:     users,
			Sites:     sites,
			Stories:   stories,
			Comments:  comments,
			Reactions: postgres.NewReactionService(db),
			Reports:   moderation.NewReportService(postgres.NewReportService(db)).WithTrust(trustStore).WithWeights(ruleStage),
			Queues:    queues,
			Sanctions: moderation.NewSanctionService(postgres.NewSanctionService(db)),
			Moderator: pipeline,
			WordLists: wordLists,
			Live:      liveService,
			Markup:    renderer,
			Trust:     trust.NewService(trustConsumer, users),
			// The public moderation log, readable without signing in.
			ModerationLog: moderation.NewPublicLog(postgres.NewModerationLogStore(db), sites),
			Rules:         rules,
			Webhooks: webhook.NewService(webhookStore, sites, users, webhook.ServiceOptions{
				AllowHTTP: !cfg.Production(), AllowPrivate: cfg.WebhooksReachPrivate(), Seal: webhookSeal}),
			Federation: fed,
		}}, nil
}

// openIdentity loads the instance's federation keys, making the first pair on first start,
// sealed with PARLEY_SECRET_KEY when that is set.
func openIdentity(ctx context.Context, cfg *Config, db *postgres.DB) (*federation.Identity, error) {
	id, err := federation.OpenIdentity(ctx, postgres.NewFederationStore(db), federation.IdentityOptions{
		Name: cfg.Instance, FederationAddress: cfg.FederationAddr, Secret: cfg.SecretKey})
	if err != nil {
		return nil, fmt.Errorf("federation identity: %w", err)
	}
	return id, nil
}
