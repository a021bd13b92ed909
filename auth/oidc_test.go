package auth_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"golang.org/x/oauth2"
	"golang.org/x/text/language"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/auth"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/postgres/postgrestest"
)

// opUsers is the real OpenID provider's user list: a verified reader, a reader whose email
// the provider has not verified, and one whose email a Parley account already has.
type opUsers map[string]*storage.User

func (u opUsers) GetUserByID(id string) *storage.User { return u[id] }
func (u opUsers) GetUserByUsername(name string) *storage.User {
	for _, x := range u {
		if x.Username == name {
			return x
		}
	}
	return nil
}
func (opUsers) ExampleClientID() string { return storage.ServiceUserID }

const (
	opPassword     = "verysecure"
	parleyCallback = "http://127.0.0.1:1/oidc/callback" // never dialled: the test reads code and state off the redirect
	origin         = "https://news.example.org"
)

var opSeq atomic.Int64

// testOP is a real OpenID provider (zitadel/oidc's example OP) on a test server.
type testOP struct {
	issuer string
	users  opUsers
}

func MustStartOP(tb testing.TB) *testOP {
	tb.Helper()
	var h http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	tb.Cleanup(srv.Close)
	users := opUsers{}
	clients := map[string]*storage.Client{
		"parley": storage.WebClient("parley", "parley-secret", parleyCallback),
		"other":  storage.WebClient("other", "other-secret", parleyCallback),
	}
	st := storage.NewStorageWithClients(users, clients)
	h = exampleop.SetupServer(srv.URL, st, nil, false)
	return &testOP{issuer: srv.URL, users: users}
}

// addUser adds a provider account and answers its username.
func (p *testOP) addUser(email string, verified bool) string {
	n := opSeq.Add(1)
	id := "u" + strings.Repeat("x", 1) + string(rune('a'+n%26)) + url.QueryEscape(email)
	name := "Reader " + email
	p.users[id] = &storage.User{ID: id, Username: "op-" + email, Password: opPassword, FirstName: name, LastName: "",
		Email: email, EmailVerified: verified, PreferredLanguage: language.English}
	return "op-" + email
}

// signIn plays the browser at the provider: it follows authURL, posts the login form and
// answers the state and code of the redirect back to Parley.
func (p *testOP) signIn(tb testing.TB, authURL, username string) (state, code string) {
	tb.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	next := func(resp *http.Response, err error) *url.URL {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusSeeOther {
			tb.Fatalf("%s %s: status %d, want a redirect", resp.Request.Method, resp.Request.URL, resp.StatusCode)
		}
		loc, err := resp.Request.URL.Parse(resp.Header.Get("Location"))
		if err != nil {
			tb.Fatal(err)
		}
		return loc
	}
	login := next(c.Get(authURL))
	id := login.Query().Get("authRequestID")
	if id == "" {
		tb.Fatalf("no authRequestID in %s", login)
	}
	cb := next(c.PostForm(login.String(), url.Values{"id": {id}, "username": {username}, "password": {opPassword}}))
	back := next(c.Get(cb.String()))
	if !strings.HasPrefix(back.String(), parleyCallback) {
		tb.Fatalf("the provider redirected to %s, want %s", back, parleyCallback)
	}
	return back.Query().Get("state"), back.Query().Get("code")
}

