package nats_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/markup"
	"github.com/parleyhq/parley/nats"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/postgres/postgrestest"
)

// env is the package's test database with the services that write events. The relay drains
// the whole outbox, so the relay tests do not run in parallel: each starts by marking what
// earlier tests left pending, and owns every event written after that.
type env struct {
	db       *postgres.DB
	outbox   *postgres.OutboxStore
	sites    *postgres.SiteService
	stories  *postgres.StoryService
	comments *postgres.CommentService
	accounts *postgres.AccountStore
	admin    context.Context
}

var (
	shared *env
	seq    atomic.Int64
)

func TestMain(m *testing.M) {
	ctx := context.Background()
	db, cleanup, err := postgrestest.OpenDB(ctx)
	if err != nil {
		postgrestest.Unavailable(err)
	}
	e := &env{db: db, outbox: postgres.NewOutboxStore(db), sites: postgres.NewSiteService(db),
		stories: postgres.NewStoryService(db), comments: postgres.NewCommentService(db, markup.NewRenderer()),
		accounts: postgres.NewAccountStore(db)}
	admin := &parley.User{Username: "admin", Email: "admin@example.org", Admin: true}
	if err := e.accounts.CreateUser(ctx, admin, ""); err != nil {
		cleanup()
		panic(err)
	}
	e.admin = parley.NewContextWithUser(ctx, admin)
	shared = e
	code := m.Run()
	cleanup()
	os.Exit(code)
}

// MustEnv returns the shared test environment with an empty backlog: whatever earlier tests
// left pending is marked published, so the caller owns every event it writes next.
func MustEnv(tb testing.TB) *env {
	tb.Helper()
	postgrestest.Exec(tb, shared.db, `UPDATE outbox SET published_at = now() WHERE published_at IS NULL`)
	return shared
}

// next returns a number unique in the test binary, for names.
func next() int64 { return seq.Add(1) }

// MustInstance returns an instance name of the test's own.
func MustInstance(tb testing.TB) string {
	tb.Helper()
	name := fmt.Sprintf("test%d", next())
	if err := nats.ValidateInstance(name); err != nil {
		tb.Fatal(err)
	}
	return name
}

// MustUser creates a commenter (a user.created event) and returns a context signed in as them.
func (e *env) MustUser(tb testing.TB) (context.Context, *parley.User) {
	tb.Helper()
	n := next()
	u := &parley.User{Username: fmt.Sprintf("user%d", n), Email: fmt.Sprintf("user%d@example.org", n)}
	if err := e.accounts.CreateUser(context.Background(), u, ""); err != nil {
		tb.Fatal(err)
	}
	return parley.NewContextWithUser(context.Background(), u), u
}

// MustStory creates a site and a story on it (site.created and story.created events).
func (e *env) MustStory(tb testing.TB) (*parley.Site, *parley.Story) {
	tb.Helper()
	n := next()
	site, err := e.sites.CreateSite(e.admin, parley.CreateSiteInput{Name: fmt.Sprintf("Site %d", n),
		AllowedOrigins: []string{fmt.Sprintf("https://site%d.example.org", n)}})
	if err != nil {
		tb.Fatal(err)
	}
	story, err := e.stories.FindStoryByURL(context.Background(), fmt.Sprintf("https://site%d.example.org/news/1", n))
	if err != nil {
		tb.Fatal(err)
	}
	return site, story
}

