// Package graph is Parley's GraphQL API: the schema (*.graphqls, the contract of DESIGN.md §9),
// gqlgen's generated executor, resolvers that only translate between GraphQL and the domain's
// services, per-operation dataloaders, the limits on what one operation may ask, and the error
// presenter that gives every error its extensions.code.
package graph

import (
	"context"
	"log/slog"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/graph/wstransport"
)

// Services are what the API needs from the domain. They decide everything (permissions,
// visibility, validation); the graph only translates, reading the caller from the context
// that the server filled with parley.NewContextWithUser.
type Services struct {
	Auth parley.AuthService
	// Credentials lists and revokes the viewer's sessions and API tokens; nil answers that
	// this server does not offer it.
	Credentials parley.CredentialService
	// OIDC manages OpenID Connect providers; nil answers that this server has none.
	OIDC parley.OIDCService
	// Guests takes comments from readers without an account; nil refuses them.
	Guests parley.GuestService
	// Claims moves comments left under a verified address to the reader's account; nil
	// answers that this server has none to claim.
	Claims    parley.ClaimService
	Users     parley.UserService
	Sites     parley.SiteService
	Stories   parley.StoryService
	Comments  parley.CommentService
	Reactions parley.ReactionService
	Reports   parley.ReportService
	Queues    parley.QueueService
	Sanctions parley.SanctionService
	Moderator parley.Moderator
	WordLists parley.WordListService
	// Markup renders comment previews; it must be the renderer the comment service stores
	// bodies with, so that a preview shows exactly what will be posted.
	Markup parley.Renderer
	// Live serves subscriptions; nil turns them off.
	Live parley.LiveService
	// Trust answers trust standings and pins; nil answers that trust is not kept here.
	Trust parley.TrustService
	// ModerationLog answers the public moderation log; nil answers that no log is kept.
	ModerationLog parley.ModerationLogService
	// Rules serves community rules and their proposals; nil answers that rules are not kept.
	Rules parley.RuleService
	// Webhooks manages site admins' webhook endpoints; nil answers that webhooks are off.
	Webhooks parley.WebhookService
	// Federation answers the instance's identity and its peers; nil answers that this
	// server does not federate.
	Federation parley.FederationService
	// Recovery verifies addresses, resets passwords and changes addresses by mail; nil
	// answers that this server sends no email.
	Recovery parley.RecoveryService
	// Notifications answers the reader's bell and settings; nil answers that none are kept.
	Notifications parley.NotificationService
}

// Options tune the handler. The zero value is usable: limits fall back to the defaults below.
type Options struct {
	// Production turns off introspection and field-name suggestions in error messages.
	Production bool
	// Logger receives internal errors with their request IDs; nil discards them.
	Logger *slog.Logger
	// ComplexityLimit bounds the work one operation may ask for; connection fields cost
	// their items' complexity times `first`. Default DefaultComplexityLimit.
	ComplexityLimit int
	// MaxDepth bounds how deeply an operation may nest fields. Default DefaultMaxDepth.
	MaxDepth int
	// Metrics, when set, receives counts of root fields and errors.
	Metrics prometheus.Registerer
	// Limits bound mutations per client network and per account; zero means none.
	Limits MutationLimits
	// AfterMutation, when set, is called after every mutation: the server wakes the outbox
	// relay with it, so that the events a mutation wrote reach live subscribers at once
	// rather than at the relay's next poll. It must not block.
	AfterMutation func()
	// AfterViewerMutation, when set, is called with the request's context after every
	// mutation: the read cache's overlay forgets what it kept of that viewer with it, so they
	// read their own writes. It must not block.
	AfterViewerMutation func(ctx context.Context)
	// PersistedQueries, when set, speaks the automatic persisted query protocol (a hash
	// first, the full query only when asked), and, made with only, refuses every query that
	// the built frontend did not register or the operator did not allow.
	PersistedQueries *PersistedQueries
	// executorOnly turns the direct answers off, for the tests that compare them with the
	// executor's.
	executorOnly bool
}

