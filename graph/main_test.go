package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/auth"
	"github.com/parleyhq/parley/federation"
	"github.com/parleyhq/parley/graph"
	"github.com/parleyhq/parley/markup"
	"github.com/parleyhq/parley/moderation"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/postgres/postgrestest"
	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/trust"
	"github.com/parleyhq/parley/webhook"
)

// shared is the stack most tests use: one database for the whole package, with every test
// working on its own sites and users so that tests can run in parallel.
var shared *stack

func TestMain(m *testing.M) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	db, cleanup, err := postgrestest.OpenDB(ctx)
	cancel()
	if err != nil {
		postgrestest.Unavailable(err)
	}
	shared = newStack(db, graph.Options{})
	code := m.Run()
	shared.Close()
	cleanup()
	os.Exit(code)
}

// cheapPasswords keeps argon2 from dominating the tests' time.
var cheapPasswords = auth.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// stack is the whole API as production wires it: PostgreSQL services, the auth service, the
// GraphQL handler and the server's middleware, behind a real HTTP listener.
type stack struct {
	DB       *postgres.DB
	Auth     *auth.Service
	Users    *postgres.UserService
	Services graph.Services
	// Trust is the trust consumer, which tests feed the outbox's events by hand.
	Trust *trust.Consumer
	// Identity is the instance's federation identity, named "graphtest".
	Identity *federation.Identity
	Server   *httptest.Server
	Logs     *syncBuffer
}

// newStack wires a stack on db. Tests that need other services (to inject a fault) change
// Services before calling serve.
func newStack(db *postgres.DB, o graph.Options) *stack {
	s := newServices(db)
	s.serve(o)
	return s
}

func newServices(db *postgres.DB) *stack {
	s := &stack{DB: db, Logs: &syncBuffer{}}
	s.Auth = auth.NewService(postgres.NewAccountStore(db), auth.Options{Password: cheapPasswords})
	s.Users = postgres.NewUserService(db)
	renderer := markup.NewRenderer()
	s.Services = graph.Services{
		Auth:        s.Auth,
		Credentials: auth.NewCredentials(postgres.NewAccountStore(db), nil),
		Users:       s.Users,
		Sites:       postgres.NewSiteService(db),
		Stories:     postgres.NewStoryService(db),
		Comments:    postgres.NewCommentService(db, renderer),
		Reactions:   postgres.NewReactionService(db),
		Reports:     moderation.NewReportService(postgres.NewReportService(db)).WithTrust(postgres.NewTrustStore(db)),
		Queues:      postgres.NewQueueService(db),
		Sanctions:   moderation.NewSanctionService(postgres.NewSanctionService(db)),
		WordLists:   moderation.NewWordLists(postgres.NewWordListStore(db)),
		Markup:      renderer,
	}
	s.Trust = trust.NewConsumer(postgres.NewTrustStore(db), s.Services.Sites, trust.Options{})
	s.Services.Trust = trust.NewService(s.Trust, s.Users)
	s.Services.ModerationLog = moderation.NewPublicLog(postgres.NewModerationLogStore(db), s.Services.Sites)
	engine, err := trust.NewEngine()
	if err != nil {
		panic(err)
	}
	s.Services.Rules = trust.NewRules(engine, postgres.NewRuleStore(db), postgres.NewTrustStore(db), s.Services.Sites, s.Users, nil, nil)
	s.Services.Webhooks = webhook.NewService(postgres.NewWebhookStore(db), s.Services.Sites, s.Users, webhook.ServiceOptions{AllowHTTP: true})
	var id *federation.Identity
	id, err = federation.OpenIdentity(context.Background(), postgres.NewFederationStore(db),
		federation.IdentityOptions{Name: "graphtest", FederationAddress: "127.0.0.1:7422"})
	if err != nil {
		panic(err)
	}
	s.Identity = id
	s.Services.Federation = federation.NewService(id, postgres.NewFederationStore(db), federation.ServiceOptions{Stories: s.Services.Stories, Users: s.Services.Users})
	return s
}

// newServicesWithWordLists is newServices with the default pipeline behind the sites' word
// lists, as `parley serve` runs it (a banned word rejects).
func newServicesWithWordLists(db *postgres.DB) *stack {
	s := newServices(db)
	lists := moderation.NewWordLists(postgres.NewWordListStore(s.DB))
	s.Services.WordLists = lists
	s.Services.Comments = moderation.NewCommentService(postgres.NewCommentService(s.DB, markup.NewRenderer()),
		moderation.Default(moderation.Step{Stage: lists.Stage()}))
	return s
}

