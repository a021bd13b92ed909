package auth_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/auth"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/postgres/postgrestest"
)

// faultyOP is a provider on a real test server whose answers a test chooses: discovery by
// default names the server as issuer and its own endpoints; token and jwks answer what the
// test sets.
type faultyOP struct {
	srv       *httptest.Server
	discovery http.HandlerFunc
	token     http.HandlerFunc
	jwks      http.HandlerFunc
	userinfo  http.HandlerFunc
}

// signer signs ID tokens with an RSA key whose public half its jwks handler answers, so a
// faulty provider can hand out tokens that verify.
type signer struct{ key *rsa.PrivateKey }

func MustSigner(tb testing.TB) *signer {
	tb.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatal(err)
	}
	return &signer{key: key}
}

func (s *signer) jwks(w http.ResponseWriter, _ *http.Request) {
	enc := base64.RawURLEncoding.EncodeToString
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"keys":[{"kty":"RSA","kid":"k1","alg":"RS256","use":"sig","n":%q,"e":%q}]}`,
		enc(s.key.N.Bytes()), enc(big.NewInt(int64(s.key.E)).Bytes()))
}

// sign answers a signed ID token of claims.
func (s *signer) sign(tb testing.TB, claims map[string]any) string {
	enc := base64.RawURLEncoding.EncodeToString
	payload, _ := json.Marshal(claims)
	unsigned := enc([]byte(`{"alg":"RS256","kid":"k1","typ":"JWT"}`)) + "." + enc(payload)
	sum := sha256.Sum256([]byte(unsigned))
	sig, err := rsa.SignPKCS1v15(rand.Reader, s.key, crypto.SHA256, sum[:])
	if err != nil {
		tb.Fatal(err)
	}
	return unsigned + "." + enc(sig)
}

func MustStartFaultyOP(tb testing.TB) *faultyOP {
	tb.Helper()
	op := &faultyOP{}
	op.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/.well-known/openid-configuration":
			if op.discovery != nil {
				op.discovery(w, r)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"issuer":%q,"authorization_endpoint":%q,"token_endpoint":%q,"jwks_uri":%q,"userinfo_endpoint":%q,"id_token_signing_alg_values_supported":["RS256"]}`,
				op.srv.URL, op.srv.URL+"/authorize", op.srv.URL+"/token", op.srv.URL+"/keys", op.srv.URL+"/userinfo")
		case "/token":
			op.token(w, r)
		case "/keys":
			op.jwks(w, r)
		case "/userinfo":
			op.userinfo(w, r)
		default:
			http.NotFound(w, r)
		}
	}))
	tb.Cleanup(op.srv.Close)
	return op
}

// downURL is the address of a server that was started and closed: nothing listens there.
func downURL(tb testing.TB) string {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	return srv.URL
}

// unsignedIDToken is an ID token with the right claims and a signature no key verifies, so
// that checking it needs the provider's keys.
func unsignedIDToken(issuer, clientID string) string {
	enc := base64.RawURLEncoding.EncodeToString
	claims, _ := json.Marshal(map[string]any{"iss": issuer, "aud": clientID, "sub": "s1",
		"exp": time.Now().Add(time.Hour).Unix(), "iat": time.Now().Unix()})
	return enc([]byte(`{"alg":"RS256","kid":"k1"}`)) + "." + enc(claims) + "." + enc([]byte("not a signature"))
}

