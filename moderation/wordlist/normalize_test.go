package wordlist_test

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/parleyhq/parley/moderation/wordlist"
	"golang.org/x/text/unicode/norm"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"ASCII is lower-cased", "Hello World", "hello world"},
		{"cyrillic look-alikes become latin", "аеорсху", "aeopcxy"},
		{"cyrillic capitals become latin", "АЕОРСНКМТВ", "aeopchkrntb"},
		{"greek look-alikes become latin", "αοινρ", "aoivp"},
		{"greek capitals become latin", "ΑΒΕΗΙΚΜΝΟΡΤΧ", "abehikrnnoptx"},
		{"capital I folds to i, not to its look-alike l", "Idiot", "idiot"},
		{"fullwidth letters become ASCII", "ＦＵＬＬ ｗｉｄｔｈ", "full width"},
		{"mathematical alphanumerics become ASCII", "𝐁𝐨𝐥𝐝 𝔉𝔯𝔞𝔨 𝟙𝟚", "bold frak l2"},
		{"ligatures are expanded", "ﬁﬂ", "fifl"},
		{"sharp s folds to ss", "Straße", "strasse"},
		{"zero-width characters are removed", "a\u200Bb\u200Cc\u200Dd\u2060e\uFEFFf", "abcdef"},
		{"soft hyphen is removed", "ab\u00ADcd", "abcd"},
		{"bidi controls are removed", "\u202Ea\u202Cb\u200E\u200Fc\u2066\u2067\u2068\u2069", "abc"},
		{"variation selectors are removed", "a\uFE0Fb\U000E0100", "ab"},
		{"tags are removed", "a\U000E0041\U000E007Fb", "ab"},
		{"white space runs become one space", " a \t\n\u00A0\u2003 b ", " a b "},
		{"accents are dropped", "é", "e"},
		{"generic diacritics are dropped", "a\u0301\u0316", "a"},
		{"marks split by an invisible character are dropped with it", "a\u0301\u200B\u0316", "a"},
		{"dotted spelling is joined", "i.d.i.o.t", "idiot"},
		{"spelling with symbols is joined", "s$p$a$m", "sparn"},
		{"spelling with a letter that expands is joined", "m.o.m", "rnorn"},
		{"two spelled letters are left alone", "e.g.", "e.g."},
		{"mixed separators are left alone", "a.b-c", "a.b-c"},
		{"spelled letters touching a word are left alone", "xy.z.w", "xy.z.w"},
		{"spelled letters with accents are joined, accents dropped", "é.t.é", "ete"},
		{"invalid UTF-8 becomes U+FFFD", "a\xffb", "a\uFFFDb"},
		{"confusable digits become letters", "0l1", "oll"},
		{"m and rn look alike", "m", "rn"},
		{"empty stays empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := wordlist.Normalize(tt.in); got != tt.want {
				t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestNormalizeIsIdempotentOnEveryCodePoint(t *testing.T) {
	// Each code point between letters, and on its own, checks the fold table against the
	// pipeline as a whole.
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if r >= 0xD800 && r <= 0xDFFF {
			continue
		}
		for _, s := range []string{string(r), "a" + string(r) + "b"} {
			n := wordlist.Normalize(s)
			if nn := wordlist.Normalize(n); nn != n {
				t.Fatalf("%U: Normalize(%q) = %q, but Normalize of that = %q", r, s, n, nn)
			}
		}
	}
}

func TestFoldTableMatchesItsDefinition(t *testing.T) {
	table := wordlist.FoldTableEntries()
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if (r >= 0xD800 && r <= 0xDFFF) || !norm.NFKD.IsNormalString(string(r)) {
			continue // the table is consulted only on NFKD text
		}
		want, ok := table[r]
		if !ok {
			want = string(r)
		}
		if r >= utf8.RuneSelf && r < 0xE0000 && r > 0x3FFFF && r%97 != 0 {
			continue // the definition is slow; sample the planes the table skips
		}
		if got := wordlist.FoldRuneDefinition(r); got != want {
			t.Errorf("%U: table gives %q, definition %q", r, want, got)
		}
	}
}

func TestFoldTableOutputsAreFixedPoints(t *testing.T) {
	table := wordlist.FoldTableEntries()
	for r, f := range table {
		for _, c := range f {
			if g, ok := table[c]; ok {
				t.Errorf("%U folds to %q, which contains %U that folds again to %q", r, f, c, g)
			}
		}
	}
}

func TestIgnorableMatchesDerivedCoreProperties(t *testing.T) {
	want := readIgnorable(t, "testdata/DerivedCoreProperties-DI.txt")
	if len(want) != 4174 {
		t.Fatalf("read %d code points from testdata, want 4174", len(want))
	}
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if got := wordlist.IsIgnorable(r); got != want[r] {
			t.Errorf("IsIgnorable(%U) = %v, want %v", r, got, want[r])
		}
	}
	t.Run("ignorable code points vanish, and nothing else but marks", func(t *testing.T) {
		for r := rune(0); r <= unicode.MaxRune; r++ {
			if r >= 0xD800 && r <= 0xDFFF {
				continue
			}
			vanishes := wordlist.Normalize("a"+string(r)+"b") == "ab"
			// Besides the ignorable code points, only marks (and modifier letters that are
			// marks in disguise) may vanish: matching is accent-insensitive on purpose.
			// Code points newer than the standard library's tables (the confusables data is
			// Unicode 17) cannot be classified here.
			unknown := unicode.Is(unicode.Cn, r)
			decoration := unicode.IsMark(r) || unicode.In(r, unicode.Lm, unicode.Sk) || unknown
			if want[r] && !vanishes || !want[r] && vanishes && !decoration {
				t.Errorf("%U: vanishes = %v, want %v", r, vanishes, want[r])
			}
		}
	})
}

// readIgnorable reads the code points listed in a DerivedCoreProperties.txt excerpt.
func readIgnorable(t *testing.T, path string) map[rune]bool {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	set := make(map[rune]bool)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		field, _, ok := strings.Cut(line, ";")
		if !ok {
			continue
		}
		lo, hi, isRange := strings.Cut(strings.TrimSpace(field), "..")
		if !isRange {
			hi = lo
		}
		l, err1 := strconv.ParseUint(lo, 16, 32)
		h, err2 := strconv.ParseUint(hi, 16, 32)
		if err1 != nil || err2 != nil {
			t.Fatalf("bad line %q", sc.Text())
		}
		for r := rune(l); r <= rune(h); r++ {
			set[r] = true
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return set
}