func (s *stack) serve(o graph.Options) {
	logger := slog.New(slog.NewJSONHandler(s.Logs, nil))
	o.Logger = logger
	s.Server = httptest.NewServer(server.New(server.Config{
		Logger:    logger,
		Auth:      s.Services.Auth,
		Sites:     s.Services.Sites,
		GraphQL:   graph.NewHandler(s.Services, o),
		Log:       s.Services.ModerationLog,
		Ready:     s.DB.Ping,
		WellKnown: s.Identity.WellKnownHandler("http://graphtest.example", "test", logger),
	}))
}

func (s *stack) Close() { s.Server.Close() }

// syncBuffer collects log output from concurrent requests.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// seq makes names unique within the package's database.
var seq atomic.Int64

func unique(prefix string) string { return fmt.Sprintf("%s%d", prefix, seq.Add(1)) }

// client is a GraphQL client acting as one user (or anonymously when token is "").
type client struct {
	s     *stack
	token string
	// User is the signed-in user, nil for an anonymous client.
	User *parley.User
}

func (s *stack) anonymous() *client { return &client{s: s} }

// response is a GraphQL answer with its HTTP status.
type response struct {
	Status int
	Header http.Header
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
	Raw    string
}

type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// Code returns the first error's extensions.code, "" without errors.
func (r *response) Code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// Do sends one operation and returns the answer whatever it is.
func (c *client) Do(tb testing.TB, query string, vars map[string]any) *response {
	tb.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		tb.Fatal(err)
	}
	return c.Send(tb, http.MethodPost, "application/json", body, nil)
}

// Send sends a raw request to /graphql, for tests of malformed input.
func (c *client) Send(tb testing.TB, method, contentType string, body []byte, header http.Header) *response {
	tb.Helper()
	req, err := http.NewRequest(method, c.s.Server.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	return c.doRequest(tb, req)
}

// doRequest sends req as this client and decodes the GraphQL answer.
func (c *client) doRequest(tb testing.TB, req *http.Request) *response {
	tb.Helper()
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	r := &response{Status: res.StatusCode, Header: res.Header, Raw: string(raw)}
	if err := json.Unmarshal(raw, r); err != nil {
		tb.Fatalf("answer is not JSON (status %d): %v\n%s", res.StatusCode, err, raw)
	}
	return r
}

// MustDo sends an operation that must succeed and decodes its data into out (when not nil).
func (c *client) MustDo(tb testing.TB, query string, vars map[string]any, out any) {
	tb.Helper()
	r := c.Do(tb, query, vars)
	if len(r.Errors) > 0 || r.Status != http.StatusOK {
		tb.Fatalf("operation failed (status %d): %s\nquery: %s", r.Status, r.Raw, query)
	}
	if out != nil {
		if err := json.Unmarshal(r.Data, out); err != nil {
			tb.Fatalf("decode %s: %v", r.Data, err)
		}
	}
}

// MustFail sends an operation that must fail with code (extensions.code).
func (c *client) MustFail(tb testing.TB, code, query string, vars map[string]any) *response {
	tb.Helper()
	r := c.Do(tb, query, vars)
	if got := r.Code(); got != code {
		tb.Fatalf("code = %q, want %q; answer (status %d): %s", got, code, r.Status, r.Raw)
	}
	return r
}

const authFields = `token expiresAt user { id username email admin createdAt }`

type authPayload struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expiresAt"`
	User      userJSON  `json:"user"`
}

type userJSON struct {
	ID        string    `json:"id"`
	Username  string    `json:"username"`
	Email     *string   `json:"email"`
	Admin     bool      `json:"admin"`
	CreatedAt time.Time `json:"createdAt"`
}

// MustSignUp creates a commenter through the API and returns a client signed in as them.
func (s *stack) MustSignUp(tb testing.TB) *client {
	tb.Helper()
	name := unique("user")
	var out struct{ SignUp authPayload }
	s.anonymous().MustDo(tb, `mutation($in: SignUpInput!) { signUp(input: $in) { `+authFields+` } }`,
		map[string]any{"in": map[string]any{"email": name + "@example.org", "username": name, "password": "correct horse battery"}}, &out)
	p := out.SignUp
	return &client{s: s, token: p.Token, User: &parley.User{ID: p.User.ID, Username: p.User.Username, Email: *p.User.Email}}
}

// MustAdmin creates an administrator (as the operator's command line does) and signs in.
func (s *stack) MustAdmin(tb testing.TB) *client {
	tb.Helper()
	name := unique("admin")
	in := parley.SignUpInput{Email: name + "@example.org", Username: name, Password: "correct horse battery"}
	if _, err := s.Auth.CreateAdmin(context.Background(), in); err != nil {
		tb.Fatal(err)
	}
	p, err := s.Auth.SignIn(context.Background(), parley.SignInInput{Login: name, Password: in.Password})
	if err != nil {
		tb.Fatal(err)
	}
	return &client{s: s, token: p.Token, User: p.User}
}

