package graph_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/parleyhq/parley/auth"
	"github.com/parleyhq/parley/graph"
	"github.com/parleyhq/parley/postgres"
)

const addOIDCProvider = `mutation($in: AddOIDCProviderInput!) { addOIDCProvider(input: $in) { id siteID name issuer clientID } }`

func TestAddOIDCProvider(t *testing.T) {
	s := newServices(shared.DB)
	s.Services.OIDC = auth.NewOIDC(s.Auth, postgres.NewOIDCStore(s.DB), auth.OIDCOptions{CallbackURL: "https://parley.example.org/oidc/callback"})
	s.serve(graph.Options{})
	t.Cleanup(s.Close)
	admin := s.MustAdmin(t)
	st := s.MustCreateSite(t, admin)
	issuer := MustDiscoveryServer(t)
	provider := func(kv ...any) map[string]any {
		return in(append([]any{"name", "Newsroom", "issuer", issuer, "clientID", "parley", "clientSecret", "s3cret"}, kv...)...)
	}

	t.Run("an administrator adds a site's provider and the secret is not answered", func(t *testing.T) {
		var out struct {
			AddOIDCProvider struct{ ID, SiteID, Name, Issuer, ClientID string }
		}
		admin.MustDo(t, addOIDCProvider, provider("siteID", st.ID), &out)
		if p := out.AddOIDCProvider; p.ID == "" || p.SiteID != st.ID || p.ClientID != "parley" {
			t.Fatalf("provider %+v", p)
		}
		admin.MustFail(t, "INVALID", `mutation($in: AddOIDCProviderInput!) { addOIDCProvider(input: $in) { clientSecret } }`, provider())
	})

	t.Run("anyone reads the redirect URI to register at a provider", func(t *testing.T) {
		var out struct{ OidcCallbackURL *string }
		s.anonymous().MustDo(t, `{ oidcCallbackURL }`, nil, &out)
		if out.OidcCallbackURL == nil || *out.OidcCallbackURL != "https://parley.example.org/oidc/callback" {
			t.Fatalf("oidcCallbackURL %v, want the instance's /oidc/callback", out.OidcCallbackURL)
		}
	})

	t.Run("an instance-wide provider has no site", func(t *testing.T) {
		var out struct{ AddOIDCProvider struct{ SiteID *string } }
		admin.MustDo(t, addOIDCProvider, provider(), &out)
		if out.AddOIDCProvider.SiteID != nil {
			t.Fatalf("siteID %q, want null", *out.AddOIDCProvider.SiteID)
		}
	})

	for _, tc := range []struct {
		name string
		vars map[string]any
		code string
	}{
		{"a plain-http issuer is invalid", provider("issuer", "http://idp.example.org"), "INVALID"},
		{"an empty client ID is invalid", provider("clientID", ""), "INVALID"},
		{"an unknown site is not found", provider("siteID", "0190a000-0000-7000-8000-000000000000"), "NOT_FOUND"},
		{"an issuer whose discovery fails is invalid", provider("issuer", issuer+"/nothing-here"), "INVALID"},
	} {
		t.Run(tc.name, func(t *testing.T) { admin.MustFail(t, tc.code, addOIDCProvider, tc.vars) })
	}

	t.Run("anyone lists a site's providers, the site's first, without secrets", func(t *testing.T) {
		var out struct {
			OidcProviders []struct{ ID, Name, ClientID string }
		}
		s.anonymous().MustDo(t, `query($s: ID!) { oidcProviders(siteID: $s) { id name clientID } }`, map[string]any{"s": st.ID}, &out)
		if len(out.OidcProviders) < 2 || out.OidcProviders[0].ClientID != "parley" {
			t.Fatalf("providers %+v", out.OidcProviders)
		}
		s.anonymous().MustFail(t, "NOT_FOUND", `query($s: ID!) { oidcProviders(siteID: $s) { id } }`, map[string]any{"s": "0190a000-0000-7000-8000-000000000000"})
	})

	t.Run("a reader may not add a provider, nor may an anonymous caller", func(t *testing.T) {
		s.MustSignUp(t).MustFail(t, "FORBIDDEN", addOIDCProvider, provider())
		s.anonymous().MustFail(t, "UNAUTHENTICATED", addOIDCProvider, provider())
	})
}

// MustDiscoveryServer answers an OpenID Connect discovery document for its own address, so
// that adding a provider finds one; nothing signs in through it.
func MustDiscoveryServer(tb testing.TB) string {
	tb.Helper()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/.well-known/openid-configuration" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"issuer":%q,"authorization_endpoint":%q,"token_endpoint":%q,"jwks_uri":%q}`,
			srv.URL, srv.URL+"/authorize", srv.URL+"/token", srv.URL+"/keys")
	}))
	tb.Cleanup(srv.Close)
	return srv.URL
}

const allOIDCProviders = `query($s: ID) { allOIDCProviders(siteID: $s) { id siteID name clientID enabled } }`

