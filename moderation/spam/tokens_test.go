package spam_test

import (
	"slices"
	"testing"

	"github.com/parleyhq/parley/moderation/spam"
)

func TestTokens(t *testing.T) {
	got := spam.Tokens("Buy CHEAP pills at https://www.pills.example/buy now!! Buy buy. a x9")
	for _, want := range []string{"buy", "cheap", "pills", "at", "link:pills.example", "now", "x9"} {
		if !slices.Contains(got, want) {
			t.Errorf("tokens %v lack %q", got, want)
		}
	}
	if slices.Contains(got, "a") {
		t.Errorf("one-letter word kept: %v", got)
	}
	n := 0
	for _, tok := range got {
		if tok == "buy" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("tokens repeat: %v", got)
	}
}

func FuzzTokens(f *testing.F) {
	f.Add("Buy now https://x.example/?a=1")
	f.Add("http://[::1]:80/ (http://%zz) ")
	f.Fuzz(func(t *testing.T, s string) {
		toks := spam.Tokens(s)
		if len(toks) > 400 {
			t.Fatalf("%d tokens", len(toks))
		}
	})
}
