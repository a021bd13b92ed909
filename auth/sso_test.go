package auth_test

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"
	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/auth"
)

var (
	ssoSecret = []byte("0123456789abcdef0123456789abcdef")
	ssoNow    = time.Date(2025, 3, 14, 15, 9, 26, 0, time.UTC)
)

// ssoClaims returns a valid claim set issued at ssoNow, changed by the edits: a nil value
// removes the claim.
func ssoClaims(edits map[string]any) jwt.MapClaims {
	c := jwt.MapClaims{
		"sub":      "reader-42",
		"iat":      ssoNow.Unix(),
		"exp":      ssoNow.Add(5 * time.Minute).Unix(),
		"jti":      "0b7c6f1e-9a2d-4d1b-8f7a-1c2d3e4f5a6b",
		"email":    "reader@example.org",
		"username": "reader_42",
	}
	for k, v := range edits {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return c
}

// MustSignSSO signs claims with method and key, as a host site would.
func MustSignSSO(tb testing.TB, method jwt.SigningMethod, claims jwt.MapClaims, key any) string {
	tb.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		tb.Fatalf("sign SSO token: %v", err)
	}
	return s
}

// craftToken builds a token by hand from a raw header and claims and a raw signature, for the
// shapes no honest library would produce.
func craftToken(tb testing.TB, header string, claims jwt.MapClaims, sig string) string {
	tb.Helper()
	payload, err := json.Marshal(claims)
	if err != nil {
		tb.Fatal(err)
	}
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString(payload) + "." + sig
}

func TestVerifySSOTokenAccepts(t *testing.T) {
	want := &auth.SSOIdentity{
		Subject:   "reader-42",
		Email:     "reader@example.org",
		Username:  "reader_42",
		JTI:       "0b7c6f1e-9a2d-4d1b-8f7a-1c2d3e4f5a6b",
		IssuedAt:  ssoNow,
		ExpiresAt: ssoNow.Add(5 * time.Minute),
	}
	for _, tt := range []struct {
		name   string
		edits  map[string]any
		change func(*auth.SSOIdentity)
	}{
		{"accepts a valid token", nil, nil},
		{"accepts a token expired within the leeway",
			map[string]any{"iat": ssoNow.Add(-5 * time.Minute).Unix(), "exp": ssoNow.Add(-10 * time.Second).Unix()},
			func(id *auth.SSOIdentity) {
				id.IssuedAt, id.ExpiresAt = ssoNow.Add(-5*time.Minute), ssoNow.Add(-10*time.Second)
			}},
		{"accepts a token issued slightly in the future",
			map[string]any{"iat": ssoNow.Add(10 * time.Second).Unix()},
			func(id *auth.SSOIdentity) { id.IssuedAt = ssoNow.Add(10 * time.Second) }},
		{"accepts a lifetime of exactly ten minutes",
			map[string]any{"exp": ssoNow.Add(10 * time.Minute).Unix()},
			func(id *auth.SSOIdentity) { id.ExpiresAt = ssoNow.Add(10 * time.Minute) }},
		{"accepts an nbf in the past", map[string]any{"nbf": ssoNow.Add(-time.Minute).Unix()}, nil},
		{"trims spaces around email and username",
			map[string]any{"email": " reader@example.org ", "username": " reader_42\t"}, nil},
		{"accepts a non-ASCII username", map[string]any{"username": "Zoë.Ålund"},
			func(id *auth.SSOIdentity) { id.Username = "Zoë.Ålund" }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tok := MustSignSSO(t, jwt.SigningMethodHS256, ssoClaims(tt.edits), ssoSecret)
			got, err := auth.VerifySSOToken(tok, ssoSecret, ssoNow)
			if err != nil {
				t.Fatalf("VerifySSOToken: %v", err)
			}
			w := *want
			if tt.change != nil {
				tt.change(&w)
			}
			if diff := cmp.Diff(&w, got); diff != "" {
				t.Errorf("identity (-want +got):\n%s", diff)
			}
		})
	}
}

