package postgrestest

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/postgres"
)

// Fixtures makes the rows most capability tests start from: an administrator, commenters,
// moderators, and sites with a story, each with names of its own so that tests sharing one
// database run in parallel. Packages embed it in their test environment.
type Fixtures struct {
	DB       *postgres.DB
	Sites    *postgres.SiteService
	Stories  *postgres.StoryService
	Users    *postgres.UserService
	Accounts *postgres.AccountStore
	// Admin is a context signed in as the instance's administrator.
	Admin context.Context
}

// seq numbers what Fixtures makes, so that no two names meet.
var seq atomic.Int64

// NewFixtures builds the storage services on db and creates the administrator.
func NewFixtures(ctx context.Context, db *postgres.DB) (*Fixtures, error) {
	f := &Fixtures{DB: db, Sites: postgres.NewSiteService(db), Stories: postgres.NewStoryService(db),
		Users: postgres.NewUserService(db), Accounts: postgres.NewAccountStore(db)}
	admin := &parley.User{Username: "admin", Email: "admin@example.org", Admin: true}
	if err := f.Accounts.CreateUser(ctx, admin, ""); err != nil {
		return nil, err
	}
	f.Admin = parley.NewContextWithUser(context.Background(), admin)
	return f, nil
}

// MustUser creates a commenter and returns a context signed in as them.
func (f *Fixtures) MustUser(tb testing.TB) (context.Context, *parley.User) {
	tb.Helper()
	n := seq.Add(1)
	u := &parley.User{Username: fmt.Sprintf("user%d", n), Email: fmt.Sprintf("user%d@example.org", n)}
	if err := f.Accounts.CreateUser(context.Background(), u, ""); err != nil {
		tb.Fatal(err)
	}
	return parley.NewContextWithUser(context.Background(), u), u
}

// MustModerator creates a moderator of site.
func (f *Fixtures) MustModerator(tb testing.TB, site *parley.Site) (context.Context, *parley.User) {
	tb.Helper()
	ctx, u := f.MustUser(tb)
	if err := f.Users.SetSiteRole(f.Admin, site.ID, u.ID, parley.RoleModerator); err != nil {
		tb.Fatal(err)
	}
	return ctx, u
}

// MustStory creates a site with an origin of its own and a story on it.
func (f *Fixtures) MustStory(tb testing.TB) (*parley.Site, *parley.Story) {
	tb.Helper()
	n := seq.Add(1)
	site, err := f.Sites.CreateSite(f.Admin, parley.CreateSiteInput{Name: fmt.Sprintf("Site %d", n),
		AllowedOrigins: []string{fmt.Sprintf("https://site%d.example.org", n)}})
	if err != nil {
		tb.Fatal(err)
	}
	story, err := f.Stories.FindStoryByURL(context.Background(), fmt.Sprintf("https://site%d.example.org/news/1", n))
	if err != nil {
		tb.Fatal(err)
	}
	return site, story
}
