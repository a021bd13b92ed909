package importer_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/importer"
	"github.com/parleyhq/parley/markup"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/postgres/postgrestest"
)

// env is the package's test database; each test imports into a site of its own.
type env struct {
	db    *postgres.DB
	sites *postgres.SiteService
	store *postgres.ImportStore
	admin context.Context
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

// MustEnv returns the shared database, opened on first use; without PostgreSQL the test is
// skipped (failed when CI is set).
func MustEnv(tb testing.TB) *env { return shared.Env(tb) }

// newEnv builds the package's services on db, with an administrator.
func newEnv(ctx context.Context, db *postgres.DB) (*env, error) {
	e := &env{db: db, sites: postgres.NewSiteService(db), store: postgres.NewImportStore(db)}
	admin := &parley.User{Username: "admin", Email: "admin@example.org", Admin: true}
	if err := postgres.NewAccountStore(db).CreateUser(ctx, admin, ""); err != nil {
		return nil, err
	}
	e.admin = parley.NewContextWithUser(context.Background(), admin)
	return e, nil
}

// MustSite creates a site to import into.
func (e *env) MustSite(tb testing.TB) *parley.Site {
	tb.Helper()
	n := seq.Add(1)
	site, err := e.sites.CreateSite(e.admin, parley.CreateSiteInput{Name: fmt.Sprintf("Site %d", n),
		AllowedOrigins: []string{fmt.Sprintf("https://site%d.example.org", n)}})
	if err != nil {
		tb.Fatal(err)
	}
	return site
}

func (e *env) importer() *importer.Importer {
	return importer.New(e.store, markup.NewRenderer(), importer.Options{BatchSize: 4})
}

// fromString opens the same text on every pass.
func fromString(s string) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(s)), nil }
}

// fromFile opens a file of testdata.
func fromFile(tb testing.TB, name string) func() (io.ReadCloser, error) {
	tb.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	return fromString(string(b))
}

// MustImport imports and fails the test on an error.
func (e *env) MustImport(tb testing.TB, siteID, format string, open func() (io.ReadCloser, error)) *importer.Report {
	tb.Helper()
	rep, err := e.importer().Import(context.Background(), siteID, format, open)
	if err != nil {
		tb.Fatal(err)
	}
	return rep
}

// storedComment is a comment as the import left it, by its ID in the source.
type storedComment struct {
	Status, Body, Author, Parent, Story string
	ReplyCount, Depth                   int
}

// MustComments reads the site's imported comments by their external IDs.
func (e *env) MustComments(tb testing.TB, siteID, source string) map[string]storedComment {
	tb.Helper()
	rows, err := postgrestest.Pool(tb, e.db).Query(context.Background(), `
		SELECT k.external_id, c.status, c.body, coalesce(u.username, ''), coalesce(pk.external_id, ''), c.story_id::text, c.reply_count, c.depth
		FROM import_keys k JOIN comments c ON c.id = k.local_id
		LEFT JOIN users u ON u.id = c.author_id
		LEFT JOIN import_keys pk ON pk.local_id = c.parent_id AND pk.kind = 'comment'
		WHERE k.site_id = $1 AND k.source = $2 AND k.kind = 'comment'`, siteID, source)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	out := map[string]storedComment{}
	for rows.Next() {
		var id string
		var c storedComment
		if err := rows.Scan(&id, &c.Status, &c.Body, &c.Author, &c.Parent, &c.Story, &c.ReplyCount, &c.Depth); err != nil {
			tb.Fatal(err)
		}
		out[id] = c
	}
	return out
}

// MustStoryCount is a story's published-comment count as readers see it.
func (e *env) MustStoryCount(tb testing.TB, storyID string) int {
	tb.Helper()
	var n int
	if err := postgrestest.Pool(tb, e.db).QueryRow(context.Background(),
		`SELECT coalesce(sum(count), 0)::int FROM story_comment_counts WHERE story_id = $1`, storyID).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

// MustImportEvents decodes the site's import.completed events, oldest first.
func (e *env) MustImportEvents(tb testing.TB, siteID string) []parley.ImportCompleted {
	tb.Helper()
	rows, err := postgrestest.Pool(tb, e.db).Query(context.Background(), `
		SELECT payload FROM outbox WHERE site_id = $1 AND kind = 'import.completed' ORDER BY created_at, id`, siteID)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var out []parley.ImportCompleted
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			tb.Fatal(err)
		}
		p, err := parley.DecodeEvent(parley.EventImportCompleted, data)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, p.(parley.ImportCompleted))
	}
	return out
}