func TestOIDC(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	ctx := context.Background()
	svc := auth.NewService(postgres.NewAccountStore(db), auth.Options{Password: cheapParams})
	o := auth.NewOIDC(svc, postgres.NewOIDCStore(db), auth.OIDCOptions{CallbackURL: parleyCallback})
	op := MustStartOP(t)

	admin, err := svc.CreateAdmin(ctx, newSignUp())
	if err != nil {
		t.Fatal(err)
	}
	adminCtx := parley.NewContextWithUser(ctx, admin)
	site, err := postgres.NewSiteService(db).CreateSite(adminCtx, parley.CreateSiteInput{Name: "News", AllowedOrigins: []string{origin}})
	if err != nil {
		t.Fatal(err)
	}
	addProvider := func(t *testing.T, clientID, secret string) *parley.OIDCProvider {
		t.Helper()
		p := &parley.OIDCProvider{SiteID: site.ID, Name: "Newsroom login", Issuer: op.issuer, ClientID: clientID, ClientSecret: secret}
		if err := o.AddOIDCProvider(adminCtx, p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	prov := addProvider(t, "parley", "parley-secret")
	start := func(t *testing.T) string {
		t.Helper()
		u, err := o.StartOIDC(ctx, prov.ID, site.ID, origin)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}

	t.Run("adding a provider is refused to a reader and for a plain-http issuer", func(t *testing.T) {
		reader := MustSignUp(t, svc, newSignUp())
		err := o.AddOIDCProvider(parley.NewContextWithUser(ctx, reader.User), &parley.OIDCProvider{Name: "x", Issuer: op.issuer, ClientID: "a", ClientSecret: "b"})
		wantError(t, err, parley.EFORBIDDEN, "")
		err = o.AddOIDCProvider(adminCtx, &parley.OIDCProvider{Name: "x", Issuer: "http://idp.example.org", ClientID: "a", ClientSecret: "b"})
		wantError(t, err, parley.EINVALID, "")
	})

	t.Run("start sends PKCE S256, state and nonce", func(t *testing.T) {
		u, err := url.Parse(start(t))
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		for _, k := range []string{"state", "nonce", "code_challenge"} {
			if q.Get(k) == "" {
				t.Errorf("no %s in %s", k, u)
			}
		}
		if q.Get("code_challenge_method") != "S256" || q.Get("client_id") != "parley" {
			t.Errorf("method %q, client %q", q.Get("code_challenge_method"), q.Get("client_id"))
		}
	})

	t.Run("start refuses an origin the site does not allow and an unknown provider", func(t *testing.T) {
		_, err := o.StartOIDC(ctx, prov.ID, site.ID, "https://evil.example.net")
		wantError(t, err, parley.EINVALID, "")
		_, err = o.StartOIDC(ctx, "0190a000-0000-7000-8000-000000000000", site.ID, origin)
		wantError(t, err, parley.ENOTFOUND, "Sign-in provider not found.")
	})

	t.Run("a new verified reader gets an account and a session, and again the same account", func(t *testing.T) {
		name := op.addUser("new-reader@example.org", true)
		state, code := op.signIn(t, start(t), name)
		in, err := o.FinishOIDC(ctx, state, code)
		if err != nil {
			t.Fatal(err)
		}
		if in.Session == nil || in.Origin != origin || in.Session.User.Email != "new-reader@example.org" {
			t.Fatalf("sign-in %+v", in)
		}
		if got := MustAuthenticate(t, svc, in.Session.Token); got.ID != in.Session.User.ID {
			t.Fatalf("session of %s, want %s", got.ID, in.Session.User.ID)
		}
		// The provider verified the address, so a site that requires a verified one does
		// not hold the new account's first comment.
		if ok, err := postgres.NewRecoveryStore(db).EmailVerified(ctx, in.Session.User.ID); err != nil || !ok {
			t.Errorf("email verified = %v, %v; want true", ok, err)
		}
		state, code = op.signIn(t, start(t), name)
		again, err := o.FinishOIDC(ctx, state, code)
		if err != nil {
			t.Fatal(err)
		}
		if again.Session == nil || again.Session.User.ID != in.Session.User.ID {
			t.Fatalf("second sign-in %+v, want account %s", again, in.Session.User.ID)
		}
	})

	t.Run("a reader whose username is taken gets it with a number", func(t *testing.T) {
		taken := MustSignUp(t, svc, newSignUp()).User.Username
		name := op.addUser("clash@example.org", true)
		op.users[opUserID(op, name)].Username = taken // preferred_username is the OP's username
		state, code := op.signIn(t, start(t), taken)
		in, err := o.FinishOIDC(ctx, state, code)
		if err != nil {
			t.Fatal(err)
		}
		if got := in.Session.User.Username; got != taken+"2" {
			t.Fatalf("username %q, want %q", got, taken+"2")
		}
	})

	t.Run("an expired state is refused", func(t *testing.T) {
		late := auth.NewOIDC(svc, postgres.NewOIDCStore(db), auth.OIDCOptions{CallbackURL: parleyCallback,
			Now: func() time.Time { return time.Now().Add(auth.OIDCFlowTTL + time.Minute) }})
		state, code := op.signIn(t, start(t), op.addUser("late@example.org", true))
		_, err := late.FinishOIDC(ctx, state, code)
		wantError(t, err, parley.EUNAUTHENTICATED, "The sign-in state is unknown, was used already, or has expired; start again.")
	})

	t.Run("a reused state is refused", func(t *testing.T) {
		state, code := op.signIn(t, start(t), op.addUser("reuse@example.org", true))
		if _, err := o.FinishOIDC(ctx, state, code); err != nil {
			t.Fatal(err)
		}
		_, err := o.FinishOIDC(ctx, state, code)
		wantError(t, err, parley.EUNAUTHENTICATED, "The sign-in state is unknown, was used already, or has expired; start again.")
		_, err = o.FinishOIDC(ctx, "made-up", code)
		wantError(t, err, parley.EUNAUTHENTICATED, "The sign-in state is unknown, was used already, or has expired; start again.")
	})

	t.Run("a replayed code is refused by the provider", func(t *testing.T) {
		state, code := op.signIn(t, start(t), op.addUser("replay@example.org", true))
		if _, err := o.FinishOIDC(ctx, state, code); err != nil {
			t.Fatal(err)
		}
		state2, _ := op.signIn(t, start(t), op.addUser("replay2@example.org", true))
		_, err := o.FinishOIDC(ctx, state2, code)
		wantError(t, err, parley.EUNAUTHENTICATED, "The provider refused the authorization code (used already, expired or not ours); start again.")
	})

	t.Run("an ID token for another client is refused", func(t *testing.T) {
		// The test plays a client "other" of the same provider, with its own PKCE verifier
		// and nonce, and receives a genuine ID token issued to "other"...
		d, err := oidc.NewProvider(ctx, op.issuer)
		if err != nil {
			t.Fatal(err)
		}
		cfg := oauth2.Config{ClientID: "other", ClientSecret: "other-secret", RedirectURL: parleyCallback,
			Endpoint: d.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "email"}}
		verifier, nonce := oauth2.GenerateVerifier(), "other-nonce"
		authURL := cfg.AuthCodeURL("other-state", oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier))
		_, code := op.signIn(t, authURL, op.addUser("aud@example.org", true))
		tok, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(verifier))
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := tok.Extra("id_token").(string)
		// ...which a sign-in with the "parley" client must refuse.
		err = auth.VerifyIDToken(o, ctx, op.issuer, "parley", raw, nonce)
		wantError(t, err, parley.EUNAUTHENTICATED, "The ID token was refused: it was issued for another client.")
	})

	t.Run("an unverified email is refused and writes no account", func(t *testing.T) {
		state, code := op.signIn(t, start(t), op.addUser("unverified@example.org", false))
		_, err := o.FinishOIDC(ctx, state, code)
		wantError(t, err, parley.EFORBIDDEN, "The provider has not verified your email address; verify it there, then sign in again.")
		if _, err := postgres.NewOIDCStore(db).UserByEmail(ctx, "unverified@example.org"); parley.ErrorCode(err) != parley.ENOTFOUND {
			t.Fatalf("an account was written: %v", err)
		}
	})

	t.Run("an existing account is linked only after consent, once", func(t *testing.T) {
		in := newSignUp()
		existing := MustSignUp(t, svc, in)
		state, code := op.signIn(t, start(t), op.addUser(in.Email, true))
		ask, err := o.FinishOIDC(ctx, state, code)
		if err != nil {
			t.Fatal(err)
		}
		if ask.Session != nil || ask.LinkToken == "" || ask.LinkEmail != existing.User.Email {
			t.Fatalf("answer %+v, want a link question", ask)
		}
		done, err := o.ConfirmOIDCLink(ctx, ask.LinkToken)
		if err != nil {
			t.Fatal(err)
		}
		if done.Session == nil || done.Session.User.ID != existing.User.ID || done.Origin != origin {
			t.Fatalf("confirmed %+v, want a session of %s", done, existing.User.ID)
		}
		// The provider verified the account's own address, so linking verifies it here too.
		if ok, err := postgres.NewRecoveryStore(db).EmailVerified(ctx, existing.User.ID); err != nil || !ok {
			t.Errorf("email verified after linking = %v, %v; want true", ok, err)
		}
		_, err = o.ConfirmOIDCLink(ctx, ask.LinkToken)
		wantError(t, err, parley.EUNAUTHENTICATED, "")
	})
}

// opUserID finds the provider account with this username.
func opUserID(op *testOP, username string) string {
	for id, u := range op.users {
		if u.Username == username {
			return id
		}
	}
	return ""
}

func TestDeriveUsername(t *testing.T) {
	for _, tc := range []struct{ preferred, name, email, want string }{
		{"jane.doe", "Jane", "j@example.org", "jane.doe"},
		{"", "Jane Doe", "j@example.org", "Jane_Doe"},
		{"a@b", "", "jd@example.org", "ab"},
		{"", "", "\u200b@example.org", "reader"},
	} {
		if got := auth.DeriveUsername(tc.preferred, tc.name, tc.email); got != tc.want {
			t.Errorf("DeriveUsername(%q, %q, %q) = %q, want %q", tc.preferred, tc.name, tc.email, got, tc.want)
		}
	}
}
