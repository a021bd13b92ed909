package wordlist

import (
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Normalize returns the form in which both list terms and comment bodies are compared, so
// that text which looks the same to a reader compares equal no matter how it was typed.
//
// In order: default-ignorable code points (zero-width spaces and joiners, soft hyphens, bidi
// controls, variation selectors …) are removed; invalid UTF-8 becomes U+FFFD; the text is
// decomposed for compatibility (NFKD, so fullwidth and mathematical letters become plain
// ones); every code point is case folded and replaced by its Unicode TR39 confusable
// prototype (Cyrillic "е" and Greek "ο" become Latin "e" and "o"), repeatedly until stable, and
// put in canonical order (NFD); white space runs become one space; and a word spelled out as
// single letters joined by one repeated punctuation mark or symbol, at least three letters
// long ("i.d.i.o.t", "a-s-s", "s_p_a_m"), is joined up ("idiot"). Letters spaced out with
// blanks ("i d i o t") are left alone, as ordinary prose has runs of one-letter words.
//
// Generic diacritics, overlays and enclosing marks are dropped (see stripDecoration), unlike
// TR39's skeleton, because accents and "zalgo" marks are common ways to dodge a filter
// ("idiót" matches "idiot"); the price is that "año" matches a banned "ano". Leetspeak
// ("1d10t") is not undone beyond what TR39 itself says looks alike ("0" and "o", "1" and "l").
//
// The result is meant for comparison only, never for display, and Normalize is idempotent.
func Normalize(s string) string {
	sc := getScratch()
	defer putScratch(sc)
	sc.normalize(s)
	return string(sc.runes)
}

// span is a byte range [start, end) of the original text.
type span struct{ start, end int }

// scratch holds the buffers of one normalisation, reused through a pool so that matching a
// comment allocates next to nothing.
type scratch struct {
	runes []rune // the normalised text
	spans []span // for each rune, the original bytes it came from
	clean []byte // the input without default-ignorables and with invalid bytes replaced
	cmap  []span // for each byte of clean, the original bytes of its code point
	seg   []byte
	out   []byte
	tmp   []byte
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

func getScratch() *scratch { return scratchPool.Get().(*scratch) }

// putScratch returns sc to the pool unless a huge input inflated it, so that one long comment
// does not pin its buffers for the life of the process.
func putScratch(sc *scratch) {
	if cap(sc.runes) > 1<<20 || cap(sc.clean) > 1<<22 {
		return
	}
	scratchPool.Put(sc)
}

// normalize fills sc.runes and sc.spans with the normalised form of s.
func (sc *scratch) normalize(s string) {
	sc.runes, sc.spans = sc.runes[:0], sc.spans[:0]
	text, mapped := sc.prepare(s)
	t := folds()
	for i := 0; i < len(text); {
		if b := text[i]; b < utf8.RuneSelf && (i+1 == len(text) || text[i+1] < utf8.RuneSelf) {
			// An ASCII character followed by another, or by nothing, is a segment of its own.
			sp := sc.origin(i, i+1, mapped)
			for _, r := range t.ascii[b] {
				sc.emit(r, sp)
			}
			i++
			continue
		}
		n := norm.NFKD.NextBoundaryInString(text[i:], true)
		if n <= 0 {
			n = len(text) - i
		}
		sp := sc.origin(i, i+n, mapped)
		sc.seg = norm.NFKD.AppendString(sc.seg[:0], text[i:i+n])
		sc.seg = stripDecoration(sc.seg)
		sc.out = sc.out[:0]
		changed, wide := false, false
		for _, r := range string(sc.seg) {
			var f string
			var ok bool
			if r < utf8.RuneSelf {
				f, ok = t.ascii[r], t.ascii[r] != string(r)
			} else {
				f, ok = t.other[r]
			}
			if ok {
				changed = true
				sc.out = append(sc.out, f...)
			} else {
				sc.out = utf8.AppendRune(sc.out, r)
			}
			wide = wide || r >= utf8.RuneSelf
		}
		if changed && wide {
			// Folded code points may bring combining marks that must be put in canonical
			// order with the marks that followed them.
			sc.tmp = norm.NFD.Append(sc.tmp[:0], sc.out...)
			sc.out, sc.tmp = sc.tmp, sc.out
		}
		// Folding may itself bring decoration (¢ is a c with a stroke), so strip after it too.
		sc.out = stripDecoration(sc.out)
		for _, r := range string(sc.out) {
			sc.emit(r, sp)
		}
		i += n
	}
	sc.joinSpelledOut()
}

// emit appends one normalised rune, folding runs of white space into one space.
func (sc *scratch) emit(r rune, sp span) {
	if r == ' ' && len(sc.runes) > 0 && sc.runes[len(sc.runes)-1] == ' ' {
		return
	}
	sc.runes = append(sc.runes, r)
	sc.spans = append(sc.spans, sp)
}

// origin returns the original byte range of text[i:j].
func (sc *scratch) origin(i, j int, mapped bool) span {
	if !mapped {
		return span{i, j}
	}
	return span{sc.cmap[i].start, sc.cmap[j-1].end}
}

// prepare returns s itself when it is valid UTF-8 without default-ignorable code points,
// which is the common case and costs one scan. Otherwise it returns a cleaned copy, with
// sc.cmap recording where each of its bytes came from, and mapped set.
func (sc *scratch) prepare(s string) (text string, mapped bool) {
	dirty := -1
	for i := 0; i < len(s); {
		if s[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || isIgnorable(r) {
			dirty = i
			break
		}
		i += size
	}
	if dirty < 0 {
		return s, false
	}
	sc.clean, sc.cmap = append(sc.clean[:0], s[:dirty]...), sc.cmap[:0]
	for i := 0; i < dirty; {
		_, size := utf8.DecodeRuneInString(s[i:])
		for range size {
			sc.cmap = append(sc.cmap, span{i, i + size})
		}
		i += size
	}
	for i := dirty; i < len(s); {
		if s[i] < utf8.RuneSelf {
			sc.clean = append(sc.clean, s[i])
			sc.cmap = append(sc.cmap, span{i, i + 1})
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		sp := span{i, i + size}
		i += size
		if isIgnorable(r) { // U+FFFD, which stands for an invalid byte, is not ignorable
			continue
		}
		n := len(sc.clean)
		sc.clean = utf8.AppendRune(sc.clean, r)
		for range len(sc.clean) - n {
			sc.cmap = append(sc.cmap, sp)
		}
	}
	return string(sc.clean), true
}

// joinSpelledOut removes the separators from words spelled out letter by letter: runs of at
// least three single letters (each with its combining marks, and not touching another word
// character) separated by one and the same punctuation mark or symbol, such as "i.d.i.o.t".
// It works in place and in one pass. Only separators are removed, and only between letters,
// so a second pass finds nothing more to join, which keeps Normalize idempotent.
func (sc *scratch) joinSpelledOut() {
	rs, sp := sc.runes, sc.spans
	n := len(rs)
	w := 0
	keep := func(i int) {
		if w != i {
			rs[w], sp[w] = rs[i], sp[i]
		}
		w++
	}
	for i := 0; i < n; {
		// Most letters are inside a word, and most that start one are not followed by a
		// separator: settle those first, cheaply.
		if !isLetter(rs[i]) || (i > 0 && isWord(rs[i-1])) {
			keep(i)
			i++
			continue
		}
		e := letterCluster(rs, sp, i)
		if e == n || !isSeparator(rs[e]) {
			keep(i)
			i++
			continue
		}
		// rs[i:e] is an isolated letter; look for "separator letter" pairs after it.
		count, j := 1, e
		sep := rune(-1)
		for j < n && isSeparator(rs[j]) && (sep < 0 || rs[j] == sep) {
			k := letterCluster(rs, sp, j+1)
			if k == j+1 || (k < n && isWord(rs[k])) {
				break
			}
			sep, count, j = rs[j], count+1, k
		}
		if count < 3 {
			j = e
		}
		for ; i < j; i++ {
			if count < 3 || rs[i] != sep {
				keep(i)
			}
		}
	}
	sc.runes, sc.spans = rs[:w], sp[:w]
}

// letterCluster returns the end of the letter starting at rs[i] with its combining marks,
// or i when rs[i] is not a letter. The letters that one character of the original text
// became count as one ("m" is "rn" once normalised, "ß" is "ss"), so that "s.p.a.m" is
// spelled out as much as "s.p.a.n" is.
func letterCluster(rs []rune, sp []span, i int) int {
	if i >= len(rs) || !isLetter(rs[i]) {
		return i
	}
	j := i + 1
	for j < len(rs) && (isMark(rs[j]) || isLetter(rs[j]) && sp[j] == sp[i]) {
		j++
	}
	return j
}

// isSeparator reports whether r may join the letters of a spelled-out word.
func isSeparator(r rune) bool {
	if r < utf8.RuneSelf {
		return asciiClass[r]&classSeparator != 0
	}
	return !isWord(r) && (unicode.IsPunct(r) || unicode.IsSymbol(r))
}

// Classes of ASCII characters, for the fast path of the predicates below.
const (
	classWord = 1 << iota
	classLetter
	classSeparator
)

var asciiClass = func() (t [utf8.RuneSelf]uint8) {
	for r := range rune(utf8.RuneSelf) {
		switch {
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z':
			t[r] = classWord | classLetter
		case '0' <= r && r <= '9':
			t[r] = classWord
		case ' ' < r && r < utf8.RuneSelf-1:
			t[r] = classSeparator
		}
	}
	return t
}()

// The predicates below answer ASCII from asciiClass and are small enough to be inlined;
// other code points go to the unicode package.

func isLetter(r rune) bool {
	if r < utf8.RuneSelf {
		return asciiClass[r]&classLetter != 0
	}
	return isLetterRune(r)
}

// isLetterRune and isWordRune are kept out of line so that their callers inline.
//
//go:noinline
func isLetterRune(r rune) bool { return unicode.IsLetter(r) }

func isMark(r rune) bool { return r >= 0x300 && unicode.IsMark(r) }

// isWord reports whether r is part of a word: a letter, a combining mark or a digit.
func isWord(r rune) bool {
	if r < utf8.RuneSelf {
		return asciiClass[r]&classWord != 0
	}
	return isWordRune(r)
}

//go:noinline
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsNumber(r)
}

// unspaced reports whether r belongs to a script written without spaces between words
// (Chinese, Japanese, Thai …) or, as Korean, with particles glued to words. There a term may
// match inside a run of letters, as no word boundary can be seen without a dictionary.
func unspaced(r rune) bool {
	return r >= 0x0E00 && unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana,
		unicode.Hangul, unicode.Thai, unicode.Lao, unicode.Khmer, unicode.Myanmar)
}

// joins reports whether a and b, adjacent in normalised text, belong to the same word, so
// that a term may not begin or end between them.
func joins(a, b rune) bool {
	if a < utf8.RuneSelf && b < utf8.RuneSelf {
		return asciiClass[a]&asciiClass[b]&classWord != 0
	}
	if isMark(b) {
		return isWord(a)
	}
	return isWord(a) && isWord(b) && !unspaced(a) && !unspaced(b)
}

// stripDecoration drops the generic diacritics of one segment (a letter and the marks on
// it), and any overlay or enclosing mark: matching is accent-insensitive, as filters must be
// when "ïdiót" and "zalgo" text (letters under piles of marks) are common dodges. The cost is
// that "año" matches a banned "ano". Script-specific marks (Indic vowel signs, Tibetan
// stacks) stay, since they change the letter rather than decorate it.
func stripDecoration(seg []byte) []byte {
	strip := false
	for _, r := range string(seg) {
		if isGenericDiacritic(r) || isOverlayOrEnclosing(r) {
			strip = true
			break
		}
	}
	if !strip {
		return seg
	}
	out := seg[:0]
	for _, r := range string(seg) {
		if !isGenericDiacritic(r) && !isOverlayOrEnclosing(r) {
			out = utf8.AppendRune(out, r)
		}
	}
	return out
}

// isOverlayOrEnclosing reports marks drawn through or around a letter rather than as an
// accent: the combining overlays U+0334–U+0338 and U+20D2–U+20D3, U+20D8–U+20DA, U+20E5–U+20E6,
// U+20EA–U+20EB, and every enclosing mark (Me).
func isOverlayOrEnclosing(r rune) bool {
	switch {
	case r >= 0x0334 && r <= 0x0338, r >= 0x20D2 && r <= 0x20D3, r >= 0x20D8 && r <= 0x20DA,
		r >= 0x20E5 && r <= 0x20E6, r >= 0x20EA && r <= 0x20EB:
		return true
	}
	return unicode.Is(unicode.Me, r)
}

// isGenericDiacritic reports marks of the script-neutral combining blocks, the ones "zalgo"
// text piles up.
func isGenericDiacritic(r rune) bool {
	return (r >= 0x0300 && r <= 0x036F || r >= 0x1AB0 && r <= 0x1AFF || r >= 0x1DC0 && r <= 0x1DFF ||
		r >= 0x20D0 && r <= 0x20FF || r >= 0xFE20 && r <= 0xFE2F) && unicode.IsMark(r)
}
