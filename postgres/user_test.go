package postgres_test

import (
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/postgres/postgrestest"
)

// TestSiteRoles checks that the batched lookup answers every pair as SiteRole does, and
// leaves out the pairs SiteRole answers ENOTFOUND.
func TestSiteRoles(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	site, _ := e.MustStory(t)
	other, _ := e.MustStory(t)
	_, mod := e.MustUser(t)
	_, member := e.MustUser(t)
	_, plain := e.MustUser(t)
	if err := e.users.SetSiteRole(e.admin, site.ID, mod.ID, parley.RoleModerator); err != nil {
		t.Fatal(err)
	}
	if err := e.users.SetSiteRole(e.admin, other.ID, member.ID, parley.RoleMember); err != nil {
		t.Fatal(err)
	}
	admin := parley.UserFromContext(e.admin)
	const unknown = "0190a4e2-0000-7000-8000-000000000000"
	var keys []parley.SiteUser
	for _, siteID := range []string{site.ID, other.ID, unknown, "not-an-id"} {
		for _, userID := range []string{mod.ID, member.ID, plain.ID, admin.ID, unknown, "not-an-id"} {
			keys = append(keys, parley.SiteUser{SiteID: siteID, UserID: userID})
		}
	}
	roles, err := e.users.SiteRoles(e.admin, keys)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		want, wantErr := e.users.SiteRole(e.admin, k.SiteID, k.UserID)
		got, ok := roles[k]
		switch {
		case wantErr != nil && ok:
			t.Errorf("SiteRoles[%v] = %s, but SiteRole fails: %v", k, got, wantErr)
		case wantErr == nil && got != want:
			t.Errorf("SiteRoles[%v] = %q, SiteRole = %q", k, got, want)
		}
	}
	if got := roles[parley.SiteUser{SiteID: site.ID, UserID: mod.ID}]; got != parley.RoleModerator {
		t.Errorf("moderator's role = %q", got)
	}
	if got := roles[parley.SiteUser{SiteID: other.ID, UserID: admin.ID}]; got != parley.RoleAdmin {
		t.Errorf("admin's role = %q", got)
	}
	t.Run("no keys, no roles", func(t *testing.T) {
		if roles, err := e.users.SiteRoles(e.admin, nil); err != nil || len(roles) != 0 {
			t.Errorf("SiteRoles(nil) = %v, %v", roles, err)
		}
	})
}

// TestMuteLimit fills a reader's mutes to the limit and checks that one more is refused
// and leaves nothing behind, while muting someone already muted still succeeds.
func TestMuteLimit(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	ctx, reader := e.MustUser(t)
	_, extra := e.MustUser(t)
	postgrestest.Exec(t, e.db, `
		WITH muted AS (
			INSERT INTO users (id, username) SELECT gen_random_uuid(), 'muted' || $2::text || '_' || i
			FROM generate_series(1, $3::int) AS i RETURNING id)
		INSERT INTO user_mutes (muter_id, muted_id) SELECT $1, id FROM muted`, reader.ID, reader.ID[:8], parley.MaxMutedUsers)
	count := func() int {
		return e.count(t, `SELECT count(*) FROM user_mutes WHERE muter_id = $1`, reader.ID)
	}
	_, err := e.users.MuteUser(ctx, extra.ID)
	wantCode(t, err, parley.EINVALID)
	if n := count(); n != parley.MaxMutedUsers {
		t.Errorf("%d mutes after a refused one, want %d", n, parley.MaxMutedUsers)
	}
	muted, err := e.users.FindMutedUsers(ctx)
	if err != nil || len(muted) != parley.MaxMutedUsers {
		t.Fatalf("FindMutedUsers = %d users, %v", len(muted), err)
	}
	if again, err := e.users.MuteUser(ctx, muted[0].ID); err != nil || again.ID != muted[0].ID {
		t.Errorf("muting again at the limit = %v, %v; want the user", again, err)
	}
	if _, err := e.users.UnmuteUser(ctx, muted[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.users.MuteUser(ctx, extra.ID); err != nil {
		t.Errorf("mute after making room: %v", err)
	}
}
