package auth_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/auth"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/postgres/postgrestest"
	"github.com/parleyhq/parley/ratelimit"
)

// These tests run the Service against the real PostgreSQL store: the project does not mock
// its own database. Each test makes its own accounts, so they share one database.

var accountSeq atomic.Int64

// newSignUp returns sign-up input for an account no other test uses.
func newSignUp() parley.SignUpInput {
	n := accountSeq.Add(1)
	return parley.SignUpInput{
		Email:    fmt.Sprintf("reader%d-%d@example.org", n, time.Now().UnixNano()%1e6),
		Username: fmt.Sprintf("reader%d_%d", n, time.Now().UnixNano()%1e6),
		Password: "correct horse battery staple",
	}
}

// MustSignUp creates an account through the Service or fails the test.
func MustSignUp(tb testing.TB, svc *auth.Service, in parley.SignUpInput) *parley.AuthPayload {
	tb.Helper()
	p, err := svc.SignUp(context.Background(), in)
	if err != nil {
		tb.Fatalf("SignUp(%s): %v", in.Email, err)
	}
	return p
}

// wantError fails the test unless err has the code and message.
func wantError(tb testing.TB, err error, code, msg string) {
	tb.Helper()
	if got := parley.ErrorCode(err); got != code {
		tb.Fatalf("code = %q, want %q (err %v)", got, code, err)
	}
	if msg != "" {
		if got := parley.ErrorMessage(err); got != msg {
			tb.Errorf("message:\n got %s\nwant %s", got, msg)
		}
	}
}

const badCredentials = "Email/username or password is incorrect."

