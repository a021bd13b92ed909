package wordlist_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/parleyhq/parley/moderation/wordlist"
)

// fuzzSeeds are texts that exercise each normalisation step; testdata/fuzz holds more.
var fuzzSeeds = []string{
	"",
	"you idiot",
	"ΥΟU ІDІОТ",
	"ｉｄｉｏｔ 𝐢𝐝𝐢𝐨𝐭",
	"id\u200Biot i\u00ADdiot \u202Eidiot\u202C",
	"i.d.i.o.t a-b s$p$a$m e.g.",
	"Straße ﬁ ǅ ŉ İ ς",
	"a\u0301\u0316\u200B\u0317 e\u0301",
	"buy\n\tfollowers",
	"你是笨蛋吗 가나다",
	"\xff\xfe\xc3",
	"% \" ` | 0 1 I l m",
	"a" + strings.Repeat("\u0301", 40) + "b",
}

func FuzzNormalize(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := wordlist.Normalize(s)
		if !utf8.ValidString(n) {
			t.Fatalf("Normalize(%q) = %q, not valid UTF-8", s, n)
		}
		if nn := wordlist.Normalize(n); nn != n {
			t.Fatalf("Normalize is not idempotent:\n  s   = %+q\n  n   = %+q\n  n(n)= %+q", s, n, nn)
		}
	})
}

func FuzzMatch(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add(s, "idiot", uint(i))
		f.Add(s, fuzzSeeds[(i+3)%len(fuzzSeeds)], uint(i*7))
	}
	f.Add("prefix", "spam*", uint(3))
	f.Add("text", "*moron", uint(0))
	f.Add("a b", "buy followers", uint(1))
	f.Fuzz(func(t *testing.T, text, termText string, at uint) {
		list, err := wordlist.Compile([]string{termText, "idiot", "a*", "*b"})
		if err != nil {
			return // an invalid term; Compile's own tests cover the errors
		}
		checkMatches(t, list, text)

		// A term inserted between spaces is always found.
		single, err := wordlist.Compile([]string{termText})
		if err != nil || single.Len() == 0 {
			return
		}
		bounds := runeStarts(text)
		pos := bounds[int(at%uint(len(bounds)))]
		inserted := " " + termText + " "
		with := text[:pos] + inserted + text[pos:]
		ms := checkMatches(t, single, with)
		if len(ms) == wordlist.MaxMatches {
			return
		}
		for _, m := range ms {
			if m.Start >= pos && m.End <= pos+len(inserted) {
				return
			}
		}
		t.Fatalf("term %+q (normalised %+q) not found in %+q (normalised %+q); matches %v",
			termText, wordlist.Normalize(termText), with, wordlist.Normalize(with), ms)
	})
}

// checkMatches matches text against list and checks what must hold of any result.
func checkMatches(t *testing.T, list *wordlist.List, text string) []wordlist.Match {
	t.Helper()
	ms := list.Match(text)
	starts := make(map[int]bool)
	for _, b := range runeStarts(text) {
		starts[b] = true
	}
	for i, m := range ms {
		if m.Start < 0 || m.Start >= m.End || m.End > len(text) {
			t.Fatalf("match %v is not a byte range of %q", m, text)
		}
		if !starts[m.Start] || !starts[m.End] {
			t.Fatalf("match %v does not fall on rune boundaries of %+q", m, text)
		}
		if i > 0 && m.Start < ms[i-1].Start {
			t.Fatalf("matches out of order: %v", ms)
		}
	}
	if c := list.Contains(text); c != (len(ms) > 0) {
		t.Fatalf("Contains(%q) = %v, but Match found %d", text, c, len(ms))
	}
	return ms
}

// runeStarts returns the offsets at which a rune of s begins, as decoding s sees them (an
// invalid byte is a rune of its own), and len(s).
func runeStarts(s string) []int {
	var bs []int
	for i := 0; i < len(s); {
		bs = append(bs, i)
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return append(bs, len(s))
}