func TestManageOIDCProviders(t *testing.T) {
	s := newServices(shared.DB)
	s.Services.OIDC = auth.NewOIDC(s.Auth, postgres.NewOIDCStore(s.DB), auth.OIDCOptions{CallbackURL: "https://parley.example.org/oidc/callback"})
	s.serve(graph.Options{})
	t.Cleanup(s.Close)
	admin := s.MustAdmin(t)
	st := s.MustCreateSite(t, admin)
	var added struct{ AddOIDCProvider struct{ ID string } }
	admin.MustDo(t, addOIDCProvider, in("siteID", st.ID, "name", "Newsroom", "issuer", MustDiscoveryServer(t), "clientID", "parley", "clientSecret", "s3cret"), &added)
	id := added.AddOIDCProvider.ID
	type listed struct {
		ID, Name, ClientID string
		Enabled            bool
	}
	adminList := func(t *testing.T) []listed {
		t.Helper()
		var out struct{ AllOIDCProviders []listed }
		admin.MustDo(t, allOIDCProviders, map[string]any{"s": st.ID}, &out)
		return out.AllOIDCProviders
	}
	publicList := func(t *testing.T) []listed {
		t.Helper()
		var out struct{ OidcProviders []listed }
		s.anonymous().MustDo(t, `query($s: ID!) { oidcProviders(siteID: $s) { id name clientID enabled } }`, map[string]any{"s": st.ID}, &out)
		return out.OidcProviders
	}
	has := func(list []listed, id string) *listed {
		for i := range list {
			if list[i].ID == id {
				return &list[i]
			}
		}
		return nil
	}
	update := `mutation($in: UpdateOIDCProviderInput!) { updateOIDCProvider(input: $in) { id name clientID enabled } }`

	t.Run("an administrator lists providers with their settings", func(t *testing.T) {
		if p := has(adminList(t), id); p == nil || p.ClientID != "parley" || !p.Enabled {
			t.Fatalf("provider %+v", p)
		}
		var all struct{ AllOIDCProviders []listed }
		admin.MustDo(t, allOIDCProviders, nil, &all)
		if has(all.AllOIDCProviders, id) == nil {
			t.Errorf("the instance-wide list misses the site's provider")
		}
		admin.MustFail(t, "INVALID", `{ allOIDCProviders { clientSecret } }`, nil)
	})

	t.Run("a disabled provider leaves the widget's list and comes back when enabled", func(t *testing.T) {
		var out struct{ UpdateOIDCProvider listed }
		admin.MustDo(t, update, in("id", id, "enabled", false), &out)
		if out.UpdateOIDCProvider.Enabled || out.UpdateOIDCProvider.Name != "Newsroom" {
			t.Fatalf("updated %+v", out.UpdateOIDCProvider)
		}
		if has(publicList(t), id) != nil {
			t.Error("a disabled provider is still offered to readers")
		}
		if p := has(adminList(t), id); p == nil || p.Enabled {
			t.Errorf("admins see %+v, want it disabled", p)
		}
		admin.MustDo(t, update, in("id", id, "enabled", true, "name", "Newsroom login", "clientSecret", "n3w"), &out)
		if p := has(publicList(t), id); p == nil || p.Name != "Newsroom login" {
			t.Errorf("readers see %+v, want it back renamed", p)
		}
	})

	for _, tc := range []struct {
		name   string
		caller *client
		query  string
		vars   map[string]any
		code   string
	}{
		{"an empty name is invalid", admin, update, in("id", id, "name", " "), "INVALID"},
		{"an unknown provider is not found", admin, update, in("id", "0190a000-0000-7000-8000-000000000000", "enabled", false), "NOT_FOUND"},
		{"a reader may not list", s.MustSignUp(t), allOIDCProviders, nil, "FORBIDDEN"},
		{"a reader may not change", s.MustSignUp(t), update, in("id", id, "enabled", false), "FORBIDDEN"},
		{"an anonymous caller may not remove", s.anonymous(), `mutation($in: RemoveOIDCProviderInput!) { removeOIDCProvider(input: $in) }`, in("id", id), "UNAUTHENTICATED"},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.caller.MustFail(t, tc.code, tc.query, tc.vars) })
	}

	t.Run("a removed provider is gone, and removing it again is NOT_FOUND", func(t *testing.T) {
		remove := `mutation($in: RemoveOIDCProviderInput!) { removeOIDCProvider(input: $in) }`
		var out struct{ RemoveOIDCProvider string }
		admin.MustDo(t, remove, in("id", id), &out)
		if out.RemoveOIDCProvider != id || has(adminList(t), id) != nil {
			t.Fatalf("removed %q; still listed: %v", out.RemoveOIDCProvider, has(adminList(t), id) != nil)
		}
		admin.MustFail(t, "NOT_FOUND", remove, in("id", id))
	})
}
