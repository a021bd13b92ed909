package auth_test

import (
	"context"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/auth"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/postgres/postgrestest"
)

// dropDuringLookup is the real account store with one hook: while a token is being looked up
// it runs during, so a test can revoke in the middle of a lookup. It does not mock storage.
type dropDuringLookup struct {
	parley.AccountStore
	during func()
}

func (s *dropDuringLookup) FindUserByTokenHash(ctx context.Context, hash []byte) (*parley.User, error) {
	u, err := s.AccountStore.FindUserByTokenHash(ctx, hash)
	if s.during != nil {
		s.during()
	}
	return u, err
}

// MustAuthenticate resolves a token or fails the test.
func MustAuthenticate(tb testing.TB, svc *auth.Service, token string) *parley.User {
	tb.Helper()
	u, err := svc.Authenticate(context.Background(), token)
	if err != nil {
		tb.Fatalf("Authenticate: %v", err)
	}
	return u
}

func TestIdentityCache(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	ctx := context.Background()
	// Two services on one database stand for two replicas, each with its own cache.
	newReplica := func(store parley.AccountStore) (*auth.Service, *auth.IdentityCache) {
		c := auth.NewIdentityCache(auth.IdentityCacheOptions{})
		c.SetLive(true)
		return auth.NewService(store, auth.Options{Password: cheapParams, Identities: c}), c
	}
	a, _ := newReplica(postgres.NewAccountStore(db))
	b, cacheB := newReplica(postgres.NewAccountStore(db))

	t.Run("a second read of a token is answered from the cache", func(t *testing.T) {
		p := MustSignUp(t, a, newSignUp())
		before := cacheB.Stats()
		MustAuthenticate(t, b, p.Token)
		u := MustAuthenticate(t, b, p.Token)
		after := cacheB.Stats()
		if u.ID != p.User.ID || after.Hits != before.Hits+1 || after.Misses != before.Misses+1 {
			t.Fatalf("user %s (want %s); hits %d→%d, misses %d→%d", u.ID, p.User.ID, before.Hits, after.Hits, before.Misses, after.Misses)
		}
		u.Username = "changed by a caller"
		if again := MustAuthenticate(t, b, p.Token); again.Username != p.User.Username {
			t.Errorf("a caller's change reached the cache: %q", again.Username)
		}
	})

	t.Run("a token signed out on one replica is refused by the other once the event arrives", func(t *testing.T) {
		p := MustSignUp(t, a, newSignUp())
		MustAuthenticate(t, b, p.Token)
		if err := a.SignOut(ctx, p.Token); err != nil {
			t.Fatal(err)
		}
		// The relay would carry this event from the outbox; read it from there.
		var userID, tokenID string
		err := postgrestest.Pool(t, db).QueryRow(ctx, `SELECT payload->>'userID', payload->>'tokenID' FROM outbox
			WHERE kind = $1 AND payload->>'userID' = $2`, parley.EventTokensRevoked, p.User.ID).Scan(&userID, &tokenID)
		if err != nil {
			t.Fatalf("no %s event in the outbox: %v", parley.EventTokensRevoked, err)
		}
		cacheB.Handle(parley.Event{Payload: parley.TokensRevoked{UserID: userID, TokenID: tokenID}})
		_, err = b.Authenticate(ctx, p.Token)
		wantError(t, err, parley.EUNAUTHENTICATED, "")
	})

	t.Run("a token signed out is refused at once by the replica that signed it out", func(t *testing.T) {
		p := MustSignUp(t, a, newSignUp())
		MustAuthenticate(t, a, p.Token)
		if err := a.SignOut(ctx, p.Token); err != nil {
			t.Fatal(err)
		}
		_, err := a.Authenticate(ctx, p.Token)
		wantError(t, err, parley.EUNAUTHENTICATED, "")
	})

	for _, tc := range []struct {
		name  string
		event func(userID string) parley.EventPayload
	}{
		{"a deleted account's token is looked up again", func(id string) parley.EventPayload { return parley.UserDeleted{ID: id} }},
		{"a banned user's token is looked up again", func(id string) parley.EventPayload {
			return parley.UserSanctioned{UserID: id, SanctionKind: parley.SanctionBan}
		}},
		{"a user given a role is looked up again", func(id string) parley.EventPayload {
			return parley.UserRoleChanged{UserID: id, Role: parley.RoleModerator}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := MustSignUp(t, a, newSignUp())
			MustAuthenticate(t, b, p.Token)
			cacheB.Handle(parley.Event{Payload: tc.event(p.User.ID)})
			before := cacheB.Stats().Misses
			MustAuthenticate(t, b, p.Token)
			if cacheB.Stats().Misses != before+1 {
				t.Error("the token was answered from the cache")
			}
		})
	}

	t.Run("a lookup under way when its token is revoked is not kept", func(t *testing.T) {
		store := &dropDuringLookup{AccountStore: postgres.NewAccountStore(db)}
		c, cache := newReplica(store)
		p := MustSignUp(t, a, newSignUp())
		// The lookup reads the token live; the revocation and its event land before it returns.
		store.during = func() {
			store.during = nil
			if err := a.SignOut(ctx, p.Token); err != nil {
				t.Error(err)
			}
			cache.Handle(parley.Event{Payload: parley.TokensRevoked{UserID: p.User.ID}})
		}
		MustAuthenticate(t, c, p.Token)
		_, err := c.Authenticate(ctx, p.Token)
		wantError(t, err, parley.EUNAUTHENTICATED, "")
	})

	t.Run("a cache that does not hear events keeps nothing", func(t *testing.T) {
		c, cache := newReplica(postgres.NewAccountStore(db))
		p := MustSignUp(t, a, newSignUp())
		MustAuthenticate(t, c, p.Token)
		cache.SetLive(false)
		if s := cache.Stats(); s.Entries != 0 || s.Live {
			t.Fatalf("after the stream was lost: %+v", s)
		}
		MustAuthenticate(t, c, p.Token)
		MustAuthenticate(t, c, p.Token)
		if s := cache.Stats(); s.Hits != 0 || s.Entries != 0 {
			t.Fatalf("kept while not live: %+v", s)
		}
		if err := a.SignOut(ctx, p.Token); err != nil {
			t.Fatal(err)
		}
		_, err := c.Authenticate(ctx, p.Token)
		wantError(t, err, parley.EUNAUTHENTICATED, "")
	})
}
