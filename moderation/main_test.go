package moderation_test

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
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
	db        *postgres.DB
	store     *postgres.CommentService
	sites     *postgres.SiteService
	stories   *postgres.StoryService
	users     *postgres.UserService
	accounts  *postgres.AccountStore
	queues    *postgres.QueueService
	reports   *moderation.ReportService
	sanctions *moderation.SanctionService
	admin     context.Context
}

var (
	shared = postgrestest.Shared[*env]{Setup: newEnv}
	seq    atomic.Int64
)

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
	e := &env{db: db, store: postgres.NewCommentService(db, markup.NewRenderer()), sites: postgres.NewSiteService(db),
		stories: postgres.NewStoryService(db), users: postgres.NewUserService(db), accounts: postgres.NewAccountStore(db),
		queues: postgres.NewQueueService(db), reports: moderation.NewReportService(postgres.NewReportService(db)),
		sanctions: moderation.NewSanctionService(postgres.NewSanctionService(db))}
	admin := &parley.User{Username: "admin", Email: "admin@example.org", Admin: true}
	if err := e.accounts.CreateUser(ctx, admin, ""); err != nil {
		return nil, err
	}
	e.admin = parley.NewContextWithUser(context.Background(), admin)
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

// MustUser creates a commenter and returns a context signed in as them.
func (e *env) MustUser(tb testing.TB) (context.Context, *parley.User) {
	tb.Helper()
	n := seq.Add(1)
	u := &parley.User{Username: fmt.Sprintf("user%d", n), Email: fmt.Sprintf("user%d@example.org", n)}
	if err := e.accounts.CreateUser(context.Background(), u, ""); err != nil {
		tb.Fatal(err)
	}
	return parley.NewContextWithUser(context.Background(), u), u
}

// MustModerator creates a moderator of site.
func (e *env) MustModerator(tb testing.TB, site *parley.Site) (context.Context, *parley.User) {
	tb.Helper()
	ctx, u := e.MustUser(tb)
	if err := e.users.SetSiteRole(e.admin, site.ID, u.ID, parley.RoleModerator); err != nil {
		tb.Fatal(err)
	}
	return ctx, u
}

// MustStory creates a site with its own origin and a story on it.
func (e *env) MustStory(tb testing.TB) (*parley.Site, *parley.Story) {
	tb.Helper()
	n := seq.Add(1)
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

// MustSettings changes a site's settings.
func (e *env) MustSettings(tb testing.TB, site *parley.Site, upd parley.SiteSettingsUpdate) {
	tb.Helper()
	if _, err := e.sites.UpdateSiteSettings(e.admin, site.ID, upd); err != nil {
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
	if err := postgrestest.Pool(tb, e.db).QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
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