// Limits used when Options leaves them zero. A story page of 100 comments, each with its
// author and reactions, costs about 2,000, so the complexity default admits the widget's
// largest page while refusing pages nested in pages (100 comments × 100 replies).
const (
	DefaultComplexityLimit = 5000
	DefaultMaxDepth        = 12
	// parserTokenLimit bounds the work of parsing a hostile document before validation.
	parserTokenLimit = 15000
)

// Handler is the GraphQL endpoint. It is an http.Handler with a Shutdown, because its
// WebSockets are hijacked connections that http.Server.Shutdown neither sees nor closes.
type Handler struct {
	http.Handler
	ws *wstransport.Transport
}

// Shutdown closes every WebSocket with the close code for a service restart (1012), so that
// subscribers reconnect at once, through the balancer, to a replica that stays; it waits
// until the close handshakes end or ctx does, then drops what is left.
func (h *Handler) Shutdown(ctx context.Context) error { return h.ws.Shutdown(ctx) }

// ResetLive closes every WebSocket with 1013 (try again later), for when this replica may
// have missed events: subscribers reconnect and read what they missed.
func (h *Handler) ResetLive(reason string) { h.ws.Reset(reason) }

// NewHandler returns the GraphQL endpoint: POST and GET queries (GET only for queries) and
// OPTIONS. It expects the server's middleware in front of it for identity, request IDs, CORS
// and body limits.
func NewHandler(s Services, o Options) *Handler {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.ComplexityLimit <= 0 {
		o.ComplexityLimit = DefaultComplexityLimit
	}
	if o.MaxDepth <= 0 {
		o.MaxDepth = DefaultMaxDepth
	}
	s.Stories = o.Limits.stories(s.Stories, s.Sites)
	cfg := Config{Resolvers: &Resolver{s: s}}
	setComplexity(&cfg.Complexity)
	srv := handler.New(NewExecutableSchema(cfg))
	srv.AddTransport(transport.Options{AllowedMethods: []string{http.MethodGet, http.MethodPost, http.MethodOptions}})
	// Subscriptions over WebSocket, graphql-transport-ws and the legacy graphql-ws, served
	// by our own lean transport rather than gqlgen's, which holds several goroutines per
	// connection and resolves every event once per subscriber. Browsers cannot set an
	// Authorization header on a WebSocket: the token comes in connection_init instead.
	ws := wstransport.New(wstransport.Options{
		Authenticate:     websocketIdentity(s.Auth),
		MaxSubscriptions: MaxSubscriptionsPerConnection,
		Metrics:          o.Metrics,
		Logger:           o.Logger,
	})
	srv.AddTransport(ws)
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.SetParserTokenLimit(parserTokenLimit)
	srv.AroundRootFields(o.Limits.rootField)
	base := errorPresenter(o.Logger)
	presenter := base
	var countRoot func(string)
	if o.Metrics != nil {
		m := newMetrics(o.Metrics)
		countRoot = func(field string) { m.fields.WithLabelValues(string(ast.Query), field).Inc() }
		srv.AroundRootFields(m.rootField)
		presenter = func(ctx context.Context, err error) *gqlerror.Error {
			e := base(ctx, err)
			if code, ok := e.Extensions["code"].(string); ok {
				m.errors.WithLabelValues(code).Inc()
			}
			return e
		}
	}
	srv.SetErrorPresenter(presenter)
	srv.SetRecoverFunc(recoverFunc)
	if !o.Production {
		srv.Use(extension.Introspection{})
	} else {
		srv.Use(noIntrospection{})
		srv.SetDisableSuggestion(true)
	}
	if o.PersistedQueries != nil {
		srv.Use(o.PersistedQueries)
	}
	srv.Use(&complexityLimit{limit: o.ComplexityLimit})
	srv.Use(depthLimit{max: o.MaxDepth})
	srv.Use(getQueriesOnly{})
	srv.Use(&inputCheck{})
	// A story's page and a comment's replies are answered without the executor (direct.go);
	// everything else, and anything those cannot answer, goes on to it.
	if !o.executorOnly {
		srv.AroundResponses(newDirect(s, countRoot).around)
	}
	// Loaders are made per response, not per operation: a subscription answers many
	// times, and each answer must read fresh reaction counts.
	srv.AroundResponses(func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		return next(withLoaders(ctx, newLoaders(s)))
	})
	if o.AfterMutation != nil || o.AfterViewerMutation != nil {
		srv.AroundResponses(func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
			resp := next(ctx)
			if graphql.HasOperationContext(ctx) {
				if op := graphql.GetOperationContext(ctx).Operation; op != nil && op.Operation == ast.Mutation {
					if o.AfterViewerMutation != nil {
						o.AfterViewerMutation(ctx)
					}
					if o.AfterMutation != nil {
						o.AfterMutation()
					}
				}
			}
			return resp
		})
	}
	queries := withSources(srv)
	return &Handler{ws: ws, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "" {
			srv.ServeHTTP(w, r)
			return
		}
		if r.Method == http.MethodGet {
			r = r.WithContext(context.WithValue(r.Context(), plainGETKey{}, true))
		}
		if !o.executorOnly {
			w, r = withDirectBody(w, r)
		}
		queries.ServeHTTP(w, r)
	})}
}

