package auth_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/auth"
)

// FuzzVerifySSOToken checks that verification never panics, refuses only with our typed
// errors, and never accepts a token that is not HS256-signed with the secret.
func FuzzVerifySSOToken(f *testing.F) {
	sign := func(method jwt.SigningMethod, edits map[string]any) string {
		return MustSignSSO(f, method, ssoClaims(edits), ssoSecret)
	}
	valid := sign(jwt.SigningMethodHS256, nil)
	parts := strings.Split(valid, ".")
	for _, seed := range []string{
		valid,
		sign(jwt.SigningMethodHS256, map[string]any{"exp": ssoNow.Add(time.Hour).Unix()}),
		sign(jwt.SigningMethodHS256, map[string]any{"jti": nil}),
		sign(jwt.SigningMethodHS256, map[string]any{"email": 7, "username": []string{"a"}}),
		sign(jwt.SigningMethodHS256, map[string]any{"nbf": "soon", "aud": 3}),
		sign(jwt.SigningMethodHS512, nil),
		craftToken(f, `{"alg":"none"}`, ssoClaims(nil), ""),
		craftToken(f, `{"alg":"HS256","crit":["b64"],"b64":false}`, ssoClaims(nil), parts[2]),
		craftToken(f, `{"alg":["HS256"]}`, ssoClaims(nil), parts[2]),
		craftToken(f, `{"alg":"HS256"}`, ssoClaims(map[string]any{"exp": 1e300, "iat": -1e300}), parts[2]),
		parts[0] + "." + parts[1] + ".",
		parts[0] + ".." + parts[2],
		"..",
		"",
		"a.b.c",
		"eyJhbGciOiJIUzI1NiJ9.e30.",
		valid + "\x00",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		id, err := auth.VerifySSOToken(raw, ssoSecret, ssoNow)
		if err != nil {
			if id != nil {
				t.Fatalf("identity %+v returned with error %v", id, err)
			}
			if code := parley.ErrorCode(err); code != parley.EUNAUTHENTICATED && code != parley.EINVALID {
				t.Fatalf("refused with code %q, want unauthenticated or invalid: %v", code, err)
			}
			return
		}
		// Accepted: it must be an HS256 token whose signature is the secret's HMAC.
		p := strings.Split(raw, ".")
		if len(p) != 3 {
			t.Fatalf("accepted a token with %d segments", len(p))
		}
		header, err := base64.RawURLEncoding.DecodeString(p[0])
		if err != nil {
			t.Fatalf("accepted a token whose header is not base64url: %v", err)
		}
		var h struct{ Alg string }
		if err := json.Unmarshal(header, &h); err != nil || h.Alg != "HS256" {
			t.Fatalf("accepted a token with header %s", header)
		}
		sig, err := base64.RawURLEncoding.DecodeString(p[2])
		if err != nil {
			t.Fatalf("accepted a token whose signature is not base64url: %v", err)
		}
		mac := hmac.New(sha256.New, ssoSecret)
		mac.Write([]byte(p[0] + "." + p[1]))
		if !hmac.Equal(sig, mac.Sum(nil)) {
			t.Fatalf("accepted a token not signed with the secret: %q", raw)
		}
		if id.Subject == "" || id.JTI == "" || id.Email == "" || id.Username == "" {
			t.Fatalf("accepted a token with an empty required claim: %+v", id)
		}
		if life := id.ExpiresAt.Sub(id.IssuedAt); life < 0 || life > auth.MaxSSOTokenLifetime {
			t.Fatalf("accepted a token living %s", life)
		}
	})
}

// FuzzHashToken checks that presented-token parsing never panics, refuses junk with
// EUNAUTHENTICATED, and accepts only tokens of exactly the shape NewToken makes.
func FuzzHashToken(f *testing.F) {
	session, _ := MustNewToken(f, auth.KindSession)
	api, _ := MustNewToken(f, auth.KindAPI)
	for _, seed := range []string{
		session, api, "", "pst_", "pat_", "xyz_" + session[4:], session[:len(session)-1] + "B",
		session + "=", "Bearer " + session, strings.Repeat("A", auth.TokenLength),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, presented string) {
		hash, err := auth.HashToken(presented)
		if err != nil {
			if hash != nil || parley.ErrorCode(err) != parley.EUNAUTHENTICATED {
				t.Fatalf("HashToken(%q) = %x, %v; want nil and an unauthenticated error", presented, hash, err)
			}
			return
		}
		if len(presented) != auth.TokenLength {
			t.Fatalf("accepted a token of length %d", len(presented))
		}
		prefix, body := presented[:4], presented[4:]
		if prefix != auth.SessionTokenPrefix && prefix != auth.APITokenPrefix {
			t.Fatalf("accepted prefix %q", prefix)
		}
		raw, err := base64.RawURLEncoding.DecodeString(body)
		if err != nil || len(raw) != 32 || base64.RawURLEncoding.EncodeToString(raw) != body {
			t.Fatalf("accepted a body that is not canonical base64url of 32 bytes: %q", body)
		}
		if want := sha256.Sum256([]byte(presented)); !bytes.Equal(hash, want[:]) {
			t.Fatalf("hash = %x, want %x", hash, want)
		}
	})
}

// FuzzNeedsRehash checks that the PHC parser never panics on stored hashes. NeedsRehash
// parses without hashing, so the fuzzer cannot make it allocate argon2 memory.
func FuzzNeedsRehash(f *testing.F) {
	for _, seed := range []string{
		MustHashPassword(f, "correct horse battery staple", cheapParams),
		"$argon2id$v=19$m=64,t=2,p=1$c29tZXNhbHQwMTIzNDU2$d9uVF48jq9l73QPBCJXoBIUIoI1ii/odCbdtl0tvPwA",
		"$argon2id$v=19$m=4294967295,t=4294967295,p=255$c29tZXNhbHQ$a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=,t=,p=$$", "$$$$$", "",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, encoded string) {
		if !auth.NeedsRehash(encoded, cheapParams) && !strings.HasPrefix(encoded, "$argon2id$v=19$m=64,t=1,p=1$") {
			t.Fatalf("NeedsRehash = false for %q, made with other parameters", encoded)
		}
	})
}