type site struct {
	ID     string
	Origin string
}

// MustCreateSite creates a site with one allowed origin of its own.
func (s *stack) MustCreateSite(tb testing.TB, admin *client) site {
	tb.Helper()
	origin := "https://" + unique("site") + ".example.org"
	var out struct{ CreateSite struct{ ID string } }
	admin.MustDo(tb, `mutation($in: CreateSiteInput!) { createSite(input: $in) { id } }`,
		map[string]any{"in": map[string]any{"name": "Site " + origin, "allowedOrigins": []string{origin}}}, &out)
	return site{ID: out.CreateSite.ID, Origin: origin}
}

// testSSOSecret is the single sign-on secret MustSSOSite sets.
const testSSOSecret = "a host site's secret, 32 bytes or more"

// MustSSOSite creates a site whose single sign-on secret is testSSOSecret.
func (s *stack) MustSSOSite(tb testing.TB, admin *client) site {
	tb.Helper()
	st := s.MustCreateSite(tb, admin)
	admin.MustDo(tb, `mutation($in: SiteSettingsInput!) { updateSiteSettings(input: $in) { id } }`,
		map[string]any{"in": map[string]any{"siteID": st.ID, "ssoSecret": testSSOSecret}}, nil)
	return st
}

// MustStory returns a new story on a site, created through story(url:).
func (s *stack) MustStory(tb testing.TB, st site) string {
	tb.Helper()
	var out struct{ Story struct{ ID string } }
	s.anonymous().MustDo(tb, `query($url: String) { story(url: $url) { id } }`,
		map[string]any{"url": st.Origin + "/" + unique("article")}, &out)
	return out.Story.ID
}

// MustComment posts a comment (a reply when parentID is not "") and returns its ID.
func (c *client) MustComment(tb testing.TB, storyID, parentID, body string) string {
	tb.Helper()
	in := map[string]any{"storyID": storyID, "body": body}
	if parentID != "" {
		in["parentID"] = parentID
	}
	var out struct {
		CreateComment struct{ Comment struct{ ID string } }
	}
	c.MustDo(tb, `mutation($in: CreateCommentInput!) { createComment(input: $in) { comment { id } } }`,
		map[string]any{"in": in}, &out)
	return out.CreateComment.Comment.ID
}

// MustGrant gives a user a role on a site, as an admin would.
func (s *stack) MustGrant(tb testing.TB, siteID string, u *client, role parley.Role) {
	tb.Helper()
	ctx := parley.NewContextWithUser(context.Background(), &parley.User{ID: "admin", Admin: true})
	if err := s.Users.SetSiteRole(ctx, siteID, u.User.ID, role); err != nil {
		tb.Fatal(err)
	}
}

// world is a site with a story, a comment on it, and the cast of the permission matrix.
type world struct {
	Site      site
	StoryID   string
	CommentID string
	Admin     *client
	Author    *client
	Other     *client
	// ModElsewhere moderates another site, not this one.
	ModElsewhere *client
	Moderator    *client
}

func (s *stack) MustWorld(tb testing.TB) *world {
	tb.Helper()
	w := &world{Admin: s.MustAdmin(tb), Author: s.MustSignUp(tb), Other: s.MustSignUp(tb),
		ModElsewhere: s.MustSignUp(tb), Moderator: s.MustSignUp(tb)}
	w.Site = s.MustCreateSite(tb, w.Admin)
	// The cast is new to the site (trust level 0), and the matrix is about roles: the site
	// lets new readers report. TestReportNeedsTrust checks the default.
	w.Admin.MustDo(tb, `mutation($in: SiteSettingsInput!) { updateSiteSettings(input: $in) { id } }`,
		map[string]any{"in": map[string]any{"siteID": w.Site.ID, "trustEffects": map[string]any{"newMayReport": true}}}, nil)
	elsewhere := s.MustCreateSite(tb, w.Admin)
	s.MustGrant(tb, elsewhere.ID, w.ModElsewhere, parley.RoleModerator)
	s.MustGrant(tb, w.Site.ID, w.Moderator, parley.RoleModerator)
	w.StoryID = s.MustStory(tb, w.Site)
	w.CommentID = w.Author.MustComment(tb, w.StoryID, "", "First!")
	return w
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func mustUnmarshal(tb testing.TB, data []byte, v any) {
	tb.Helper()
	if err := json.Unmarshal(data, v); err != nil {
		tb.Fatalf("decode %s: %v", data, err)
	}
}
