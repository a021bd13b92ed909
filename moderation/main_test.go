package moderation_test

import (
	"context"
	"os"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/markup"
	"github.com/parleyhq/parley/moderation"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/postgres/postgrestest"
)

// env is one test database with the storage services on it and the moderation services on
// top, as `parley serve` wires them. It is opened on first use, so that the package's tests
// that need no database run without one; each test makes its own site and users, so tests
// can run in parallel.
type env struct {
	*postgrestest.Fixtures
	store     *postgres.CommentService
	queues    *postgres.QueueService
	reports   *moderation.ReportService
	sanctions *moderation.SanctionService
}

var shared = postgrestest.Shared[*env]{Setup: newEnv}

func TestMain(m *testing.M) {
	code := m.Run()
	shared.Close()
	os.Exit(code)
}

// MustEnv returns the package's shared database, opening it on first use; without
// PostgreSQL the test is skipped (failed when CI is set).
func MustEnv(tb testing.TB) *env { return shared.Env(tb) }

// newEnv builds the services on db, with an administrator.
func newEnv(ctx context.Context, db *postgres.DB) (*env, error) {
	f, err := postgrestest.NewFixtures(ctx, db)
	if err != nil {
		return nil, err
	}
	e := &env{Fixtures: f, store: postgres.NewCommentService(db, markup.NewRenderer()),
		queues: postgres.NewQueueService(db), reports: moderation.NewReportService(postgres.NewReportService(db)),
		sanctions: moderation.NewSanctionService(postgres.NewSanctionService(db))}
	return e, nil
}

// MustOwnEnv returns services on a database of the test's own, for tests that watch the
// whole database (its connections, say) and must not see other tests' work.
func MustOwnEnv(tb testing.TB) *env {
	tb.Helper()
	e, err := newEnv(context.Background(), postgrestest.MustOpenDB(tb))
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

// comments returns the comment service with m judging new and edited comments.
func (e *env) comments(m parley.Moderator) *moderation.CommentService {
	return moderation.NewCommentService(e.store, m)
}

// MustSettings changes a site's settings.
func (e *env) MustSettings(tb testing.TB, site *parley.Site, upd parley.SiteSettingsUpdate) {
	tb.Helper()
	if _, err := e.Sites.UpdateSiteSettings(e.Admin, site.ID, upd); err != nil {
		tb.Fatal(err)
	}
}

// MustComment posts a comment through comments as the signed-in user of ctx.
func MustComment(tb testing.TB, comments parley.CommentService, ctx context.Context, storyID, body string) *parley.Comment {
	tb.Helper()
	c, err := comments.CreateComment(ctx, parley.CreateCommentInput{StoryID: storyID, Body: body})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// count returns a row count of the test database.
func (e *env) count(tb testing.TB, sql string, args ...any) int {
	tb.Helper()
	var n int
	if err := postgrestest.Pool(tb, e.DB).QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

func wantCode(tb testing.TB, err error, code string) {
	tb.Helper()
	if got := parley.ErrorCode(err); got != code {
		tb.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

func ptr[T any](v T) *T { return &v }