func TestVerifySSOTokenRefuses(t *testing.T) {
	hs256 := func(edits map[string]any) string {
		return MustSignSSO(t, jwt.SigningMethodHS256, ssoClaims(edits), ssoSecret)
	}
	valid := hs256(nil)
	parts := strings.Split(valid, ".")
	otherPayload := strings.Split(hs256(map[string]any{"sub": "admin"}), ".")[1]

	const (
		malformed = "The sign-in token is malformed: it is not a JSON Web Token (header.payload.signature in base64url)."
		badSig    = "The sign-in token's signature does not match the site's single sign-on secret."
	)
	missing := func(claim string) string {
		return `The sign-in token lacks the required "` + claim + `" claim.`
	}
	for _, tt := range []struct {
		name     string
		token    string
		wantCode string
		wantMsg  string
	}{
		{"a token signed with another secret",
			MustSignSSO(t, jwt.SigningMethodHS256, ssoClaims(nil), []byte("another secret, just as long as ours")),
			parley.EUNAUTHENTICATED, badSig},
		{"a token whose payload was changed after signing", parts[0] + "." + otherPayload + "." + parts[2],
			parley.EUNAUTHENTICATED, badSig},
		{"a token with its signature removed", parts[0] + "." + parts[1] + ".",
			parley.EUNAUTHENTICATED, badSig},
		{"an expired token",
			hs256(map[string]any{"iat": ssoNow.Add(-6 * time.Minute).Unix(), "exp": ssoNow.Add(-time.Minute).Unix()}),
			parley.EUNAUTHENTICATED, "The sign-in token has expired; the host site should issue a fresh one for each sign-in."},
		{"a token issued in the future",
			hs256(map[string]any{"iat": ssoNow.Add(2 * time.Minute).Unix(), "exp": ssoNow.Add(7 * time.Minute).Unix()}),
			parley.EUNAUTHENTICATED, "The sign-in token was issued in the future (iat); check the host site's clock."},
		{"a token not valid yet",
			hs256(map[string]any{"nbf": ssoNow.Add(2 * time.Minute).Unix()}),
			parley.EUNAUTHENTICATED, "The sign-in token is not valid yet (nbf is in the future); check the host site's clock."},
		{"a token that lives too long",
			hs256(map[string]any{"exp": ssoNow.Add(11 * time.Minute).Unix()}),
			parley.EUNAUTHENTICATED, "The sign-in token is valid for 11m0s, longer than the 10m0s limit; issue tokens that expire within 10m0s."},
		{"a token that expires before it was issued",
			hs256(map[string]any{"iat": ssoNow.Unix(), "exp": ssoNow.Add(-5 * time.Second).Unix()}),
			parley.EUNAUTHENTICATED, "The sign-in token expires before it was issued (exp is earlier than iat)."},
		{"an unsigned token (alg none)", craftToken(t, `{"alg":"none","typ":"JWT"}`, ssoClaims(nil), ""),
			parley.EUNAUTHENTICATED, `The sign-in token is unsigned (alg "none"); sign it with HS256 and the site's secret.`},
		{"an unsigned token (alg None)", craftToken(t, `{"alg":"None"}`, ssoClaims(nil), ""),
			parley.EUNAUTHENTICATED, `The sign-in token is unsigned (alg "none"); sign it with HS256 and the site's secret.`},
		{"a token signed with HS512", MustSignSSO(t, jwt.SigningMethodHS512, ssoClaims(nil), ssoSecret),
			parley.EUNAUTHENTICATED, `The sign-in token is signed with "HS512"; only HS256 is accepted.`},
		{"a token signed with HS384", MustSignSSO(t, jwt.SigningMethodHS384, ssoClaims(nil), ssoSecret),
			parley.EUNAUTHENTICATED, `The sign-in token is signed with "HS384"; only HS256 is accepted.`},
		{"a token claiming RS256", craftToken(t, `{"alg":"RS256","typ":"JWT"}`, ssoClaims(nil), parts[2]),
			parley.EUNAUTHENTICATED, `The sign-in token is signed with "RS256"; only HS256 is accepted.`},
		{"a token with an unknown algorithm", craftToken(t, `{"alg":"HS999"}`, ssoClaims(nil), parts[2]),
			parley.EUNAUTHENTICATED, `The sign-in token is signed with "HS999"; only HS256 is accepted.`},
		{"a token with no algorithm", craftToken(t, `{"typ":"JWT"}`, ssoClaims(nil), parts[2]),
			parley.EUNAUTHENTICATED, "The sign-in token's header names no algorithm; sign it with HS256."},
		{"a token without sub", hs256(map[string]any{"sub": nil}), parley.EUNAUTHENTICATED, missing("sub")},
		{"a token with an empty sub", hs256(map[string]any{"sub": ""}), parley.EUNAUTHENTICATED, missing("sub")},
		{"a token without exp", hs256(map[string]any{"exp": nil}), parley.EUNAUTHENTICATED, missing("exp")},
		{"a token without iat", hs256(map[string]any{"iat": nil}), parley.EUNAUTHENTICATED, missing("iat")},
		{"a token without jti", hs256(map[string]any{"jti": nil}), parley.EUNAUTHENTICATED, missing("jti")},
		{"a token without email", hs256(map[string]any{"email": nil}), parley.EUNAUTHENTICATED, missing("email")},
		{"a token without username", hs256(map[string]any{"username": nil}), parley.EUNAUTHENTICATED, missing("username")},
		{"an expired token without jti",
			hs256(map[string]any{"jti": nil, "iat": ssoNow.Add(-6 * time.Minute).Unix(), "exp": ssoNow.Add(-time.Minute).Unix()}),
			parley.EUNAUTHENTICATED, missing("jti")},
		{"a numeric sub", hs256(map[string]any{"sub": 42}),
			parley.EUNAUTHENTICATED, `The sign-in token's "sub" claim must be a string.`},
		{"a string exp", hs256(map[string]any{"exp": "tomorrow"}),
			parley.EUNAUTHENTICATED, `The sign-in token's "exp" claim must be a number of seconds since 1970.`},
		{"a string nbf", hs256(map[string]any{"nbf": "now"}),
			parley.EUNAUTHENTICATED, "The sign-in token has an invalid claim: exp, iat and nbf must be numbers of seconds since 1970."},
		{"an oversized jti", hs256(map[string]any{"jti": strings.Repeat("j", 256)}),
			parley.EUNAUTHENTICATED, `The sign-in token's "jti" claim is longer than 255 bytes.`},
		{"a sub with a NUL", hs256(map[string]any{"sub": "reader\x00-42"}),
			parley.EUNAUTHENTICATED, `The sign-in token's "sub" claim contains control characters.`},
		{"a bad email", hs256(map[string]any{"email": "not an address"}),
			parley.EINVALID, `The host site sent a bad "email" claim in its sign-in token: Email must look like name@example.org.`},
		{"a bad username", hs256(map[string]any{"username": "<script>"}),
			parley.EINVALID, `The host site sent a bad "username" claim in its sign-in token: Username may contain only letters, digits, '_', '-' and '.'.`},
		{"an empty string", "", parley.EUNAUTHENTICATED, "No sign-in token was given."},
		{"an oversized token", valid + strings.Repeat("A", auth.MaxSSOTokenLength),
			parley.EUNAUTHENTICATED, "The sign-in token is longer than 4096 bytes."},
		{"one segment", "abc", parley.EUNAUTHENTICATED, malformed},
		{"two segments", parts[0] + "." + parts[1], parley.EUNAUTHENTICATED, malformed},
		{"four segments", valid + ".x", parley.EUNAUTHENTICATED, malformed},
		{"segments that are not base64url", "!!!.###.$$$", parley.EUNAUTHENTICATED, malformed},
		{"a header that is not JSON", base64.RawURLEncoding.EncodeToString([]byte("alg=HS256")) + "." + parts[1] + "." + parts[2],
			parley.EUNAUTHENTICATED, malformed},
		{"a payload that is not a JSON object", parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`["sub"]`)) + "." + parts[2],
			parley.EUNAUTHENTICATED, malformed},
		{"padded base64", parts[0] + "=." + parts[1] + "." + parts[2], parley.EUNAUTHENTICATED, malformed},
		{"a Bearer prefix", "Bearer " + valid, parley.EUNAUTHENTICATED, malformed},
	} {
		t.Run("refuses "+tt.name, func(t *testing.T) {
			id, err := auth.VerifySSOToken(tt.token, ssoSecret, ssoNow)
			if id != nil {
				t.Errorf("identity = %+v, want nil", id)
			}
			if got := parley.ErrorCode(err); got != tt.wantCode {
				t.Fatalf("code = %q, want %q (err %v)", got, tt.wantCode, err)
			}
			if got := parley.ErrorMessage(err); got != tt.wantMsg {
				t.Errorf("message:\n got %s\nwant %s", got, tt.wantMsg)
			}
		})
	}

	t.Run("refuses an empty secret", func(t *testing.T) {
		if _, err := auth.VerifySSOToken(valid, nil, ssoNow); parley.ErrorCode(err) != parley.EINTERNAL {
			t.Errorf("err = %v, want an internal error", err)
		}
	})
}
