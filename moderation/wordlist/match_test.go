package wordlist_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/parleyhq/parley/moderation/wordlist"
)

// MustCompile compiles terms or fails the test.
func MustCompile(tb testing.TB, terms ...string) *wordlist.List {
	tb.Helper()
	l, err := wordlist.Compile(terms)
	if err != nil {
		tb.Fatalf("Compile(%q): %v", terms, err)
	}
	return l
}

// hit is an expected match: the term as written and the exact text it covers, found in the
// text after the previous hit.
type hit struct{ term, text string }

// wantMatches turns hits into matches with offsets into text.
func wantMatches(t *testing.T, text string, hits []hit) []wordlist.Match {
	t.Helper()
	var ms []wordlist.Match
	from := 0
	for _, h := range hits {
		i := strings.Index(text[from:], h.text)
		if i < 0 {
			t.Fatalf("bad test: %q not in %q after byte %d", h.text, text, from)
		}
		ms = append(ms, wordlist.Match{Term: h.term, Start: from + i, End: from + i + len(h.text)})
		from += i
	}
	return ms
}

var matchTerms = []string{
	"idiot",
	"ass",
	"cunt",
	"buy followers",
	"spam*",
	"*moron",
	"café",
	"笨蛋",
	"$$$",
}

func TestMatch(t *testing.T) {
	list := MustCompile(t, matchTerms...)
	tests := []struct {
		name string
		text string
		want []hit
	}{
		{"plain word matches", "you idiot", []hit{{"idiot", "idiot"}}},
		{"upper case matches", "YOU IDIOT", []hit{{"idiot", "IDIOT"}}},
		{"mixed case matches", "iDiOt", []hit{{"idiot", "iDiOt"}}},
		{"cyrillic look-alikes match", "you іdіоt", []hit{{"idiot", "іdіоt"}}},
		{"cyrillic capitals match", "АSS", []hit{{"ass", "АSS"}}},
		{"greek look-alikes match", "ιdιοt", []hit{{"idiot", "ιdιοt"}}},
		{"greek capitals match", "ΙDΙΟΤ", []hit{{"idiot", "ΙDΙΟΤ"}}},
		{"fullwidth letters match", "ｉｄｉｏｔ!", []hit{{"idiot", "ｉｄｉｏｔ"}}},
		{"fullwidth capitals match", "ＩＤＩＯＴ", []hit{{"idiot", "ＩＤＩＯＴ"}}},
		{"mathematical letters match", "𝐢𝐝𝐢𝐨𝐭 𝓲𝓭𝓲𝓸𝓽", []hit{{"idiot", "𝐢𝐝𝐢𝐨𝐭"}, {"idiot", "𝓲𝓭𝓲𝓸𝓽"}}},
		{"zero-width space inside matches", "id\u200Biot", []hit{{"idiot", "id\u200Biot"}}},
		{"zero-width joiners inside match", "i\u200Cd\u200Di\u2060o\uFEFFt", []hit{{"idiot", "i\u200Cd\u200Di\u2060o\uFEFFt"}}},
		{"soft hyphen inside matches", "idi\u00ADot", []hit{{"idiot", "idi\u00ADot"}}},
		{"bidi controls inside match", "i\u202Ed\u202Ci\u200Eo\u2066t\u2069", []hit{{"idiot", "i\u202Ed\u202Ci\u200Eo\u2066t"}}},
		{"variation selectors inside match", "i\uFE0Fdiot\U000E0100", []hit{{"idiot", "i\uFE0Fdiot"}}},
		{"hangul filler inside matches", "id\u3164iot", []hit{{"idiot", "id\u3164iot"}}},
		{"invisible characters around are not reported", "\u200B\u200Bidiot\u200B", []hit{{"idiot", "idiot"}}},
		{"dotted spelling matches", "you i.d.i.o.t.", []hit{{"idiot", "i.d.i.o.t"}}},
		{"hyphenated spelling matches", "what an a-s-s", []hit{{"ass", "a-s-s"}}},
		{"starred spelling matches", "c*u*n*t", []hit{{"cunt", "c*u*n*t"}}},
		{"mixed separators do not match", "i.d-i.o.t", nil},
		{"spaced-out spelling does not match", "i d i o t", nil},
		{"word inside a longer word does not match", "Scunthorpe", nil},
		{"word at the start of a longer word does not match", "classic assassin passage", nil},
		{"word at the end of a longer word does not match", "bass", nil},
		{"word followed by a digit does not match", "idiot2", nil},
		{"punctuation ends a word", "ass! (idiot)", []hit{{"ass", "ass"}, {"idiot", "idiot"}}},
		{"apostrophe ends a word", "idiot's", []hit{{"idiot", "idiot"}}},
		{"underscore ends a word", "idiot_face", []hit{{"idiot", "idiot"}}},
		{"trailing wildcard matches the word", "spam", []hit{{"spam*", "spam"}}},
		{"trailing wildcard matches longer words", "SPAMMERS", []hit{{"spam*", "SPAM"}}},
		{"trailing wildcard still needs a word start", "antispam", nil},
		{"leading wildcard matches inside a word", "supermoron", []hit{{"*moron", "moron"}}},
		{"leading wildcard still needs a word end", "morons", nil},
		{"phrase matches", "buy followers now", []hit{{"buy followers", "buy followers"}}},
		{"phrase matches across any white space", "BUY\n\t  FOLLOWERS", []hit{{"buy followers", "BUY\n\t  FOLLOWERS"}}},
		{"phrase does not match with a word between", "buy more followers", nil},
		{"precomposed accent matches decomposed term", "CAFÉ", []hit{{"café", "CAFÉ"}}},
		{"decomposed accent matches", "cafe\u0301", []hit{{"café", "cafe\u0301"}}},
		{"matching ignores accents", "cafe", []hit{{"café", "cafe"}}},
		{"an accent does not hide a term", "idiót", []hit{{"idiot", "idiót"}}},
		{"zalgo does not hide a term", "í̖̗d̂̃̄i̅ŏṫ̈", []hit{{"idiot", "í̖̗d̂̃̄i̅ŏṫ̈"}}},
		{"strike-through does not hide a term", "i̶d̶i̶o̶t̶", []hit{{"idiot", "i̶d̶i̶o̶t̶"}}},
		{"Cyrillic ka reads as k", "јerk к", nil},
		{"unspaced script matches inside a run", "你是笨蛋吗", []hit{{"笨蛋", "笨蛋"}}},
		{"symbol term matches", "win $$$ now", []hit{{"$$$", "$$$"}}},
		{"invalid UTF-8 does not hide a match", "\xff\xfeidiot\xff", []hit{{"idiot", "idiot"}}},
		{"offsets point into multi-byte text", "Ça va, іdіоt? — ass", []hit{{"idiot", "іdіоt"}, {"ass", "ass"}}},
		{"several matches come in order", "ass idiot ass", []hit{{"ass", "ass"}, {"idiot", "idiot"}, {"ass", "ass"}}},
		{"clean text matches nothing", "A perfectly civil comment about classes.", nil},
		{"empty text matches nothing", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := wantMatches(t, tt.text, tt.want)
			got := list.Match(tt.text)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Match(%q) mismatch (-want +got):\n%s", tt.text, diff)
			}
			if c := list.Contains(tt.text); c != (len(want) > 0) {
				t.Errorf("Contains(%q) = %v, want %v", tt.text, c, len(want) > 0)
			}
		})
	}
}

