package trust_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/markup"
	"github.com/parleyhq/parley/moderation"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/postgres/postgrestest"
	"github.com/parleyhq/parley/trust"
)

// env is the package's test database with the services that write events, as `parley serve`
// wires them, and the trust store. Each test makes its own site and users.
type env struct {
	*postgrestest.Fixtures
	comments  *moderation.CommentService
	queues    *postgres.QueueService
	reactions *postgres.ReactionService
	reports   *moderation.ReportService
	sanctions *moderation.SanctionService
	store     *postgres.TrustStore
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
	e := &env{Fixtures: f,
		comments:  moderation.NewCommentService(postgres.NewCommentService(db, markup.NewRenderer()), moderation.Default()),
		queues:    postgres.NewQueueService(db),
		reactions: postgres.NewReactionService(db),
		reports:   moderation.NewReportService(postgres.NewReportService(db)),
		sanctions: moderation.NewSanctionService(postgres.NewSanctionService(db)),
		store:     postgres.NewTrustStore(db)}
	return e, nil
}

// consumer returns a trust consumer on the test database whose clock is now().
func (e *env) consumer(now func() time.Time) *trust.Consumer {
	return trust.NewConsumer(e.store, e.Sites, trust.Options{Now: now})
}

// MustComment posts a comment as the signed-in user of ctx.
func (e *env) MustComment(tb testing.TB, ctx context.Context, storyID, body string) *parley.Comment {
	tb.Helper()
	c, err := e.comments.CreateComment(ctx, parley.CreateCommentInput{StoryID: storyID, Body: body})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// MustSiteEvents returns the site's events (and those of no site) from the outbox, in the
// order the relay publishes them.
func (e *env) MustSiteEvents(tb testing.TB, siteID string) []parley.OutboxEvent {
	tb.Helper()
	rows, err := postgrestest.Pool(tb, e.DB).Query(context.Background(), `
		SELECT id::text, kind, coalesce(site_id::text, ''), coalesce(story_id::text, ''), payload, created_at
		FROM outbox WHERE site_id = $1 OR site_id IS NULL ORDER BY created_at, id`, siteID)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var out []parley.OutboxEvent
	for rows.Next() {
		var oe parley.OutboxEvent
		if err := rows.Scan(&oe.ID, &oe.Kind, &oe.SiteID, &oe.StoryID, &oe.Payload, &oe.CreatedAt); err != nil {
			tb.Fatal(err)
		}
		out = append(out, oe)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// MustConsume feeds events to c.
func MustConsume(tb testing.TB, c *trust.Consumer, events []parley.OutboxEvent) {
	tb.Helper()
	for _, oe := range events {
		if err := c.Handle(context.Background(), oe); err != nil {
			tb.Fatalf("handle %s %s: %v", oe.Kind, oe.ID, err)
		}
	}
}

// MustSignals reads a user's signals at a fixed time, so that two reads compare equal.
func (e *env) MustSignals(tb testing.TB, siteID, userID string, at time.Time) parley.TrustSignals {
	tb.Helper()
	sig, err := e.store.TrustSignals(context.Background(), siteID, userID, at)
	if err != nil {
		tb.Fatal(err)
	}
	return sig
}

func wantCode(tb testing.TB, err error, code string) {
	tb.Helper()
	if got := parley.ErrorCode(err); got != code {
		tb.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}
