package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/moderation/plugin"
	"github.com/parleyhq/parley/postgres/postgrestest"
)

// The command is tested from inside package main because run is its whole surface.

func TestServeStartsAndShutsDown(t *testing.T) {
	ctx := context.Background()
	dsn, drop, err := postgrestest.CreateDatabase(ctx)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	t.Cleanup(func() { _ = drop() })
	dataDir := t.TempDir()
	// A moderation plug-in the operator installs: it holds comments that mention a refund.
	pluginSecret := "the keywords plug-in's secret"
	pluginSrv := httptest.NewServer(plugin.NewHandler([]byte(pluginSecret), func(_ context.Context, r plugin.Request) (plugin.Response, error) {
		if strings.Contains(r.Comment.BodySource, "refund") {
			return plugin.Response{Decision: parley.DecisionHold, Flags: []string{"KEYWORD"}}, nil
		}
		return plugin.Response{Decision: parley.DecisionPass}, nil
	}))
	defer pluginSrv.Close()
	pluginsFile := filepath.Join(dataDir, "plugins.json")
	if err := os.WriteFile(pluginsFile, []byte(`[{"name":"keywords","url":"`+pluginSrv.URL+`","secret":"`+pluginSecret+`","failClosed":true}]`), 0o600); err != nil {
		t.Fatal(err)
	}
	// A stand-in OpenTelemetry collector that counts the trace exports it receives.
	var exports atomic.Int64
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/traces" && r.Method == http.MethodPost {
			exports.Add(1)
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer collector.Close()
	env := map[string]string{
		"OTEL_EXPORTER_OTLP_ENDPOINT": collector.URL,
		"DATABASE_URL":                dsn,
		"PARLEY_ADDR":                 "127.0.0.1:0",
		"PARLEY_DATA_DIR":             dataDir,
		"PARLEY_PUBLIC_URL":           "http://localhost:8080",
		"PARLEY_PLUGINS_FILE":         pluginsFile,
	}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	out, w := io.Pipe()
	done := make(chan error, 1)
	logs := &lockedBuffer{}
	go func() {
		done <- run(runCtx, []string{"serve", "--demo"}, func(k string) string { return env[k] }, w, logs)
		w.Close()
	}()

	lines := bufio.NewScanner(out)
	var base, banner string
	for (base == "" || banner == "") && lines.Scan() {
		line := lines.Text()
		if m := regexp.MustCompile(`listening on (http://\S+)`).FindStringSubmatch(line); m != nil {
			base = m[1]
		}
		if strings.HasPrefix(line, "Demo site") {
			banner = line
		}
	}
	go io.Copy(io.Discard, out)
	if base == "" {
		t.Fatalf("server did not report its address: %v", <-done)
	}
	if !strings.Contains(banner, "admin@parley.localhost with password") {
		t.Fatalf("demo banner = %q", banner)
	}
	if _, err := os.Stat(filepath.Join(dataDir, "admin-password")); err != nil {
		t.Fatalf("demo password not kept: %v", err)
	}

	t.Run("readiness reports the event bus", func(t *testing.T) {
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]string
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body["events"] != "ok" {
			t.Fatalf("readyz = %v, %v", body, err)
		}
	})
	t.Run("health and readiness answer", func(t *testing.T) {
		for _, path := range []string{"/healthz", "/readyz"} {
			resp, err := http.Get(base + path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s: %s", path, resp.Status)
			}
		}
	})
	t.Run("the demo administrator can sign in", func(t *testing.T) {
		pw, _ := os.ReadFile(filepath.Join(dataDir, "admin-password"))
		body := `{"query":"mutation($i: SignInInput!){ signIn(input: $i) { token user { username } } }","variables":{"i":{"login":"admin@parley.localhost","password":"` + strings.TrimSpace(string(pw)) + `"}}}`
		resp, err := http.Post(base+"/graphql", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if !bytes.Contains(b, []byte(`"username":"admin"`)) {
			t.Fatalf("sign-in answered %s", b)
		}
	})

	t.Run("an installed plug-in holds comments once a site turns it on", func(t *testing.T) {
		pw, _ := os.ReadFile(filepath.Join(dataDir, "admin-password"))
		var signIn struct{ SignIn struct{ Token string } }
		mustGQL(t, base, "", `mutation($i: SignInInput!) { signIn(input: $i) { token } }`,
			map[string]any{"i": map[string]any{"login": "admin@parley.localhost", "password": strings.TrimSpace(string(pw))}}, &signIn)
		admin := signIn.SignIn.Token
		var story struct {
			Story struct {
				ID   string
				Site struct{ ID string }
			}
		}
		mustGQL(t, base, "", `{ story(url: "http://localhost:8080/article") { id site { id } } }`, nil, &story)
		var stages struct{ ModerationStages []string }
		mustGQL(t, base, admin, `{ moderationStages }`, nil, &stages)
		if !slices.Contains(stages.ModerationStages, "plugin:keywords") {
			t.Fatalf("stages offered: %v", stages.ModerationStages)
		}
		mustGQL(t, base, admin, `mutation($i: SiteSettingsInput!) { updateSiteSettings(input: $i) { id } }`,
			map[string]any{"i": map[string]any{"siteID": story.Story.Site.ID, "stages": []map[string]any{{"stage": "plugin:keywords", "failClosed": true}}}}, nil)
		var up struct{ SignUp struct{ Token string } }
		mustGQL(t, base, "", `mutation($i: SignUpInput!) { signUp(input: $i) { token } }`,
			map[string]any{"i": map[string]any{"email": "ann@example.org", "username": "ann", "password": "a long enough password"}}, &up)
		for body, want := range map[string]string{"I want a refund": "PENDING", "Nice article": "PUBLISHED"} {
			var c struct {
				CreateComment struct{ Comment struct{ Status string } }
			}
			mustGQL(t, base, up.SignUp.Token, `mutation($i: CreateCommentInput!) { createComment(input: $i) { comment { status } } }`,
				map[string]any{"i": map[string]any{"storyID": story.Story.ID, "body": body}}, &c)
			if c.CreateComment.Comment.Status != want {
				t.Errorf("%q: status %s, want %s", body, c.CreateComment.Comment.Status, want)
			}
		}
	})

	t.Run("the trust consumer follows the event stream", func(t *testing.T) {
		var story struct {
			Story struct {
				ID   string
				Site struct{ ID string }
			}
		}
		mustGQL(t, base, "", `{ story(url: "http://localhost:8080/trust") { id site { id } } }`, nil, &story)
		var up struct{ SignUp struct{ Token string } }
		mustGQL(t, base, "", `mutation($i: SignUpInput!) { signUp(input: $i) { token } }`,
			map[string]any{"i": map[string]any{"email": "tia@example.org", "username": "tia", "password": "a long enough password"}}, &up)
		var created struct {
			CreateComment struct{ Comment struct{ Status string } }
		}
		mustGQL(t, base, up.SignUp.Token, `mutation($i: CreateCommentInput!) { createComment(input: $i) { comment { status } } }`,
			map[string]any{"i": map[string]any{"storyID": story.Story.ID, "body": "Trust me on this."}}, &created)
		// The comment's event travels outbox → relay → JetStream → durable consumer; the
		// standing is read until it arrives.
		for deadline := time.Now().Add(30 * time.Second); ; {
			var st struct {
				TrustStanding struct {
					Level   int
					Signals struct{ CommentsPublished int }
				}
			}
			mustGQL(t, base, up.SignUp.Token, `query($s: ID!) { trustStanding(siteID: $s) { level signals { commentsPublished } } }`,
				map[string]any{"s": story.Story.Site.ID}, &st)
			if st.TrustStanding.Level == 1 && st.TrustStanding.Signals.CommentsPublished == 1 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("standing never reached level 1: %+v", st.TrustStanding)
			}
			time.Sleep(20 * time.Millisecond) // polling: the standing has no subscription
		}
	})

	t.Run("anonymous reads are cached until the story changes", func(t *testing.T) {
		var story struct {
			Story struct{ ID string }
		}
		mustGQL(t, base, "", `{ story(url: "http://localhost:8080/cached") { id } }`, nil, &story)
		read := func() (string, string) {
			body, _ := json.Marshal(map[string]any{"query": `query($id: ID!) { story(id: $id) { comments(first: 5) { edges { node { body } } } } }`,
				"variables": map[string]any{"id": story.Story.ID}})
			resp, err := http.Post(base+"/graphql", "application/json", bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return string(b), resp.Header.Get("X-Cache")
		}
		// The story was created by the first query; its own story.created event may still
		// be on its way and drop the first cached answer, so a hit is awaited, not assumed.
		for deadline := time.Now().Add(10 * time.Second); ; {
			if _, cache := read(); cache == "hit" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("repeated reads of an unchanged story were never served from the cache")
			}
		}
		var up struct{ SignUp struct{ Token string } }
		mustGQL(t, base, "", `mutation($i: SignUpInput!) { signUp(input: $i) { token } }`,
			map[string]any{"i": map[string]any{"email": "cache@example.org", "username": "cacher", "password": "a long enough password"}}, &up)
		mustGQL(t, base, up.SignUp.Token, `mutation($i: CreateCommentInput!) { createComment(input: $i) { comment { id } } }`,
			map[string]any{"i": map[string]any{"storyID": story.Story.ID, "body": "fresh news"}}, nil)
		// The story's event makes the cached answer stale as soon as the relay publishes it.
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			if body, _ := read(); strings.Contains(body, "fresh news") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the cached page never showed the new comment")
			}
		}
	})
	t.Run("metrics cover HTTP, GraphQL, moderation and the bus", func(t *testing.T) {
		resp, err := http.Get(base + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		for _, want := range []string{"parley_http_requests_total", `parley_graphql_root_fields_total{field="createComment",type="mutation"}`,
			"parley_moderation_stage_duration_seconds_bucket", "parley_outbox_pending", "parley_relay_published_total",
			"parley_live_subscribers", "parley_nats_up 1", `parley_events_skipped_total{reason="unknown"} 0`, "go_goroutines"} {
			if !bytes.Contains(b, []byte(want)) {
				t.Errorf("/metrics lacks %s:\n%s", want, bytes.Join(regexp.MustCompile(`(?m)^parley_graphql.*$`).FindAll(b, -1), []byte("\n")))
			}
		}
	})
	t.Run("the relay publishes every event to the embedded NATS", func(t *testing.T) {
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		deadline := time.Now().Add(20 * time.Second)
		for {
			var pending, published int
			if err := conn.QueryRow(ctx, `SELECT count(*) FILTER (WHERE published_at IS NULL), count(*) FILTER (WHERE published_at IS NOT NULL) FROM outbox`).Scan(&pending, &published); err != nil {
				t.Fatal(err)
			}
			if pending == 0 && published > 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d events still pending, %d published", pending, published)
			}
			time.Sleep(50 * time.Millisecond) // polling the database: there is no event to await
		}
	})

	stop()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run returned %v after shutdown", err)
		}
		if exports.Load() == 0 {
			t.Error("no traces reached the OTLP endpoint")
		}
		// A clean stop is quiet: an operator's alert on warnings must not fire on a deploy.
		_, shutdown, _ := strings.Cut(logs.String(), `msg="shutting down"`)
		for _, line := range strings.Split(shutdown, "\n") {
			if strings.Contains(line, "level=WARN") || strings.Contains(line, "level=ERROR") {
				t.Errorf("shutdown logged %s", line)
			}
		}
	case <-time.After(30 * time.Second):
		t.Fatal("server did not shut down")
	}
}

