package auth_test

import (
	"bytes"
	"crypto/sha256"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/auth"
)

// MustNewToken makes a token of kind or fails the test.
func MustNewToken(tb testing.TB, kind string) (string, []byte) {
	tb.Helper()
	secret, hash, err := auth.NewToken(kind)
	if err != nil {
		tb.Fatalf("NewToken(%q): %v", kind, err)
	}
	return secret, hash
}

// MustHashToken hashes a presented token or fails the test.
func MustHashToken(tb testing.TB, presented string) []byte {
	tb.Helper()
	hash, err := auth.HashToken(presented)
	if err != nil {
		tb.Fatalf("HashToken(%q): %v", presented, err)
	}
	return hash
}

func TestNewToken(t *testing.T) {
	for _, tt := range []struct {
		kind, prefix string
	}{
		{auth.KindSession, auth.SessionTokenPrefix},
		{auth.KindAPI, auth.APITokenPrefix},
	} {
		t.Run("makes a "+tt.kind+" token that hashes back to its hash", func(t *testing.T) {
			secret, hash := MustNewToken(t, tt.kind)
			if !strings.HasPrefix(secret, tt.prefix) || len(secret) != auth.TokenLength {
				t.Errorf("token %q: want prefix %q and length %d", secret, tt.prefix, auth.TokenLength)
			}
			if want := sha256.Sum256([]byte(secret)); !bytes.Equal(hash, want[:]) {
				t.Errorf("hash = %x, want SHA-256 of the token %x", hash, want)
			}
			if got := MustHashToken(t, secret); !bytes.Equal(got, hash) {
				t.Errorf("HashToken = %x, want %x", got, hash)
			}
			other, _ := MustNewToken(t, tt.kind)
			if other == secret {
				t.Errorf("two tokens are equal: %q", secret)
			}
		})
	}
	t.Run("refuses an unknown kind", func(t *testing.T) {
		if _, _, err := auth.NewToken("cookie"); err == nil {
			t.Error("NewToken(\"cookie\") succeeded")
		}
	})
	t.Run("binds the kind into the hash", func(t *testing.T) {
		secret, hash := MustNewToken(t, auth.KindSession)
		asAPI := auth.APITokenPrefix + strings.TrimPrefix(secret, auth.SessionTokenPrefix)
		if bytes.Equal(MustHashToken(t, asAPI), hash) {
			t.Error("a session token's random part hashes the same as an API token")
		}
	})
}

func TestHashTokenMalformed(t *testing.T) {
	valid, _ := MustNewToken(t, auth.KindSession)
	body := strings.TrimPrefix(valid, auth.SessionTokenPrefix)
	for _, tt := range []struct {
		name, token string
	}{
		{"empty", ""},
		{"prefix only", "pst_"},
		{"unknown prefix", "xyz_" + body},
		{"prefix in upper case", "PST_" + body},
		{"one byte short", valid[:len(valid)-1]},
		{"one byte long", valid + "A"},
		{"standard base64 alphabet", "pst_" + strings.Repeat("+", 42) + "A"},
		{"padding", "pst_" + body[:42] + "="},
		{"non-canonical trailing bits", "pst_" + body[:42] + "B"},
		{"spaces", " " + valid[1:]},
		{"a Bearer header", "Bearer " + valid[7:]},
		{"non-ASCII", "pst_" + body[:41] + "é"},
		{"oversized", "pst_" + strings.Repeat("A", 1<<20)},
	} {
		t.Run("refuses "+tt.name, func(t *testing.T) {
			hash, err := auth.HashToken(tt.token)
			if hash != nil {
				t.Errorf("hash = %x, want nil", hash)
			}
			if got := parley.ErrorCode(err); got != parley.EUNAUTHENTICATED {
				t.Fatalf("code = %q, want %q (err %v)", got, parley.EUNAUTHENTICATED, err)
			}
			if got, want := parley.ErrorMessage(err), "The access token is malformed; sign in again to get a new one."; got != want {
				t.Errorf("message = %q, want %q", got, want)
			}
		})
	}
}
