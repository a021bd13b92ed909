package graph_test

import (
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
	provider := func(kv ...any) map[string]any {
		return in(append([]any{"name", "Newsroom", "issuer", "https://idp.example.org", "clientID", "parley", "clientSecret", "s3cret"}, kv...)...)
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