func TestService(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	store := postgres.NewAccountStore(db)
	svc := auth.NewService(store, auth.Options{Password: cheapParams})
	ctx := context.Background()

	t.Run("SignUp", func(t *testing.T) { testSignUp(t, store, svc) })
	t.Run("SignIn", func(t *testing.T) { testSignIn(t, store, svc) })
	t.Run("SSO", func(t *testing.T) { testSSO(t, db, svc) })

	t.Run("Authenticate", func(t *testing.T) {
		t.Run("refuses a revoked session, and signing out twice succeeds", func(t *testing.T) {
			p := MustSignUp(t, svc, newSignUp())
			for range 2 {
				if err := svc.SignOut(ctx, p.Token); err != nil {
					t.Fatalf("SignOut: %v", err)
				}
			}
			_, err := svc.Authenticate(ctx, p.Token)
			wantError(t, err, parley.EUNAUTHENTICATED, "Your session has expired or was revoked; please sign in again.")
		})
		t.Run("refuses an expired session", func(t *testing.T) {
			past := auth.NewService(store, auth.Options{Password: cheapParams,
				Now: func() time.Time { return time.Now().Add(-auth.DefaultSessionTTL - time.Minute) }})
			p := MustSignUp(t, past, newSignUp())
			_, err := svc.Authenticate(ctx, p.Token)
			wantError(t, err, parley.EUNAUTHENTICATED, "Your session has expired or was revoked; please sign in again.")
		})
		t.Run("refuses a well-formed token it never issued", func(t *testing.T) {
			tok, _ := MustNewToken(t, auth.KindSession)
			_, err := svc.Authenticate(ctx, tok)
			wantError(t, err, parley.EUNAUTHENTICATED, "Your session has expired or was revoked; please sign in again.")
		})
		t.Run("refuses a malformed token", func(t *testing.T) {
			_, err := svc.Authenticate(ctx, "Bearer nonsense")
			wantError(t, err, parley.EUNAUTHENTICATED, "The access token is malformed; sign in again to get a new one.")
			wantError(t, svc.SignOut(ctx, "nonsense"), parley.EUNAUTHENTICATED, "")
		})
	})

	t.Run("CreateAPIToken", func(t *testing.T) {
		p := MustSignUp(t, svc, newSignUp())
		userCtx := parley.NewContextWithUser(ctx, p.User)
		t.Run("issues a token that authenticates as the user", func(t *testing.T) {
			secret, tok, err := svc.CreateAPIToken(userCtx, "  CI deploys  ")
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(secret, auth.APITokenPrefix) {
				t.Errorf("secret %q lacks the prefix %q", secret, auth.APITokenPrefix)
			}
			want := &parley.APIToken{Name: "CI deploys", UserID: p.User.ID}
			if diff := cmp.Diff(want, tok, cmpopts.IgnoreFields(parley.APIToken{}, "ID", "CreatedAt")); diff != "" {
				t.Errorf("token (-want +got):\n%s", diff)
			}
			if !parley.IsID(tok.ID) || tok.CreatedAt.IsZero() {
				t.Errorf("token ID %q, CreatedAt %v: want both filled in", tok.ID, tok.CreatedAt)
			}
			u, err := svc.Authenticate(ctx, secret)
			if err != nil {
				t.Fatal(err)
			}
			if u.ID != p.User.ID {
				t.Errorf("API token authenticates as %s, want %s", u.ID, p.User.ID)
			}
		})
		t.Run("refuses an anonymous caller", func(t *testing.T) {
			_, _, err := svc.CreateAPIToken(ctx, "CI")
			wantError(t, err, parley.EUNAUTHENTICATED, "Sign in to create an API token.")
		})
		for _, tt := range []struct {
			name, tokenName, msg string
		}{
			{"an empty name", "   ", "Token name must be 1 to 100 characters."},
			{"a name of invisible characters", "\u200b\u2060\ufeff", "Token name must be 1 to 100 characters."},
			{"a long name", strings.Repeat("n", 101), "Token name must be 1 to 100 characters."},
			{"a name with control characters", "CI\x07", "Token name must be plain text without control characters."},
			{"a name that is not UTF-8", "CI\xff", "Token name must be plain text without control characters."},
		} {
			t.Run("refuses "+tt.name, func(t *testing.T) {
				_, _, err := svc.CreateAPIToken(userCtx, tt.tokenName)
				wantError(t, err, parley.EINVALID, tt.msg)
			})
		}
	})

	t.Run("CreateAdmin", func(t *testing.T) {
		t.Run("creates an admin who can sign in", func(t *testing.T) {
			in := newSignUp()
			u, err := svc.CreateAdmin(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			if !u.Admin || !parley.IsID(u.ID) {
				t.Errorf("admin = %+v, want Admin and an ID", u)
			}
			p, err := svc.SignIn(ctx, parley.SignInInput{Login: in.Username, Password: in.Password})
			if err != nil {
				t.Fatal(err)
			}
			if !p.User.Admin {
				t.Error("signed-in admin is not an admin")
			}
		})
		t.Run("refuses a short password", func(t *testing.T) {
			in := newSignUp()
			in.Password = "short"
			_, err := svc.CreateAdmin(ctx, in)
			wantError(t, err, parley.EINVALID, "Password must be at least 10 characters.")
		})
	})
}

func testSignUp(t *testing.T, store parley.AccountStore, svc *auth.Service) {
	ctx := context.Background()
	t.Run("creates an account with a session that authenticates", func(t *testing.T) {
		in := newSignUp()
		before := time.Now()
		p := MustSignUp(t, svc, in)
		if !strings.HasPrefix(p.Token, auth.SessionTokenPrefix) {
			t.Errorf("token %q lacks the prefix %q", p.Token, auth.SessionTokenPrefix)
		}
		if min := before.Add(auth.DefaultSessionTTL); p.ExpiresAt.Before(min) || p.ExpiresAt.After(min.Add(time.Minute)) {
			t.Errorf("ExpiresAt = %v, want about %v", p.ExpiresAt, min)
		}
		u, err := svc.Authenticate(ctx, p.Token)
		if err != nil {
			t.Fatal(err)
		}
		want := &parley.User{ID: p.User.ID, Username: in.Username, Email: in.Email, CreatedAt: p.User.CreatedAt, HasPassword: true}
		if diff := cmp.Diff(want, u, cmpopts.EquateApproxTime(time.Millisecond)); diff != "" {
			t.Errorf("authenticated user (-want +got):\n%s", diff)
		}
		_, hash, err := store.FindCredentials(ctx, in.Email)
		if err != nil {
			t.Fatal(err)
		}
		if auth.NeedsRehash(hash, cheapParams) || !MustVerifyPassword(t, in.Password, hash) {
			t.Errorf("stored hash %q is not an argon2id hash of the password", hash)
		}
	})
	t.Run("refuses invalid input", func(t *testing.T) {
		in := newSignUp()
		in.Email = "nope"
		_, err := svc.SignUp(ctx, in)
		wantError(t, err, parley.EINVALID, "Email must look like name@example.org.")
	})
	t.Run("refuses a taken email", func(t *testing.T) {
		first := newSignUp()
		MustSignUp(t, svc, first)
		again := newSignUp()
		again.Email = strings.ToUpper(first.Email)
		_, err := svc.SignUp(ctx, again)
		wantError(t, err, parley.ECONFLICT, "An account with that email already exists.")
	})
	t.Run("limits sign-ups per client IP", func(t *testing.T) {
		limited := auth.NewService(store, auth.Options{Password: cheapParams, SignUpLimiter: ratelimit.NewMemory(time.Hour, 2)})
		fromA := parley.NewContextWithClient(ctx, parley.Client{IP: "192.0.2.1"})
		fromB := parley.NewContextWithClient(ctx, parley.Client{IP: "192.0.2.2"})
		for range 2 {
			if _, err := limited.SignUp(fromA, newSignUp()); err != nil {
				t.Fatal(err)
			}
		}
		_, err := limited.SignUp(fromA, newSignUp())
		wantError(t, err, parley.ERATELIMITED, "Too many sign-ups from your network; try again in 1 hour.")
		var perr *parley.Error
		if errors.As(err, &perr); perr.RetryAfter <= 0 || perr.RetryAfter > time.Hour {
			t.Errorf("RetryAfter = %v, want within the hour", perr.RetryAfter)
		}
		if _, err := limited.SignUp(fromB, newSignUp()); err != nil {
			t.Errorf("another IP was limited too: %v", err)
		}
	})
}

func testSignIn(t *testing.T, store parley.AccountStore, svc *auth.Service) {
	ctx := context.Background()
	signIn := func(login, password string) (*parley.AuthPayload, error) {
		return svc.SignIn(ctx, parley.SignInInput{Login: login, Password: password})
	}
	t.Run("signs in by email or username in any case", func(t *testing.T) {
		in := newSignUp()
		want := MustSignUp(t, svc, in).User
		for _, login := range []string{in.Email, strings.ToUpper(in.Username), " " + in.Username + " "} {
			p, err := signIn(login, in.Password)
			if err != nil {
				t.Fatalf("SignIn(%q): %v", login, err)
			}
			if p.User.ID != want.ID {
				t.Errorf("SignIn(%q) signed in %s, want %s", login, p.User.ID, want.ID)
			}
			if _, err := svc.Authenticate(ctx, p.Token); err != nil {
				t.Errorf("session from SignIn(%q): %v", login, err)
			}
		}
	})
	t.Run("answers the same whether or not the account exists or has a password", func(t *testing.T) {
		in := newSignUp()
		MustSignUp(t, svc, in)
		ssoOnly := &parley.User{Username: newSignUp().Username, Email: newSignUp().Email}
		if err := store.CreateUser(ctx, ssoOnly, ""); err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct{ name, login, password string }{
			{"a wrong password", in.Email, in.Password + "!"},
			{"an unknown account", "nobody-" + in.Email, in.Password},
			{"an account without a password", ssoOnly.Email, in.Password},
			{"an empty password", in.Email, ""},
			{"an oversized password", in.Email, strings.Repeat("p", parley.MaxPasswordLength+1)},
			{"an empty login", "  ", in.Password},
			{"an oversized login", strings.Repeat("l", 300), in.Password},
		} {
			_, err := signIn(tt.login, tt.password)
			if parley.ErrorCode(err) != parley.EUNAUTHENTICATED || parley.ErrorMessage(err) != badCredentials {
				t.Errorf("%s: err = %v, want %q", tt.name, err, badCredentials)
			}
		}
	})
	t.Run("locks a login out after five failures, whether or not the account exists", func(t *testing.T) {
		in := newSignUp()
		MustSignUp(t, svc, in)
		for _, login := range []string{in.Username, "ghost-" + in.Username} {
			for i := range auth.DefaultLockoutFailures {
				_, err := signIn(login, fmt.Sprintf("wrong password %d", i))
				wantError(t, err, parley.EUNAUTHENTICATED, badCredentials)
			}
			_, err := signIn(strings.ToUpper(login), in.Password)
			wantError(t, err, parley.ERATELIMITED, "Too many failed sign-ins for this account; try again in 15 minutes.")
		}
		// The lockout is per login: the same account by its email is a different key.
		if _, err := signIn(in.Email, in.Password); err != nil {
			t.Errorf("sign-in by email during a username lockout: %v", err)
		}
	})
	t.Run("forgets failures after a successful sign-in", func(t *testing.T) {
		in := newSignUp()
		MustSignUp(t, svc, in)
		for range 2 {
			for range auth.DefaultLockoutFailures - 1 {
				_, err := signIn(in.Email, "wrong password")
				wantError(t, err, parley.EUNAUTHENTICATED, badCredentials)
			}
			if _, err := signIn(in.Email, in.Password); err != nil {
				t.Fatalf("SignIn after %d failures: %v", auth.DefaultLockoutFailures-1, err)
			}
		}
	})
	t.Run("upgrades a hash made with older parameters", func(t *testing.T) {
		in := newSignUp()
		MustSignUp(t, svc, in)
		stronger := cheapParams
		stronger.Memory = 256
		upgraded := auth.NewService(store, auth.Options{Password: stronger})
		if _, err := upgraded.SignIn(ctx, parley.SignInInput{Login: in.Email, Password: in.Password}); err != nil {
			t.Fatal(err)
		}
		_, hash, err := store.FindCredentials(ctx, in.Email)
		if err != nil {
			t.Fatal(err)
		}
		if auth.NeedsRehash(hash, stronger) || !MustVerifyPassword(t, in.Password, hash) {
			t.Errorf("stored hash %q was not upgraded to %+v", hash, stronger)
		}
	})
	t.Run("limits sign-in attempts per client IP", func(t *testing.T) {
		limited := auth.NewService(store, auth.Options{Password: cheapParams, SignInLimiter: ratelimit.NewMemory(time.Hour, 2)})
		in := newSignUp()
		MustSignUp(t, svc, in)
		fromA := parley.NewContextWithClient(ctx, parley.Client{IP: "192.0.2.1"})
		for range 2 {
			_, err := limited.SignIn(fromA, parley.SignInInput{Login: "nobody@example.org", Password: "wrong password"})
			wantError(t, err, parley.EUNAUTHENTICATED, badCredentials)
		}
		_, err := limited.SignIn(fromA, parley.SignInInput{Login: in.Email, Password: in.Password})
		wantError(t, err, parley.ERATELIMITED, "Too many sign-in attempts from your network; try again in 1 hour.")
		fromB := parley.NewContextWithClient(ctx, parley.Client{IP: "192.0.2.2"})
		if _, err := limited.SignIn(fromB, parley.SignInInput{Login: in.Email, Password: in.Password}); err != nil {
			t.Errorf("another IP was limited too: %v", err)
		}
	})
	t.Run("verifies a hash for an unknown account as for a wrong password", func(t *testing.T) {
		// Timing is not asserted here (it depends on the machine); what makes the two answers
		// take the same time is that both pay for one argon2 verification, which is counted.
		in := newSignUp()
		MustSignUp(t, svc, in)
		for _, login := range []string{in.Email, "nobody-" + in.Email} {
			before := auth.Verifications(svc)
			_, err := svc.SignIn(ctx, parley.SignInInput{Login: login, Password: "wrong password"})
			wantError(t, err, parley.EUNAUTHENTICATED, badCredentials)
			if n := auth.Verifications(svc) - before; n != 1 {
				t.Errorf("sign-in as %q verified %d hashes, want 1", login, n)
			}
		}
	})
}

func testSSO(t *testing.T, db *postgres.DB, svc *auth.Service) {
	ctx := context.Background()
	admin, err := svc.CreateAdmin(ctx, newSignUp())
	if err != nil {
		t.Fatal(err)
	}
	adminCtx := parley.NewContextWithUser(ctx, admin)
	sites := postgres.NewSiteService(db)
	newSite := func(secret string) string {
		site, err := sites.CreateSite(adminCtx, parley.CreateSiteInput{Name: "News", AllowedOrigins: []string{"https://news.example.org"}})
		if err != nil {
			t.Fatal(err)
		}
		if secret != "" {
			if _, err := sites.UpdateSiteSettings(adminCtx, site.ID, parley.SiteSettingsUpdate{SSOSecret: &secret}); err != nil {
				t.Fatal(err)
			}
		}
		return site.ID
	}
	siteID := newSite(string(ssoSecret))
	token := func(sub, username string) string {
		now := time.Now()
		return MustSignSSO(t, jwt.SigningMethodHS256, jwt.MapClaims{
			"sub": sub, "iat": now.Unix(), "exp": now.Add(2 * time.Minute).Unix(),
			"jti": fmt.Sprintf("jti-%d", accountSeq.Add(1)), "email": username + "@news.example.org", "username": username,
		}, ssoSecret)
	}
	sub := fmt.Sprintf("subject-%d", accountSeq.Add(1))
	name := fmt.Sprintf("sso_%d_%d", accountSeq.Add(1), time.Now().UnixNano()%1e6)

	var first *parley.AuthPayload
	t.Run("creates an account for a new reader and signs it in", func(t *testing.T) {
		first, err = svc.SignInWithSSO(ctx, parley.SSOInput{SiteID: siteID, Token: token(sub, name)})
		if err != nil {
			t.Fatal(err)
		}
		want := &parley.User{ID: first.User.ID, Username: name, Email: name + "@news.example.org",
			SSOSiteID: siteID, SSOSubject: sub, CreatedAt: first.User.CreatedAt}
		if diff := cmp.Diff(want, first.User); diff != "" {
			t.Errorf("user (-want +got):\n%s", diff)
		}
		if u, err := svc.Authenticate(ctx, first.Token); err != nil || u.ID != first.User.ID {
			t.Errorf("Authenticate = %v, %v; want the SSO user", u, err)
		}
	})
	t.Run("signs a returning reader into the same account with the new username", func(t *testing.T) {
		if first == nil {
			t.Skip("the first sign-in failed")
		}
		p, err := svc.SignInWithSSO(ctx, parley.SSOInput{SiteID: siteID, Token: token(sub, name+"x")})
		if err != nil {
			t.Fatal(err)
		}
		if p.User.ID != first.User.ID || p.User.Username != name+"x" {
			t.Errorf("user = %+v, want %s renamed %s", p.User, first.User.ID, name+"x")
		}
	})
	t.Run("refuses a replayed token", func(t *testing.T) {
		tok := token(sub, name)
		if _, err := svc.SignInWithSSO(ctx, parley.SSOInput{SiteID: siteID, Token: tok}); err != nil {
			t.Fatal(err)
		}
		_, err := svc.SignInWithSSO(ctx, parley.SSOInput{SiteID: siteID, Token: tok})
		wantError(t, err, parley.EUNAUTHENTICATED, "This sign-in token was already used.")
	})
	t.Run("refuses a token signed with another secret", func(t *testing.T) {
		other := newSite("another secret, just as long as the first one")
		_, err := svc.SignInWithSSO(ctx, parley.SSOInput{SiteID: other, Token: token(sub, name)})
		wantError(t, err, parley.EUNAUTHENTICATED, "The sign-in token's signature does not match the site's single sign-on secret.")
	})
	t.Run("refuses a site without single sign-on", func(t *testing.T) {
		_, err := svc.SignInWithSSO(ctx, parley.SSOInput{SiteID: newSite(""), Token: token(sub, name)})
		wantError(t, err, parley.EFORBIDDEN, "This site has no single sign-on configured.")
	})
	t.Run("refuses an unknown site", func(t *testing.T) {
		for _, id := range []string{"0190a6e1-0000-7000-8000-000000000000", "not-a-site"} {
			_, err := svc.SignInWithSSO(ctx, parley.SSOInput{SiteID: id, Token: token(sub, name)})
			wantError(t, err, parley.ENOTFOUND, "Site not found.")
		}
	})
}

func TestHumanDuration(t *testing.T) {
	for _, tt := range []struct {
		d    time.Duration
		want string
	}{
		{0, "a second"},
		{time.Second, "a second"},
		{1500 * time.Millisecond, "2 seconds"},
		{59 * time.Second, "59 seconds"},
		{59*time.Second + time.Millisecond, "1 minute"},
		{90 * time.Second, "2 minutes"},
		{59*time.Minute + 59*time.Second, "1 hour"},
		{time.Hour, "1 hour"},
		{3 * time.Hour, "3 hours"},
	} {
		t.Run(fmt.Sprintf("says %s for %s", tt.want, tt.d), func(t *testing.T) {
			if got := auth.HumanDuration(tt.d); got != tt.want {
				t.Errorf("HumanDuration(%s) = %q, want %q", tt.d, got, tt.want)
			}
		})
	}
}
