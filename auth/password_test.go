package auth_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/auth"
)

// cheapParams keep password tests fast; the format and logic do not depend on cost.
var cheapParams = auth.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// MustHashPassword hashes password or fails the test.
func MustHashPassword(tb testing.TB, password string, p auth.Params) string {
	tb.Helper()
	h, err := auth.HashPassword(password, p)
	if err != nil {
		tb.Fatalf("HashPassword: %v", err)
	}
	return h
}

// MustVerifyPassword verifies password against hash or fails the test on an error.
func MustVerifyPassword(tb testing.TB, password, hash string) bool {
	tb.Helper()
	ok, err := auth.VerifyPassword(password, hash)
	if err != nil {
		tb.Fatalf("VerifyPassword(%q): %v", hash, err)
	}
	return ok
}

func TestHashPassword(t *testing.T) {
	t.Run("writes a PHC string with the parameters", func(t *testing.T) {
		h := MustHashPassword(t, "correct horse battery staple", cheapParams)
		re := regexp.MustCompile(`^\$argon2id\$v=19\$m=64,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)
		if !re.MatchString(h) {
			t.Errorf("hash %q does not match %s", h, re)
		}
	})
	t.Run("salts every hash differently", func(t *testing.T) {
		a := MustHashPassword(t, "correct horse battery staple", cheapParams)
		b := MustHashPassword(t, "correct horse battery staple", cheapParams)
		if a == b {
			t.Errorf("two hashes of one password are equal: %q", a)
		}
	})
	t.Run("refuses an oversized password", func(t *testing.T) {
		_, err := auth.HashPassword(strings.Repeat("x", parley.MaxPasswordLength+1), cheapParams)
		if got := parley.ErrorCode(err); got != parley.EINVALID {
			t.Errorf("code = %q, want %q (err %v)", got, parley.EINVALID, err)
		}
	})
	t.Run("refuses invalid parameters", func(t *testing.T) {
		if _, err := auth.HashPassword("correct horse battery staple", auth.Params{}); err == nil {
			t.Error("HashPassword with zero Params succeeded")
		}
	})
}

func TestVerifyPassword(t *testing.T) {
	const pw = "correct horse battery staple"
	h := MustHashPassword(t, pw, cheapParams)
	for _, tt := range []struct {
		name     string
		password string
		want     bool
	}{
		{"matches the right password", pw, true},
		{"rejects a wrong password", pw + "!", false},
		{"rejects a different case", strings.ToUpper(pw), false},
		{"rejects an empty password", "", false},
		{"rejects an oversized password", strings.Repeat("x", parley.MaxPasswordLength+1), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := MustVerifyPassword(t, tt.password, h); got != tt.want {
				t.Errorf("VerifyPassword(%q) = %v, want %v", tt.password, got, tt.want)
			}
		})
	}

	t.Run("uses the parameters stored in the hash", func(t *testing.T) {
		stronger := cheapParams
		stronger.Memory, stronger.Iterations, stronger.Parallelism, stronger.KeyLength = 256, 3, 2, 24
		if !MustVerifyPassword(t, pw, MustHashPassword(t, pw, stronger)) {
			t.Error("a hash made with other parameters did not verify")
		}
	})

	// These hashes were made with the reference implementation (the argon2 command-line tool),
	// so they pin our PHC encoding to what other implementations write and read.
	for _, tt := range []struct {
		name, password, hash string
	}{
		{"verifies a reference hash", "correct horse battery staple",
			"$argon2id$v=19$m=64,t=2,p=1$c29tZXNhbHQwMTIzNDU2$d9uVF48jq9l73QPBCJXoBIUIoI1ii/odCbdtl0tvPwA"},
		{"verifies a reference hash with two lanes and a non-ASCII password", "pässwörd 🔑",
			"$argon2id$v=19$m=128,t=1,p=2$MDEyMzQ1Njc4OWFiY2RlZg$gdFqMBci8sp+uWVTJSVxiA"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if !MustVerifyPassword(t, tt.password, tt.hash) {
				t.Errorf("VerifyPassword(%q, %q) = false", tt.password, tt.hash)
			}
			if MustVerifyPassword(t, tt.password+"x", tt.hash) {
				t.Errorf("VerifyPassword(%q, %q) = true", tt.password+"x", tt.hash)
			}
		})
	}
}

func TestVerifyPasswordMalformedHash(t *testing.T) {
	const salt, key = "c29tZXNhbHQwMTIzNDU2", "d9uVF48jq9l73QPBCJXoBIUIoI1ii/odCbdtl0tvPwA"
	for _, tt := range []struct {
		name, hash string
	}{
		{"empty", ""},
		{"plain text", "hunter2"},
		{"argon2i instead of argon2id", "$argon2i$v=19$m=64,t=2,p=1$c29tZXNhbHQwMTIzNDU2$wqqM3FJPKA8WTzqRW5rZpqGjquRKyjCVqTv14KzwjR8"},
		{"old version", "$argon2id$v=16$m=64,t=2,p=1$" + salt + "$" + key},
		{"no version", "$argon2id$m=64,t=2,p=1$" + salt + "$" + key},
		{"parameters out of order", "$argon2id$v=19$t=2,m=64,p=1$" + salt + "$" + key},
		{"missing parameter", "$argon2id$v=19$m=64,t=2$" + salt + "$" + key},
		{"leading zero", "$argon2id$v=19$m=064,t=2,p=1$" + salt + "$" + key},
		{"signed number", "$argon2id$v=19$m=+64,t=2,p=1$" + salt + "$" + key},
		{"zero iterations", "$argon2id$v=19$m=64,t=0,p=1$" + salt + "$" + key},
		{"zero lanes", "$argon2id$v=19$m=64,t=2,p=0$" + salt + "$" + key},
		{"lanes beyond a byte", "$argon2id$v=19$m=64,t=2,p=256$" + salt + "$" + key},
		{"memory beyond the bound", "$argon2id$v=19$m=2097152,t=2,p=1$" + salt + "$" + key},
		{"memory below 8 KiB per lane", "$argon2id$v=19$m=8,t=2,p=2$" + salt + "$" + key},
		{"padded base64", "$argon2id$v=19$m=64,t=2,p=1$" + salt + "$" + key + "="},
		{"not base64", "$argon2id$v=19$m=64,t=2,p=1$" + salt + "$!!!"},
		{"salt too short", "$argon2id$v=19$m=64,t=2,p=1$c2FsdA$" + key},
		{"key too short", "$argon2id$v=19$m=64,t=2,p=1$" + salt + "$a2V5"},
		{"extra field", "$argon2id$v=19$m=64,t=2,p=1$" + salt + "$" + key + "$x"},
		{"oversized", "$argon2id$v=19$m=64,t=2,p=1$" + salt + "$" + strings.Repeat("A", 600)},
	} {
		t.Run("refuses "+tt.name, func(t *testing.T) {
			ok, err := auth.VerifyPassword("correct horse battery staple", tt.hash)
			if ok || err == nil {
				t.Fatalf("VerifyPassword = %v, %v; want false and an error", ok, err)
			}
			if strings.Contains(err.Error(), tt.hash) && tt.hash != "" {
				t.Errorf("error %q repeats the stored hash", err)
			}
			if !auth.NeedsRehash(tt.hash, cheapParams) {
				t.Error("NeedsRehash = false for an unreadable hash")
			}
		})
	}
}

func TestNeedsRehash(t *testing.T) {
	h := MustHashPassword(t, "correct horse battery staple", cheapParams)
	change := func(f func(*auth.Params)) auth.Params {
		p := cheapParams
		f(&p)
		return p
	}
	for _, tt := range []struct {
		name   string
		params auth.Params
		want   bool
	}{
		{"keeps a hash made with the current parameters", cheapParams, false},
		{"rehashes when memory is raised", change(func(p *auth.Params) { p.Memory = 128 }), true},
		{"rehashes when iterations are raised", change(func(p *auth.Params) { p.Iterations = 2 }), true},
		{"rehashes when lanes change", change(func(p *auth.Params) { p.Parallelism = 2 }), true},
		{"rehashes when the key length changes", change(func(p *auth.Params) { p.KeyLength = 64 }), true},
		{"rehashes when the salt length changes", change(func(p *auth.Params) { p.SaltLength = 32 }), true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := auth.NeedsRehash(h, tt.params); got != tt.want {
				t.Errorf("NeedsRehash(%q, %+v) = %v, want %v", h, tt.params, got, tt.want)
			}
		})
	}
}

func TestParamsValidate(t *testing.T) {
	t.Run("accepts the defaults", func(t *testing.T) {
		if err := auth.DefaultParams().Validate(); err != nil {
			t.Fatal(err)
		}
		want := auth.Params{Memory: 64 * 1024, Iterations: 2, Parallelism: 2, SaltLength: 16, KeyLength: 32}
		if diff := cmp.Diff(want, auth.DefaultParams()); diff != "" {
			t.Errorf("DefaultParams changed (-want +got):\n%s", diff)
		}
	})
	for _, tt := range []struct {
		name   string
		params auth.Params
	}{
		{"zero", auth.Params{}},
		{"no lanes", auth.Params{Memory: 64, Iterations: 1, SaltLength: 16, KeyLength: 32}},
		{"no iterations", auth.Params{Memory: 64, Parallelism: 1, SaltLength: 16, KeyLength: 32}},
		{"too little memory", auth.Params{Memory: 8, Iterations: 1, Parallelism: 2, SaltLength: 16, KeyLength: 32}},
		{"too much memory", auth.Params{Memory: 1<<20 + 1, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}},
		{"short salt", auth.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 4, KeyLength: 32}},
		{"short key", auth.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 8}},
	} {
		t.Run("refuses "+tt.name, func(t *testing.T) {
			if err := tt.params.Validate(); err == nil {
				t.Errorf("Validate(%+v) = nil", tt.params)
			}
		})
	}
}

// BenchmarkHashPasswordDefault measures the production cost; DefaultParams documents it.
func BenchmarkHashPasswordDefault(b *testing.B) {
	p := auth.DefaultParams()
	for b.Loop() {
		MustHashPassword(b, "correct horse battery staple", p)
	}
}
