package auth_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/auth"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/postgres/postgrestest"
)

// TestOIDCDiscoveryCache checks that a provider's discovery document is not kept forever: it
// is read again after auth.OIDCDiscoveryTTL (following endpoints the provider moved), and
// dropped as soon as the provider fails, so the next sign-in is refused at the start with the
// reason instead of sending the reader to a dead host.
func TestOIDCDiscoveryCache(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	ctx := context.Background()
	svc := auth.NewService(postgres.NewAccountStore(db), auth.Options{Password: cheapParams})
	var clock atomic.Int64
	clock.Store(time.Now().UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()) }
	o := auth.NewOIDC(svc, postgres.NewOIDCStore(db), auth.OIDCOptions{CallbackURL: parleyCallback, Now: now})
	admin, err := svc.CreateAdmin(ctx, newSignUp())
	if err != nil {
		t.Fatal(err)
	}
	adminCtx := parley.NewContextWithUser(ctx, admin)
	site, err := postgres.NewSiteService(db).CreateSite(adminCtx, parley.CreateSiteInput{Name: "Cache", AllowedOrigins: []string{origin}})
	if err != nil {
		t.Fatal(err)
	}

	var discoveries atomic.Int32
	authorize := "/authorize"
	op := MustStartFaultyOP(t)
	op.discovery = func(w http.ResponseWriter, _ *http.Request) {
		discoveries.Add(1)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"issuer":%q,"authorization_endpoint":%q,"token_endpoint":%q,"jwks_uri":%q}`,
			op.srv.URL, op.srv.URL+authorize, op.srv.URL+"/token", op.srv.URL+"/keys")
	}
	p := &parley.OIDCProvider{SiteID: site.ID, Name: "Flaky", Issuer: op.srv.URL, ClientID: "parley", ClientSecret: "s"}
	if err := o.AddOIDCProvider(adminCtx, p); err != nil {
		t.Fatal(err)
	}
	start := func(t *testing.T) (*url.URL, error) {
		t.Helper()
		raw, err := o.StartOIDC(ctx, p.ID, site.ID, origin)
		if err != nil {
			return nil, err
		}
		return url.Parse(raw)
	}

	t.Run("a second sign-in within the hour reuses the document", func(t *testing.T) {
		before := discoveries.Load()
		for range 2 {
			if _, err := start(t); err != nil {
				t.Fatal(err)
			}
		}
		if got := discoveries.Load() - before; got != 1 {
			t.Errorf("discovery read %d times for two sign-ins, want 1", got)
		}
	})

	t.Run("after an hour the document is read again and moved endpoints are followed", func(t *testing.T) {
		authorize = "/v2/authorize"
		if u, err := start(t); err != nil || u.Path != "/authorize" {
			t.Fatalf("within the hour: %v, %v; want the cached /authorize", u, err)
		}
		clock.Add(int64(auth.OIDCDiscoveryTTL + time.Minute))
		before := discoveries.Load()
		u, err := start(t)
		if err != nil {
			t.Fatal(err)
		}
		if u.Path != "/v2/authorize" || discoveries.Load() != before+1 {
			t.Errorf("sent to %s after %d new reads; want /v2/authorize after 1", u.Path, discoveries.Load()-before)
		}
	})

	t.Run("once the provider fails, the next start reads discovery again and is UNAVAILABLE", func(t *testing.T) {
		u, err := start(t) // discovery cached and the reader sent to the provider
		if err != nil {
			t.Fatal(err)
		}
		op.srv.Close() // the provider goes down while the reader is there
		_, err = o.FinishOIDC(ctx, u.Query().Get("state"), "a-code")
		wantError(t, err, parley.EUNAVAILABLE, "")
		_, err = start(t)
		wantError(t, err, parley.EUNAVAILABLE, "")
		if !strings.Contains(parley.ErrorMessage(err), "discovery document") {
			t.Errorf("message %q; want the failed discovery named", parley.ErrorMessage(err))
		}
	})
}
