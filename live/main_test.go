package live_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/live"
	"github.com/parleyhq/parley/markup"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/postgres/postgrestest"
)

// env is the package's test database with the services live reads through, and a live
// service fed by a source the tests publish to. The tests drain the whole outbox, so they do
// not run in parallel: each starts by marking what earlier tests left pending.
type env struct {
	db       *postgres.DB
	sites    *postgres.SiteService
	stories  *postgres.StoryService
	comments *postgres.CommentService
	users    *postgres.UserService
	accounts *postgres.AccountStore
	queues   *postgres.QueueService
	reports  *postgres.ReportService
	outbox   *postgres.OutboxStore
	admin    context.Context
	source   *source
	live     *live.Service
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
	e := &env{db: db, sites: postgres.NewSiteService(db), stories: postgres.NewStoryService(db),
		comments: postgres.NewCommentService(db, markup.NewRenderer()), users: postgres.NewUserService(db),
		accounts: postgres.NewAccountStore(db), queues: postgres.NewQueueService(db), reports: postgres.NewReportService(db), outbox: postgres.NewOutboxStore(db),
		source: &source{}}
	e.live = live.New(e.source, e.comments, e.stories, e.users, nil)
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

// MustEnv returns the shared environment with an empty outbox backlog, so that the caller
// publishes only the events it writes next.
func MustEnv(tb testing.TB) *env {
	tb.Helper()
	postgrestest.Exec(tb, shared.db, `UPDATE outbox SET published_at = now() WHERE published_at IS NULL`)
	return shared
}

// next returns a number unique in the test binary, for names and IDs.
func next() int64 { return seq.Add(1) }

// newID returns a well-formed comment ID that no row has.
func newID() string { return fmt.Sprintf("0190a7e0-0000-7000-8000-%012d", next()) }

// MustUser creates a user and returns a context signed in as them.
func (e *env) MustUser(tb testing.TB) (context.Context, *parley.User) {
	tb.Helper()
	n := next()
	u := &parley.User{Username: fmt.Sprintf("user%d", n), Email: fmt.Sprintf("user%d@example.org", n)}
	if err := e.accounts.CreateUser(context.Background(), u, ""); err != nil {
		tb.Fatal(err)
	}
	return parley.NewContextWithUser(context.Background(), u), u
}

// MustModerator creates a user who moderates site.
func (e *env) MustModerator(tb testing.TB, siteID string) (context.Context, *parley.User) {
	tb.Helper()
	ctx, u := e.MustUser(tb)
	if err := e.users.SetSiteRole(e.admin, siteID, u.ID, parley.RoleModerator); err != nil {
		tb.Fatal(err)
	}
	return ctx, u
}

// MustStory creates a site and a story on it.
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

// MustComment posts a comment as the signed-in user of ctx.
func (e *env) MustComment(tb testing.TB, ctx context.Context, storyID, parentID, body string) *parley.Comment {
	tb.Helper()
	c, err := e.comments.CreateComment(ctx, parley.CreateCommentInput{StoryID: storyID, ParentID: parentID, Body: body})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// MustHeldComment posts a comment and holds it, as a pipeline that holds it would have
// stored it, and returns the comment.created event storage writes for a held comment. (The
// pipeline itself is not this package's business: live sees only the stored comment and
// the event.)
func (e *env) MustHeldComment(tb testing.TB, ctx context.Context, storyID, body string) (*parley.Comment, parley.Event) {
	tb.Helper()
	c := e.MustComment(tb, ctx, storyID, "", body)
	postgrestest.Exec(tb, e.db, `UPDATE comments SET status = 'PENDING' WHERE id = $1`, c.ID)
	postgrestest.Exec(tb, e.db, `UPDATE outbox SET published_at = now() WHERE published_at IS NULL`)
	c.Status = parley.StatusPending
	return c, parley.Event{ID: newID(), SiteID: c.SiteID, StoryID: c.StoryID, CreatedAt: c.CreatedAt,
		Payload: parley.CommentCreated{CommentSnapshot: parley.SnapshotOf(c)}}
}

// PublishPending publishes, in order, the events written since the last drain, as the
// relay and the feed would.
func (e *env) PublishPending(tb testing.TB) {
	tb.Helper()
	var events []parley.OutboxEvent
	_, err := e.outbox.Drain(context.Background(), 1000, func(_ context.Context, evs []parley.OutboxEvent) ([]string, error) {
		ids := make([]string, len(evs))
		for i, ev := range evs {
			ids[i] = ev.ID
		}
		events = evs
		return ids, nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	for _, ev := range events {
		decoded, err := ev.Decode()
		if err != nil {
			tb.Fatalf("event %s: %v", ev.Kind, err)
		}
		e.source.Publish(tb, decoded)
	}
}

// source is an event bus fed by the test: it implements parley.EventSource, the input
// interface of live, routing events to subscriptions as nats.Feed does. Publish hands an
// event to every matching subscription and waits until each has taken it, so a test knows
// what live has received, and a subscription that stopped taking events (a live service
// that blocks on a slow client) fails the test instead of going unnoticed.
type source struct {
	mu   sync.Mutex
	subs map[*subscription]struct{}
}

// subscription is one channel of the source and what it matches.
type subscription struct {
	match func(parley.Event) bool
	ch    chan parley.Event
}

func (s *source) StoryEvents(ctx context.Context, storyID string) (<-chan parley.Event, error) {
	return s.subscribe(ctx, func(e parley.Event) bool { return e.StoryID == storyID }), nil
}

func (s *source) SiteEvents(ctx context.Context, siteID string) (<-chan parley.Event, error) {
	return s.subscribe(ctx, func(e parley.Event) bool { return e.SiteID == siteID }), nil
}

func (s *source) CommentEventsEverywhere(ctx context.Context) (<-chan parley.Event, error) {
	return s.subscribe(ctx, func(e parley.Event) bool { return strings.HasPrefix(e.Kind(), "comment.") }), nil
}

func (s *source) subscribe(ctx context.Context, match func(parley.Event) bool) <-chan parley.Event {
	sub := &subscription{match: match, ch: make(chan parley.Event)}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.subs == nil {
		s.subs = map[*subscription]struct{}{}
	}
	s.subs[sub] = struct{}{}
	context.AfterFunc(ctx, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(s.subs, sub)
		close(sub.ch)
	})
	return sub.ch
}

// Publish hands e to every subscription it matches.
func (s *source) Publish(tb testing.TB, e parley.Event) {
	tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for sub := range s.subs {
		if !sub.match(e) {
			continue
		}
		select {
		case sub.ch <- e:
		case <-time.After(10 * time.Second):
			tb.Fatalf("a subscription did not take the %s event within 10s: something blocks it", e.Kind())
		}
	}
}

// MustReceive waits for the next value of ch.
func MustReceive[T any](tb testing.TB, ch <-chan T) T {
	tb.Helper()
	select {
	case v, ok := <-ch:
		if !ok {
			tb.Fatal("the subscription ended")
		}
		return v
	case <-time.After(10 * time.Second):
		tb.Fatal("nothing within 10s")
	}
	var zero T
	return zero
}

// published returns a comment.created event for a published comment that no row holds:
// what live delivers of it can only come from the event.
func published(story *parley.Story, body string) parley.Event {
	c := &parley.Comment{ID: newID(), StoryID: story.ID, SiteID: story.SiteID, AuthorID: newID(), RootID: "",
		Status: parley.StatusPublished, Body: "<p>" + body + "</p>", BodySource: body, CreatedAt: time.Now().UTC()}
	c.RootID = c.ID
	return parley.Event{ID: newID(), SiteID: story.SiteID, StoryID: story.ID, CreatedAt: c.CreatedAt,
		Payload: parley.CommentCreated{CommentSnapshot: parley.SnapshotOf(c)}}
}