func TestMatchOverlappingTerms(t *testing.T) {
	list := MustCompile(t, "buy followers", "followers", "buy*", "*ers")
	got := list.Match("Buy followers!")
	want := []wordlist.Match{
		{Term: "buy*", Start: 0, End: 3},
		{Term: "buy followers", Start: 0, End: 13},
		{Term: "followers", Start: 4, End: 13},
		{Term: "*ers", Start: 10, End: 13},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Match mismatch (-want +got):\n%s", diff)
	}
}

func TestMatchStopsAtMaxMatches(t *testing.T) {
	list := MustCompile(t, "a")
	got := list.Match(strings.Repeat("a ", wordlist.MaxMatches+10))
	if len(got) != wordlist.MaxMatches {
		t.Errorf("got %d matches, want %d", len(got), wordlist.MaxMatches)
	}
}

func TestEmptyListMatchesNothing(t *testing.T) {
	for name, l := range map[string]*wordlist.List{"nil list": nil, "empty list": MustCompile(t)} {
		t.Run(name, func(t *testing.T) {
			if got := l.Match("idiot"); got != nil {
				t.Errorf("Match = %v, want nil", got)
			}
			if l.Contains("idiot") {
				t.Error("Contains = true, want false")
			}
			if l.Len() != 0 {
				t.Errorf("Len = %d, want 0", l.Len())
			}
		})
	}
}

func TestMatchIsSafeForConcurrentUse(t *testing.T) {
	list := MustCompile(t, matchTerms...)
	text := "you іdіоt, buy followers"
	want := list.Match(text)
	done := make(chan []wordlist.Match)
	for range 8 {
		go func() {
			var got []wordlist.Match
			for range 200 {
				got = list.Match(text)
			}
			done <- got
		}()
	}
	for range 8 {
		if diff := cmp.Diff(want, <-done); diff != "" {
			t.Errorf("concurrent Match mismatch (-want +got):\n%s", diff)
		}
	}
}
