package wordlist

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"go.mau.fi/util/confusable"
	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// foldTable maps a code point of NFKD text to its matching form: case folded, replaced by its
// TR39 confusable prototype, decomposed again, and repeated until nothing changes. Code points
// that map to themselves are absent. The table is derived once, at first use, from
// golang.org/x/text and the confusables data of go.mau.fi/util/confusable, so it always agrees
// with the versions that are linked in; deriving it takes about 30 milliseconds.
type foldTable struct {
	ascii [utf8.RuneSelf]string
	other map[rune]string
}

// folds returns the process-wide fold table. It is immutable once built and so safe to share.
var folds = sync.OnceValue(buildFoldTable)

func buildFoldTable() *foldTable {
	t := &foldTable{other: make(map[rune]string, 12000)}
	caser := cases.Fold()
	for r := range rune(utf8.RuneSelf) {
		t.ascii[r] = foldRune(&caser, r)
	}
	for _, rr := range foldDomain {
		for r := rr.lo; r <= rr.hi; r++ {
			if !mayFold(r) {
				continue
			}
			if f := foldRune(&caser, r); f != string(r) {
				t.other[r] = f
			}
		}
	}
	return t
}

// foldDomain is where the non-ASCII code points that fold lie: planes 0 to 3 and the tags and
// variation selectors of plane 14. Planes 4 to 13 are unassigned and 15 and 16 are for
// private use, which no property touches; skipping them halves the time the table takes to
// build. The tests check the definition for every code point, so a future Unicode version
// that assigns letters there cannot slip by.
var foldDomain = []runeRange{{utf8.RuneSelf, 0x3FFFF}, {0xE0000, 0xE0FFF}}

// mayFold reports whether foldRune can change r, so that the table need not evaluate the
// full definition for the million code points that map to themselves.
func mayFold(r rune) bool {
	if r >= 0xD800 && r <= 0xDFFF {
		return false
	}
	return isIgnorable(r) || unicode.IsSpace(r) || unicode.IsUpper(r) || unicode.IsTitle(r) ||
		unicode.SimpleFold(r) != r || unicode.ToLower(r) != r ||
		confusable.GetReplacement(r) != "" || extraLookalikes[r] != ""
}

// foldRune is the definition the table caches: the fixed point of foldStep starting from r.
// The tests check that every output is itself a fixed point, which is what makes Normalize
// idempotent.
func foldRune(caser *cases.Caser, r rune) string {
	x := string(r)
	for range 16 {
		y := foldStep(caser, x)
		if y == x {
			break
		}
		x = y
	}
	return x
}

// foldStep performs one round of NFKD, case folding and confusable mapping.
//
// Case and look-alikes interact: TR39 maps "I" to its prototype "l" (they look alike), while
// folding maps it to "i", and a word filter must treat "Idiot" and "idiot" alike. Cyrillic "Н"
// looks like "H", but its lower case "н" looks like a small capital. So an upper or title case
// letter is first mapped to its prototype, with "l" read as "i" (an upper-case letter that
// looks like "l" looks like "I"), and then folded; a letter already in lower case is folded
// first ("ß" to "ss") and mapped on the next round. Prototypes that come out in upper case
// ("0" becomes "O") are folded on the next round too.
func foldStep(caser *cases.Caser, x string) string {
	var b strings.Builder
	for _, r := range norm.NFKD.String(x) {
		switch {
		case isIgnorable(r):
			continue
		case unicode.IsSpace(r):
			b.WriteByte(' ')
			continue
		}
		if unicode.IsUpper(r) || unicode.IsTitle(r) {
			p := confusable.GetReplacement(r)
			if p == "" {
				p = string(r)
			} else {
				p = strings.ReplaceAll(p, "l", "i")
			}
			b.WriteString(caser.String(p))
			continue
		}
		if f := caser.String(string(r)); f != string(r) {
			b.WriteString(f)
			continue
		}
		if p, ok := extraLookalikes[r]; ok {
			b.WriteString(p)
			continue
		}
		if p := confusable.GetReplacement(r); p != "" {
			b.WriteString(p)
			continue
		}
		b.WriteRune(r)
	}
	return norm.NFD.String(b.String())
}

// extraLookalikes fills gaps of TR39 that filter dodgers use: its prototype for Cyrillic "к"
// is the Latin kra "ĸ", which itself maps nowhere, though both read as "k" in a comment.
var extraLookalikes = map[rune]string{'ĸ': "k"}