// mustGQL posts one GraphQL operation to a running server and decodes its data.
func mustGQL(t testing.TB, base, token, query string, vars map[string]any, out any) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var answer struct {
		Data   json.RawMessage
		Errors []any
	}
	if err := json.Unmarshal(raw, &answer); err != nil || len(answer.Errors) > 0 {
		t.Fatalf("%s answered %s", query, raw)
	}
	if out != nil {
		if err := json.Unmarshal(answer.Data, out); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRunRefusesBadInvocations(t *testing.T) {
	noenv := func(string) string { return "" }
	for name, args := range map[string][]string{
		"no command":         nil,
		"unknown command":    {"frobnicate"},
		"serve without a DB": {"serve"},
		"bad environment":    {"serve", "--env", "staging", "--database-url", "postgres://x"},
		"admin typo":         {"admin", "make"},
	} {
		t.Run(name, func(t *testing.T) {
			if err := run(context.Background(), args, noenv, io.Discard, io.Discard); err == nil {
				t.Fatal("run succeeded")
			}
		})
	}
	t.Run("help lists every setting", func(t *testing.T) {
		var stderr bytes.Buffer
		_ = run(context.Background(), []string{"serve", "--help"}, noenv, io.Discard, &stderr)
		for _, want := range []string{"PARLEY_ADDR", "DATABASE_URL", "PARLEY_ENV", ":8080"} {
			if !strings.Contains(stderr.String(), want) {
				t.Errorf("help lacks %s:\n%s", want, stderr.String())
			}
		}
	})
	t.Run("version prints", func(t *testing.T) {
		var stdout bytes.Buffer
		if err := run(context.Background(), []string{"version"}, noenv, &stdout, io.Discard); err != nil || !strings.HasPrefix(stdout.String(), "parley ") {
			t.Fatalf("version: %q, %v", stdout.String(), err)
		}
	})
}

func TestMigrateAndAdminCreate(t *testing.T) {
	ctx := context.Background()
	dsn, drop, err := postgrestest.CreateDatabase(ctx)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	t.Cleanup(func() { _ = drop() })
	env := func(k string) string {
		if k == "DATABASE_URL" {
			return dsn
		}
		return ""
	}
	var out bytes.Buffer
	if err := run(ctx, []string{"migrate"}, env, &out, io.Discard); err != nil || !strings.Contains(out.String(), "Migrations applied.") {
		t.Fatalf("migrate: %q, %v", out.String(), err)
	}
	create := []string{"admin", "create", "--email", "root@example.org", "--username", "root", "--password", "a long enough password"}
	out.Reset()
	if err := run(ctx, create, env, &out, io.Discard); err != nil || !strings.Contains(out.String(), "Administrator root") {
		t.Fatalf("admin create: %q, %v", out.String(), err)
	}
	t.Run("trust recompute runs on every site and refuses an unknown one", func(t *testing.T) {
		out.Reset()
		if err := run(ctx, []string{"trust", "recompute"}, env, &out, io.Discard); err != nil || !strings.Contains(out.String(), "recomputed from 0 events") {
			t.Fatalf("trust recompute: %q, %v", out.String(), err)
		}
		if err := run(ctx, []string{"trust", "recompute", "--site", "nope"}, env, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "not found") {
			t.Fatalf("trust recompute of an unknown site: %v", err)
		}
	})
	t.Run("a taken username is refused with its reason", func(t *testing.T) {
		err := run(ctx, create, env, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "taken") && !strings.Contains(err.Error(), "exists") {
			t.Fatalf("second admin create: %v", err)
		}
	})
	t.Run("a short password is refused with its reason", func(t *testing.T) {
		err := run(ctx, []string{"admin", "create", "--email", "b@example.org", "--username", "bee", "--password", "short"}, env, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "Password must be at least") {
			t.Fatalf("short password: %v", err)
		}
	})
}

// lockedBuffer collects a server's log while the test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
