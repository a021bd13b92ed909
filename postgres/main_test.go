package postgres_test

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/markup"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/postgres/postgrestest"
)

// env is one test database with every service on it, shared by the package's tests; each
// test makes its own site and users so tests can run in parallel.
type env struct {
	db        *postgres.DB
	sites     *postgres.SiteService
	stories   *postgres.StoryService
	comments  *postgres.CommentService
	reactions *postgres.ReactionService
	reports   *postgres.ReportService
	users     *postgres.UserService
	accounts  *postgres.AccountStore
	admin     context.Context
}

var (
	shared  *env
	userSeq atomic.Int64
)

func TestMain(m *testing.M) {
	ctx := context.Background()
	db, cleanup, err := postgrestest.OpenDB(ctx)
	if err != nil {
		postgrestest.Unavailable(err)
	}
	e := &env{db: db, sites: postgres.NewSiteService(db), stories: postgres.NewStoryService(db),
		comments: postgres.NewCommentService(db, markup.NewRenderer()), reactions: postgres.NewReactionService(db),
		reports: postgres.NewReportService(db), users: postgres.NewUserService(db), accounts: postgres.NewAccountStore(db)}
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

// MustEnv returns the package's shared test environment.
func MustEnv(tb testing.TB) *env { return shared }

// MustUser creates a commenter and returns a context signed in as them.
func (e *env) MustUser(tb testing.TB) (context.Context, *parley.User) {
	tb.Helper()
	n := userSeq.Add(1)
	u := &parley.User{Username: fmt.Sprintf("user%d", n), Email: fmt.Sprintf("user%d@example.org", n)}
	if err := e.accounts.CreateUser(context.Background(), u, ""); err != nil {
		tb.Fatal(err)
	}
	return parley.NewContextWithUser(context.Background(), u), u
}

// MustStory creates a site with its own origin and a story on it.
func (e *env) MustStory(tb testing.TB) (*parley.Site, *parley.Story) {
	tb.Helper()
	n := userSeq.Add(1)
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

// count returns a row count of the test database.
func (e *env) count(tb testing.TB, sql string, args ...any) int {
	tb.Helper()
	var n int
	if err := e.db.Pool().QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
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
