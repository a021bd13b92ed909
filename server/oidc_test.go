package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"golang.org/x/text/language"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/auth"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/server"
)

// opUsers is the OpenID provider's one reader.
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

// TestOIDCPopup plays the widget's popup through the real server and a real OpenID provider
// (zitadel/oidc's example OP): start, the provider's login form, and the callback page that
// posts the session to the opener at the site's origin.
func TestOIDCPopup(t *testing.T) {
	ctx := context.Background()
	var h http.Handler
	parleySrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(parleySrv.Close)
	callback := parleySrv.URL + "/oidc/callback"

	email := unique("oidc") + "@example.org"
	users := opUsers{"r1": {ID: "r1", Username: "reader", Password: "verysecure", FirstName: "Ann", LastName: "Reader",
		Email: email, EmailVerified: true, PreferredLanguage: language.English},
		"r2": {ID: "r2", Username: "unverified", Password: "verysecure", FirstName: "Bo", LastName: "Reader",
			Email: unique("unverified") + "@example.org", EmailVerified: false, PreferredLanguage: language.English}}
	var oph http.Handler
	opSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { oph.ServeHTTP(w, r) }))
	t.Cleanup(opSrv.Close)
	oph = exampleop.SetupServer(opSrv.URL, storage.NewStorageWithClients(users,
		map[string]*storage.Client{"parley": storage.WebClient("parley", "parley-secret", callback)}), nil, false)

	authSvc := auth.NewService(postgres.NewAccountStore(db), auth.Options{
		Password: auth.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}})
	o := auth.NewOIDC(authSvc, postgres.NewOIDCStore(db), auth.OIDCOptions{CallbackURL: callback})
	sites := postgres.NewSiteService(db)
	h = server.New(server.Config{Logger: slog.New(slog.DiscardHandler), Auth: authSvc, Sites: sites,
		GraphQL: http.NotFoundHandler(), OIDC: o})

	admin := parley.NewContextWithUser(ctx, &parley.User{ID: "operator", Admin: true})
	origin := "https://" + unique("site") + ".example.org"
	site, err := sites.CreateSite(admin, parley.CreateSiteInput{Name: "Test site", AllowedOrigins: []string{origin}})
	if err != nil {
		t.Fatal(err)
	}
	prov := &parley.OIDCProvider{SiteID: site.ID, Name: "Newsroom", Issuer: opSrv.URL, ClientID: "parley", ClientSecret: "parley-secret"}
	if err := o.AddOIDCProvider(admin, prov); err != nil {
		t.Fatal(err)
	}

	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(t *testing.T, u string) *http.Response {
		t.Helper()
		resp, err := c.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	follow := func(t *testing.T, resp *http.Response) string {
		t.Helper()
		if resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusSeeOther {
			b, _ := io.ReadAll(resp.Body)
			t.Fatalf("%s: status %d, want a redirect: %s", resp.Request.URL, resp.StatusCode, b)
		}
		loc, err := resp.Request.URL.Parse(resp.Header.Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
		return loc.String()
	}
	startURL := parleySrv.URL + "/oidc/start?" + url.Values{"provider": {prov.ID}, "site": {site.ID}, "origin": {origin}}.Encode()

	// signIn plays the popup up to the provider's redirect back and answers that URL.
	signIn := func(t *testing.T, username string) string {
		t.Helper()
		login, err := url.Parse(follow(t, get(t, follow(t, get(t, startURL)))))
		if err != nil {
			t.Fatal(err)
		}
		id := login.Query().Get("authRequestID")
		resp, err := c.PostForm(login.String(), url.Values{"id": {id}, "username": {username}, "password": {"verysecure"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		resp.Request.URL = login
		return follow(t, get(t, follow(t, resp)))
	}

	var callbackURL string
	t.Run("the popup signs in and posts the session to the site's origin only", func(t *testing.T) {
		callbackURL = signIn(t, "reader")
		page := get(t, callbackURL)
		body, _ := io.ReadAll(page.Body)
		if page.StatusCode != http.StatusOK {
			t.Fatalf("callback status %d: %s", page.StatusCode, body)
		}
		if !strings.Contains(string(body), `"parley:oidc:session"`) || !strings.Contains(string(body), `postMessage(m,"`+origin+`")`) {
			t.Fatalf("the page does not post a session to %s:\n%s", origin, body)
		}
		if csp := page.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'nonce-") || page.Header.Get("Set-Cookie") != "" {
			t.Errorf("CSP %q, Set-Cookie %q", csp, page.Header.Get("Set-Cookie"))
		}
	})

	t.Run("a reloaded callback is refused and posts nothing", func(t *testing.T) {
		page := get(t, callbackURL)
		body, _ := io.ReadAll(page.Body)
		if page.StatusCode != http.StatusUnauthorized || strings.Contains(string(body), "postMessage") {
			t.Fatalf("status %d, want 401 without a message:\n%s", page.StatusCode, body)
		}
	})

	t.Run("an unverified email is refused and the refusal is posted to the origin", func(t *testing.T) {
		page := get(t, signIn(t, "unverified"))
		body, _ := io.ReadAll(page.Body)
		if page.StatusCode != http.StatusForbidden || !strings.Contains(string(body), `"parley:oidc:error"`) ||
			!strings.Contains(string(body), `postMessage(m,"`+origin+`")`) {
			t.Fatalf("status %d, want 403 posting an error to %s:\n%s", page.StatusCode, origin, body)
		}
	})

	t.Run("start with a provider that is down answers 502 with the code", func(t *testing.T) {
		gone := httptest.NewServer(http.NotFoundHandler())
		gone.Close()
		down := &parley.OIDCProvider{SiteID: site.ID, Name: "Gone", Issuer: gone.URL, ClientID: "parley", ClientSecret: "s"}
		if err := postgres.NewOIDCStore(db).AddOIDCProvider(ctx, down); err != nil { // stored while it answered
			t.Fatal(err)
		}
		page := get(t, parleySrv.URL+"/oidc/start?"+url.Values{"provider": {down.ID}, "site": {site.ID}, "origin": {origin}}.Encode())
		body, _ := io.ReadAll(page.Body)
		if page.StatusCode != http.StatusBadGateway || !strings.Contains(string(body), "it cannot be reached") ||
			!strings.Contains(string(body), "<code>unavailable</code>") || strings.Contains(string(body), "postMessage") {
			t.Fatalf("status %d, want 502 saying why, with the code, posting nothing:\n%s", page.StatusCode, body)
		}
	})

	t.Run("start refuses an origin the site does not allow", func(t *testing.T) {
		bad := parleySrv.URL + "/oidc/start?" + url.Values{"provider": {prov.ID}, "site": {site.ID}, "origin": {"https://evil.example.net"}}.Encode()
		if page := get(t, bad); page.StatusCode != http.StatusBadRequest {
			t.Fatalf("status %d, want 400", page.StatusCode)
		}
	})
}