func TestOIDCProviderFaults(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	ctx := context.Background()
	svc := auth.NewService(postgres.NewAccountStore(db), auth.Options{Password: cheapParams})
	store := postgres.NewOIDCStore(db)
	o := auth.NewOIDC(svc, store, auth.OIDCOptions{CallbackURL: parleyCallback})
	admin, err := svc.CreateAdmin(ctx, newSignUp())
	if err != nil {
		t.Fatal(err)
	}
	adminCtx := parley.NewContextWithUser(ctx, admin)
	site, err := postgres.NewSiteService(db).CreateSite(adminCtx, parley.CreateSiteInput{Name: "Faults", AllowedOrigins: []string{origin}})
	if err != nil {
		t.Fatal(err)
	}
	garbage := MustStartFaultyOP(t)
	garbage.discovery = func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"issuer": "half a docu`)
	}
	failing := MustStartFaultyOP(t)
	failing.discovery = func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
	}
	other := MustStartFaultyOP(t)
	other.discovery = func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"issuer":"https://someone-else.example.org","authorization_endpoint":"https://x/a","token_endpoint":"https://x/t","jwks_uri":"https://x/k"}`)
	}
	noEndpoints := MustStartFaultyOP(t)
	noEndpoints.discovery = func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"issuer":%q}`, noEndpoints.srv.URL)
	}

	t.Run("adding a provider whose discovery fails is INVALID on issuer, saying why", func(t *testing.T) {
		for _, tc := range []struct{ name, issuer, reason string }{
			{"an issuer that is down", downURL(t), "it cannot be reached"},
			{"a document that is not JSON", garbage.srv.URL, "its answer is not the JSON expected"},
			{"an issuer that answers 503", failing.srv.URL, "it answered HTTP 503"},
			{"a document naming another issuer", other.srv.URL, "its discovery document names another issuer"},
			{"a document without endpoints", noEndpoints.srv.URL, "its discovery document has no authorization or token endpoint"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				err := o.AddOIDCProvider(adminCtx, &parley.OIDCProvider{SiteID: site.ID, Name: "x", Issuer: tc.issuer, ClientID: "parley", ClientSecret: "s"})
				wantError(t, err, parley.EINVALID, "")
				if perr, _ := err.(*parley.Error); perr.Field != "issuer" || !strings.Contains(perr.Message, tc.reason) {
					t.Errorf("field %q, message %q; want issuer and %q", perr.Field, perr.Message, tc.reason)
				}
			})
		}
		list, err := o.AllOIDCProviders(adminCtx, site.ID)
		if err != nil || len(list) != 0 {
			t.Errorf("providers stored: %d (%v), want none", len(list), err)
		}
	})

	t.Run("starting a sign-in with a provider gone down is UNAVAILABLE", func(t *testing.T) {
		p := &parley.OIDCProvider{SiteID: site.ID, Name: "Gone", Issuer: downURL(t), ClientID: "parley", ClientSecret: "s"}
		if err := store.AddOIDCProvider(ctx, p); err != nil { // added while it worked
			t.Fatal(err)
		}
		_, err := o.StartOIDC(ctx, p.ID, site.ID, origin)
		wantError(t, err, parley.EUNAVAILABLE, "")
		if !strings.Contains(parley.ErrorMessage(err), "it cannot be reached") {
			t.Errorf("message %q does not say why", parley.ErrorMessage(err))
		}
	})

	// finishWith starts a sign-in with a provider whose token and keys endpoints answer as
	// given, and finishes it with a made-up code.
	finishWith := func(t *testing.T, token, jwks http.HandlerFunc) error {
		t.Helper()
		op := MustStartFaultyOP(t)
		op.token, op.jwks = token, jwks
		p := &parley.OIDCProvider{SiteID: site.ID, Name: "Faulty", Issuer: op.srv.URL, ClientID: "parley", ClientSecret: "s"}
		if err := o.AddOIDCProvider(adminCtx, p); err != nil {
			t.Fatal(err)
		}
		authURL, err := o.StartOIDC(ctx, p.ID, site.ID, origin)
		if err != nil {
			t.Fatal(err)
		}
		u, err := url.Parse(authURL)
		if err != nil {
			t.Fatal(err)
		}
		in, err := o.FinishOIDC(ctx, u.Query().Get("state"), "a-code")
		if err != nil && (in == nil || in.Origin != origin) {
			t.Errorf("the failure is not for the flow's origin: %+v", in)
		}
		return err
	}
	// okToken answers a well-formed token whose ID token names the provider it came from.
	okToken := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token":"at","token_type":"Bearer","expires_in":60,"id_token":%q}`, unsignedIDToken("http://"+r.Host, "parley"))
	}

	t.Run("failures of the provider after the redirect are UNAVAILABLE; its refusals are not", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			token  http.HandlerFunc
			jwks   http.HandlerFunc
			code   string
			reason string
		}{
			{"a token endpoint that fails", func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "oops", http.StatusInternalServerError) },
				nil, parley.EUNAVAILABLE, "it answered HTTP 500"},
			{"a token endpoint that answers garbage", func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprint(w, `{"access_token": `)
			}, nil, parley.EUNAVAILABLE, "not the JSON expected"},
			{"a token endpoint that refuses the code", func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusBadRequest)
				fmt.Fprint(w, `{"error":"invalid_grant"}`)
			}, nil, parley.EUNAUTHENTICATED, "refused the authorization code"},
			{"keys that cannot be read", nil, func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "oops", http.StatusBadGateway) },
				parley.EUNAVAILABLE, "signing keys could not be read"},
			{"keys that are garbage", nil, func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprint(w, `[1, 2`)
			}, parley.EUNAVAILABLE, "signing keys could not be read"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				token, jwks := tc.token, tc.jwks
				if token == nil {
					token = okToken
				}
				if jwks == nil {
					jwks = func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "unused", http.StatusTeapot) }
				}
				err := finishWith(t, token, jwks)
				wantError(t, err, tc.code, "")
				if !strings.Contains(parley.ErrorMessage(err), tc.reason) {
					t.Errorf("message %q, want it to say %q", parley.ErrorMessage(err), tc.reason)
				}
			})
		}
	})
}

