package auth_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/auth"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/postgres/postgrestest"
)

// testClock is a clock a test moves by hand, so a grace period passes without waiting.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestDeletionGrace(t *testing.T) {
	t.Parallel()
	db := postgrestest.MustOpenDB(t)
	store := postgres.NewAccountStore(db)
	clock := &testClock{now: time.Now()}
	const grace = 24 * time.Hour
	svc := auth.NewService(store, auth.Options{Password: cheapParams, Now: clock.Now, DeletionGrace: grace})
	in := newSignUp()
	signIn := parley.SignInInput{Login: in.Username, Password: in.Password}
	signedUp := MustSignUp(t, svc, in)
	user := signedUp.User
	asUser := parley.NewContextWithUser(context.Background(), user)
	deleteAccount := func(t *testing.T) {
		t.Helper()
		if err := svc.DeleteAccount(asUser, parley.DeleteAccountInput{Password: in.Password}); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("signing in within the grace cancels the deletion and says so", func(t *testing.T) {
		apiToken, _, err := svc.CreateAPIToken(asUser, "feed reader")
		if err != nil {
			t.Fatal(err)
		}
		deleteAccount(t)
		if _, err := svc.Authenticate(context.Background(), apiToken); parley.ErrorCode(err) != parley.EUNAUTHENTICATED {
			t.Fatalf("the API token during the grace: %v, want UNAUTHENTICATED", err)
		}
		clock.Add(grace - time.Minute)
		p, err := svc.SignIn(context.Background(), signIn)
		if err != nil || !p.DeletionCancelled || p.RestoredAPITokens != 1 {
			t.Fatalf("sign-in = %+v, %v; want the deletion cancelled and one API token restored", p, err)
		}
		if got, err := svc.Authenticate(context.Background(), apiToken); err != nil || got.ID != user.ID {
			t.Errorf("the API token after cancelling: %v, %v; want it to work again", got, err)
		}
		if _, err := svc.Authenticate(context.Background(), signedUp.Token); parley.ErrorCode(err) != parley.EUNAUTHENTICATED {
			t.Errorf("the session from before the deletion: %v, want it still revoked", err)
		}
		if n, err := store.EraseDueAccounts(context.Background(), clock.Now().Add(2*grace)); err != nil || n != 0 {
			t.Errorf("erased after the cancelled deletion = %d, %v; want 0", n, err)
		}
		if p, err := svc.SignIn(context.Background(), signIn); err != nil || p.DeletionCancelled {
			t.Errorf("a later sign-in = %+v, %v; want no deletion to cancel", p, err)
		}
	})
	t.Run("signing in after the grace is unauthenticated, and after the erasure too", func(t *testing.T) {
		deleteAccount(t)
		clock.Add(grace)
		_, err := svc.SignIn(context.Background(), signIn)
		if parley.ErrorCode(err) != parley.EUNAUTHENTICATED {
			t.Fatalf("sign-in after the grace: %v, want UNAUTHENTICATED", err)
		}
		if n, err := store.EraseDueAccounts(context.Background(), clock.Now()); err != nil || n != 1 {
			t.Fatalf("erased = %d, %v; want 1", n, err)
		}
		_, err = svc.SignIn(context.Background(), signIn)
		if parley.ErrorCode(err) != parley.EUNAUTHENTICATED {
			t.Errorf("sign-in after the erasure: %v, want UNAUTHENTICATED", err)
		}
	})
}
