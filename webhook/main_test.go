package webhook_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/markup"
	"github.com/parleyhq/parley/moderation"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/postgres/postgrestest"
	"github.com/parleyhq/parley/webhook"
)

// env is the package's test database with the services that write events, as `parley serve`
// wires them, and the webhook store. Each test makes its own site and endpoints, and deletes
// its endpoints when it ends, so no test's sender claims another's deliveries.
type env struct {
	*postgrestest.Fixtures
	comments *moderation.CommentService
	store    *postgres.WebhookStore
}

var shared = postgrestest.Shared[*env]{Setup: newEnv}

func TestMain(m *testing.M) {
	code := m.Run()
	shared.Close()
	os.Exit(code)
}

// MustEnv returns the package's shared database, opened on first use; without PostgreSQL
// the test is skipped (failed when CI is set).
func MustEnv(tb testing.TB) *env { return shared.Env(tb) }

// newEnv builds the package's services on db, with an administrator.
func newEnv(ctx context.Context, db *postgres.DB) (*env, error) {
	f, err := postgrestest.NewFixtures(ctx, db)
	if err != nil {
		return nil, err
	}
	return &env{Fixtures: f,
		comments: moderation.NewCommentService(postgres.NewCommentService(db, markup.NewRenderer()), moderation.Default()),
		store:    postgres.NewWebhookStore(db)}, nil
}

// service returns the admin service, which (as in development) accepts http and private URLs.
func (e *env) service(clock *clock) *webhook.Service {
	return webhook.NewService(e.store, e.Sites, e.Users, webhook.ServiceOptions{AllowHTTP: true, AllowPrivate: true, Now: clock.Now})
}

// MustEndpoint registers url for kinds on site and deletes it when the test ends.
func (e *env) MustEndpoint(tb testing.TB, site *parley.Site, url string, kinds ...string) (*parley.WebhookEndpoint, string) {
	tb.Helper()
	if len(kinds) == 0 {
		kinds = []string{parley.EventCommentCreated}
	}
	ep, secret, err := e.service(newClock()).CreateWebhookEndpoint(e.Admin, parley.CreateWebhookInput{SiteID: site.ID, URL: url, Kinds: kinds})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = e.store.DeleteWebhookEndpoint(context.Background(), ep.ID) })
	return ep, secret
}

// MustCommentEvents posts n comments on story and returns their comment.created events from
// the outbox, as the stream would carry them.
func (e *env) MustCommentEvents(tb testing.TB, story *parley.Story, n int) []parley.OutboxEvent {
	tb.Helper()
	ctx, _ := e.MustUser(tb)
	var out []parley.OutboxEvent
	for i := range n {
		c, err := e.comments.CreateComment(ctx, parley.CreateCommentInput{StoryID: story.ID, Body: fmt.Sprintf("Comment number %d.", i)})
		if err != nil {
			tb.Fatal(err)
		}
		rows, err := postgrestest.Pool(tb, e.DB).Query(context.Background(), `
			SELECT id::text, kind, coalesce(site_id::text, ''), coalesce(story_id::text, ''), payload, created_at
			FROM outbox WHERE kind = 'comment.created' AND payload->>'id' = $1`, c.ID)
		if err != nil {
			tb.Fatal(err)
		}
		for rows.Next() {
			var oe parley.OutboxEvent
			if err := rows.Scan(&oe.ID, &oe.Kind, &oe.SiteID, &oe.StoryID, &oe.Payload, &oe.CreatedAt); err != nil {
				tb.Fatal(err)
			}
			out = append(out, oe)
		}
		rows.Close()
	}
	if len(out) != n {
		tb.Fatalf("found %d comment.created events for %d comments", len(out), n)
	}
	return out
}

// MustDeliveries returns an endpoint's deliveries, newest first.
func (e *env) MustDeliveries(tb testing.TB, endpointID string) []*parley.WebhookDelivery {
	tb.Helper()
	ds, err := e.store.FindWebhookDeliveries(context.Background(), endpointID, 100)
	if err != nil {
		tb.Fatal(err)
	}
	return ds
}

// MustOneDelivery returns an endpoint's only delivery.
func (e *env) MustOneDelivery(tb testing.TB, endpointID string) *parley.WebhookDelivery {
	tb.Helper()
	ds := e.MustDeliveries(tb, endpointID)
	if len(ds) != 1 {
		tb.Fatalf("%d deliveries, want 1", len(ds))
	}
	return ds[0]
}

// clock is real time plus an offset the test moves forward, so that the database's now()
// (when a delivery is queued) and the sender's agree until the test jumps ahead.
type clock struct{ offset atomic.Int64 }

func newClock() *clock { return &clock{} }

func (c *clock) Now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }

func (c *clock) Advance(d time.Duration) { c.offset.Add(int64(d)) }

// receiver is an endpoint under test: it records what it received and answers as its mode
// says, which the test may change between attempts.
type receiver struct {
	*httptest.Server
	mu   sync.Mutex
	mode func(w http.ResponseWriter, r *http.Request)
	got  []received
}

type received struct {
	header http.Header
	body   []byte
}

func newReceiver(tb testing.TB) *receiver {
	tb.Helper()
	rc := &receiver{mode: func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := make([]byte, 0, 1024)
		buf := make([]byte, 4096)
		for {
			n, err := r.Body.Read(buf)
			body = append(body, buf[:n]...)
			if err != nil {
				break
			}
		}
		rc.mu.Lock()
		rc.got = append(rc.got, received{header: r.Header.Clone(), body: body})
		mode := rc.mode
		rc.mu.Unlock()
		mode(w, r)
	}))
	tb.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) setMode(m func(w http.ResponseWriter, r *http.Request)) {
	rc.mu.Lock()
	rc.mode = m
	rc.mu.Unlock()
}

func (rc *receiver) received() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

func wantCode(tb testing.TB, err error, code string) {
	tb.Helper()
	if got := parley.ErrorCode(err); got != code {
		tb.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}
