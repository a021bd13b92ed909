package server_test

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
	"github.com/parleyhq/parley/graph"
	"github.com/parleyhq/parley/markup"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/postgres/postgrestest"
	"github.com/parleyhq/parley/server"
)

// db is the package's one database; every test makes its own sites and users in it.
var db *postgres.DB

func TestMain(m *testing.M) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	var cleanup func()
	var err error
	db, cleanup, err = postgrestest.OpenDB(ctx)
	cancel()
	if err != nil {
		postgrestest.Unavailable(err)
	}
	code := m.Run()
	cleanup()
	os.Exit(code)
}

// env is a server on the real services, with its log captured.
type env struct {
	Auth   *auth.Service
	Sites  *postgres.SiteService
	Server *httptest.Server
	Logs   *syncBuffer
}

// newEnv starts a server. change adjusts the Config before the server is built; the GraphQL
// handler is the real one unless change replaces it.
func newEnv(t *testing.T, change func(*server.Config)) *env {
	t.Helper()
	e := &env{Logs: &syncBuffer{}}
	e.Auth = auth.NewService(postgres.NewAccountStore(db), auth.Options{
		Password: auth.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}})
	e.Sites = postgres.NewSiteService(db)
	logger := slog.New(slog.NewJSONHandler(e.Logs, nil))
	cfg := server.Config{
		Logger: logger,
		Auth:   e.Auth,
		Sites:  e.Sites,
		GraphQL: graph.NewHandler(graph.Services{
			Auth:      e.Auth,
			Users:     postgres.NewUserService(db),
			Sites:     e.Sites,
			Stories:   postgres.NewStoryService(db),
			Comments:  postgres.NewCommentService(db, markup.NewRenderer()),
			Reactions: postgres.NewReactionService(db),
			Reports:   postgres.NewReportService(db),
		}, graph.Options{Logger: logger}),
		Ready:   db.Ping,
		Version: "v1.2.3-test",
	}
	if change != nil {
		change(&cfg)
	}
	e.Server = httptest.NewServer(server.New(cfg))
	t.Cleanup(e.Server.Close)
	return e
}

var seq atomic.Int64

func unique(prefix string) string { return fmt.Sprintf("%s%d", prefix, seq.Add(1)) }

// MustSession signs up a new user and returns their bearer token.
func (e *env) MustSession(t *testing.T) (string, *parley.User) {
	t.Helper()
	name := unique("user")
	p, err := e.Auth.SignUp(context.Background(), parley.SignUpInput{Email: name + "@example.org", Username: name, Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	return p.Token, p.User
}

// MustSite creates a site allowing one new origin and returns the site and the origin.
func (e *env) MustSite(t *testing.T) (*parley.Site, string) {
	t.Helper()
	origin := "https://" + unique("site") + ".example.org"
	ctx := parley.NewContextWithUser(context.Background(), &parley.User{ID: "operator", Admin: true})
	s, err := e.Sites.CreateSite(ctx, parley.CreateSiteInput{Name: "Test site", AllowedOrigins: []string{origin}})
	if err != nil {
		t.Fatal(err)
	}
	return s, origin
}

// request describes one HTTP request to the server.
type request struct {
	Method, Path, ContentType string
	Body                      []byte
	Header                    http.Header
}

type answer struct {
	Status int         `json:"-"`
	Header http.Header `json:"-"`
	Body   string      `json:"-"`
	Errors []struct {
		Message    string
		Extensions map[string]any
	}
}

// Code is the first GraphQL error's extensions.code, "" without errors.
func (a *answer) Code() string {
	if len(a.Errors) == 0 {
		return ""
	}
	c, _ := a.Errors[0].Extensions["code"].(string)
	return c
}

func (e *env) Do(t *testing.T, r request) *answer {
	t.Helper()
	if r.Method == "" {
		r.Method = http.MethodPost
	}
	if r.Path == "" {
		r.Path = "/graphql"
	}
	req, err := http.NewRequest(r.Method, e.Server.URL+r.Path, bytes.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	if r.ContentType != "" {
		req.Header.Set("Content-Type", r.ContentType)
	}
	for k, vs := range r.Header {
		req.Header[k] = vs
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	a := &answer{Status: res.StatusCode, Header: res.Header, Body: string(body)}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") || strings.HasPrefix(res.Header.Get("Content-Type"), "application/graphql-response+json") {
		if err := json.Unmarshal(body, a); err != nil {
			t.Fatalf("answer is not JSON: %v\n%s", err, body)
		}
	}
	return a
}

// Query posts a GraphQL query with optional headers (name, value pairs).
func (e *env) Query(t *testing.T, query string, header ...string) *answer {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	h := http.Header{}
	for i := 0; i+1 < len(header); i += 2 {
		h.Add(header[i], header[i+1])
	}
	return e.Do(t, request{ContentType: "application/json", Body: body, Header: h})
}

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