// MustComment posts a comment (a comment.created event) as the signed-in user of ctx.
func (e *env) MustComment(tb testing.TB, ctx context.Context, storyID, body string) *parley.Comment {
	tb.Helper()
	c, err := e.comments.CreateComment(ctx, parley.CreateCommentInput{StoryID: storyID, Body: body})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// MustInsertEvents writes n events straight into the outbox, as a busy site would: each a
// microsecond after the last, as if from its own transaction, with a comment-sized payload.
func (e *env) MustInsertEvents(tb testing.TB, n int) {
	tb.Helper()
	postgrestest.Exec(tb, e.db, `
		INSERT INTO outbox (id, kind, payload, created_at)
		SELECT gen_random_uuid(), 'comment.created',
		       jsonb_build_object('n', g, 'body', '<p>'||repeat('lorem ipsum ', 30)||'</p>'),
		       now() + g * interval '1 microsecond'
		FROM generate_series(1, $1) g`, n)
}

// Pending returns the events waiting in the outbox, oldest first.
func (e *env) Pending(tb testing.TB) []parley.OutboxEvent {
	tb.Helper()
	rows, err := postgrestest.Pool(tb, e.db).Query(context.Background(), `
		SELECT id, kind, coalesce(site_id::text, ''), coalesce(story_id::text, ''), payload, created_at
		FROM outbox WHERE published_at IS NULL ORDER BY created_at, id`)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var events []parley.OutboxEvent
	for rows.Next() {
		var ev parley.OutboxEvent
		if err := rows.Scan(&ev.ID, &ev.Kind, &ev.SiteID, &ev.StoryID, &ev.Payload, &ev.CreatedAt); err != nil {
			tb.Fatal(err)
		}
		events = append(events, ev)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return events
}

// Backlog returns how many events wait.
func (e *env) Backlog(tb testing.TB) int {
	tb.Helper()
	n, _, err := e.outbox.Backlog(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// MustEmbedded starts an embedded server on dir (a fresh directory when empty), shut down
// when the test ends.
func MustEmbedded(tb testing.TB, dir string, listen string) *nats.Embedded {
	tb.Helper()
	if dir == "" {
		dir = tb.TempDir()
	}
	srv, err := nats.StartEmbedded(nats.EmbeddedOptions{StoreDir: dir, Listen: listen})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(srv.Shutdown)
	return srv
}

// MustJetStream connects to srv in-process, closed when the test ends.
func MustJetStream(tb testing.TB, srv *nats.Embedded) jetstream.JetStream {
	tb.Helper()
	nc, err := srv.Connect()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(nc.Close)
	js, err := nats.NewJetStream(nc)
	if err != nil {
		tb.Fatal(err)
	}
	return js
}

// MustStream creates the event stream with the defaults.
func MustStream(tb testing.TB, js jetstream.JetStream) jetstream.Stream {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := nats.EnsureStream(ctx, js, nats.StreamConfig{})
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// MustRelay returns a relay, and MustRun starts it until the test ends.
func MustRelay(tb testing.TB, js jetstream.JetStream, o nats.RelayOptions) *nats.Relay {
	tb.Helper()
	r, err := nats.NewRelay(shared.outbox, js, o)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

// MustRun runs r until the test ends and checks that Run returned nil.
func MustRun(tb testing.TB, r *nats.Relay) {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	tb.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				tb.Errorf("relay run: %v", err)
			}
		case <-time.After(10 * time.Second):
			tb.Errorf("relay did not stop within 10s of its context ending")
		}
	})
}

// MustCollect reads the stream from its start until it has n messages, failing after
// timeout, and then checks that the stream holds exactly n: no extra message, duplicate or
// otherwise, is waiting behind them.
func MustCollect(tb testing.TB, js jetstream.JetStream, n int, timeout time.Duration) []jetstream.Msg {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cons, err := js.OrderedConsumer(ctx, nats.DefaultStreamName, jetstream.OrderedConsumerConfig{})
	if err != nil {
		tb.Fatal(err)
	}
	var msgs []jetstream.Msg
	for len(msgs) < n {
		batch, err := cons.Fetch(n-len(msgs), jetstream.FetchContext(ctx))
		if err != nil {
			tb.Fatalf("fetch after %d of %d messages: %v", len(msgs), n, err)
		}
		for m := range batch.Messages() {
			msgs = append(msgs, m)
		}
		if err := batch.Error(); err != nil && ctx.Err() == nil {
			tb.Fatalf("fetch after %d of %d messages: %v", len(msgs), n, err)
		}
		if ctx.Err() != nil {
			tb.Fatalf("got %d of %d messages within %s", len(msgs), n, timeout)
		}
	}
	s, err := js.Stream(ctx, nats.DefaultStreamName)
	if err != nil {
		tb.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	if info.State.Msgs != uint64(n) {
		tb.Fatalf("stream holds %d messages, want exactly %d", info.State.Msgs, n)
	}
	return msgs
}

// MustOnce checks that msgs carry each of ids exactly once, by Nats-Msg-Id and by envelope.
func MustOnce(tb testing.TB, msgs []jetstream.Msg, ids []string) {
	tb.Helper()
	seen := map[string]int{}
	for _, m := range msgs {
		id := m.Headers().Get(jetstream.MsgIDHeader)
		env, err := nats.DecodeEnvelope(m.Data())
		if err != nil {
			tb.Fatal(err)
		}
		if env.ID != id {
			tb.Fatalf("envelope id %s under Nats-Msg-Id %s", env.ID, id)
		}
		seen[id]++
	}
	for _, id := range ids {
		if seen[id] != 1 {
			tb.Errorf("event %s is in the stream %d times, want once", id, seen[id])
		}
		delete(seen, id)
	}
	for id, n := range seen {
		tb.Errorf("unexpected event %s in the stream (%d times)", id, n)
	}
}

// Eventually polls cond until it holds, for states that no message announces (a row marked
// in the database, a counter in the relay's stats).
func Eventually(tb testing.TB, timeout time.Duration, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("%s: not within %s", what, timeout)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// MustDrained waits until the relays together have marked want events (they count after
// the outbox committed), then checks that nothing is left pending.
func MustDrained(tb testing.TB, e *env, want int, relays ...*nats.Relay) {
	tb.Helper()
	Eventually(tb, 10*time.Second, fmt.Sprintf("%d events marked published", want), func() bool {
		var n uint64
		for _, r := range relays {
			n += r.Stats().Published
		}
		return n >= uint64(want)
	})
	if n := e.Backlog(tb); n != 0 {
		tb.Fatalf("%d events still pending", n)
	}
}

// ids lists the events' IDs.
func ids(events []parley.OutboxEvent) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = e.ID
	}
	return out
}

// logBuffer is a slog handler's output that tests can read while the relay writes to it.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// Count returns how many log lines contain s.
func (b *logBuffer) Count(s string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Count(b.buf.String(), s)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// NewTestLogger returns a logger writing into a buffer, and the buffer.
func NewTestLogger() (*slog.Logger, *logBuffer) {
	b := &logBuffer{}
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug})), b
}

// connectTo returns a RelayOptions.Connect that dials whichever embedded server cur points
// at, as cmd/parley's would dial its one server.
func connectTo(cur *atomic.Pointer[nats.Embedded]) func(context.Context) (jetstream.JetStream, error) {
	return func(context.Context) (jetstream.JetStream, error) {
		srv := cur.Load()
		if srv == nil {
			return nil, fmt.Errorf("no server")
		}
		nc, err := srv.Connect()
		if err != nil {
			return nil, err
		}
		js, err := nats.NewJetStream(nc)
		if err != nil {
			nc.Close()
			return nil, err
		}
		return js, nil
	}
}