func TestOIDCUserinfoFault(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	ctx := context.Background()
	svc := auth.NewService(postgres.NewAccountStore(db), auth.Options{Password: cheapParams})
	o := auth.NewOIDC(svc, postgres.NewOIDCStore(db), auth.OIDCOptions{CallbackURL: parleyCallback})
	admin, err := svc.CreateAdmin(ctx, newSignUp())
	if err != nil {
		t.Fatal(err)
	}
	adminCtx := parley.NewContextWithUser(ctx, admin)
	site, err := postgres.NewSiteService(db).CreateSite(adminCtx, parley.CreateSiteInput{Name: "Userinfo", AllowedOrigins: []string{origin}})
	if err != nil {
		t.Fatal(err)
	}
	keys := MustSigner(t)
	op := MustStartFaultyOP(t)
	var nonce string
	op.jwks = keys.jwks
	op.token = func(w http.ResponseWriter, _ *http.Request) {
		// A genuine, signed ID token without email: Parley must ask the userinfo endpoint.
		idt := keys.sign(t, map[string]any{"iss": op.srv.URL, "aud": "parley", "sub": "s1", "nonce": nonce,
			"exp": time.Now().Add(time.Hour).Unix(), "iat": time.Now().Unix()})
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token":"at","token_type":"Bearer","expires_in":60,"id_token":%q}`, idt)
	}
	op.userinfo = func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "oops", http.StatusInternalServerError) }
	p := &parley.OIDCProvider{SiteID: site.ID, Name: "No email", Issuer: op.srv.URL, ClientID: "parley", ClientSecret: "s"}
	if err := o.AddOIDCProvider(adminCtx, p); err != nil {
		t.Fatal(err)
	}
	authURL, err := o.StartOIDC(ctx, p.ID, site.ID, origin)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(authURL)
	if err != nil {
		t.Fatal(err)
	}
	nonce = u.Query().Get("nonce")
	_, err = o.FinishOIDC(ctx, u.Query().Get("state"), "a-code")
	wantError(t, err, parley.EUNAVAILABLE, "The provider's userinfo endpoint did not answer properly (it answered HTTP 500); try again later.")
}