// setComplexity prices the fields whose cost grows with their arguments; every other field
// costs 1 plus its children.
func setComplexity(c *ComplexityRoot) {
	c.Story.Comments = func(child int, first *int, _ *string, _ *parley.CommentOrder) int {
		return connectionComplexity(child, first)
	}
	c.Comment.Replies = func(child int, first *int, _ *string, _ *parley.CommentOrder) int {
		return connectionComplexity(child, first)
	}
	// A comment keeps few revisions and an instance has few sites; price them as ten each.
	c.Comment.Revisions = func(child int) int { return 1 + 10*child }
	c.Query.Sites = func(child int) int { return 1 + 10*child }
	c.Query.Stories = func(child int, _ string, _ *string, _ *bool, first *int, _ *string) int {
		return connectionComplexity(child, first)
	}
	// storyCounts answers one item per URL asked for.
	c.Query.StoryCounts = func(child int, urls []string) int { return 1 + child*max(len(urls), 1) }
	// A preview renders up to a whole comment's Markdown; price it like a list of ten, so
	// that one operation cannot ask for hundreds.
	c.Query.PreviewComment = func(child int, _ string, _ string) int { return 10 }
	// A mute list is short for nearly everyone; price it as ten like the lists above.
	c.User.MutedUsers = func(child int) int { return 1 + 10*child }
}

// websocketIdentity resolves the bearer token of a WebSocket's connection_init payload
// ({"authorization": "Bearer <token>"}); no token means an anonymous subscriber.
func websocketIdentity(auth parley.AuthService) func(context.Context, transport.InitPayload) (context.Context, error) {
	return func(ctx context.Context, p transport.InitPayload) (context.Context, error) {
		h := strings.TrimSpace(p.Authorization())
		if h == "" {
			return ctx, nil
		}
		scheme, token, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			return ctx, parley.Errorf(parley.EUNAUTHENTICATED, "The authorization must be \"Bearer <token>\".")
		}
		u, err := auth.Authenticate(ctx, strings.TrimSpace(token))
		if err != nil {
			return ctx, err
		}
		return parley.NewContextWithUser(ctx, u), nil
	}
}

// MaxSubscriptionsPerConnection bounds what one WebSocket may hold open: a widget needs two
// or three, and a client that opens hundreds costs every other subscriber. The WebSocket
// transport (graph/wstransport) refuses the one past the limit with RATE_LIMITED.
const MaxSubscriptionsPerConnection = 20
