package wordlist

import (
	"bufio"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/parleyhq/parley"
)

// Limits on a list, so that a pasted file cannot make the server build an automaton of
// unbounded size or scan a comment for unbounded time.
const (
	// MaxTerms is the most terms a list may hold, counted before duplicates are merged.
	MaxTerms = 100_000
	// MaxTermLength is the longest a term may be, in characters as written.
	MaxTermLength = 200
	// MaxMatches is the most matches Match reports for one text: enough for any moderation
	// decision and a readable trail, while a hostile comment cannot make the result grow
	// with the product of its length and the list's size.
	MaxMatches = 1000
)

// maxLineBytes bounds one line of a list file; a longer line cannot hold a valid term.
const maxLineBytes = 64 << 10

// List is a compiled word list: the terms, normalised, in one Aho–Corasick automaton. Build
// it once when the list changes, not per comment. A List is immutable and safe for
// concurrent use; a nil *List is an empty list.
type List struct {
	terms   []term
	ac      *automaton
	version string
}

// term is one entry of a list.
type term struct {
	written string // as written in the list, for the moderation trail
	pattern []rune // the normalised form that is matched
	prefix  bool   // a trailing "*": the match may end inside a word
	suffix  bool   // a leading "*": the match may begin inside a word
}

// Match is one occurrence of a list term in a text.
type Match struct {
	// Term is the term as written in the list, so that a moderator sees the entry that
	// fired rather than its normalised form.
	Term string
	// Start and End delimit the matched bytes of the original text, text[Start:End], so
	// that the moderation UI can highlight what the commenter actually typed, look-alike
	// letters and invisible characters included.
	Start, End int
}

// Parse reads a list: one term per line, with blank lines and lines whose first non-space
// character is "#" ignored ("\#" at the start of a line stands for a literal "#"), and
// surrounding white space trimmed.
//
// A term matches whole words, so "ass" does not match "class". A "*" at its end lets the
// match run on into a word ("idiot*" matches "idiots"), and a "*" at its start lets it begin
// inside one ("*idiot" matches "superidiot"). A term may be a phrase: "buy followers" matches
// the two words separated by any white space. Terms are compared after Normalize, so
// look-alike letters, case and invisible characters do not matter, and terms that normalise
// to the same form are merged (the first spelling is reported).
//
// Invalid UTF-8, a term that normalises to nothing, a term longer than MaxTermLength and
// more than MaxTerms terms are EINVALID errors that name the line.
func Parse(r io.Reader) (*List, error) {
	var b builder
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxLineBytes)
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if line == 1 {
			text = strings.TrimPrefix(text, "\uFEFF")
		}
		if err := b.add(text, "line", line); err != nil {
			return nil, err
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, parley.Errorf(parley.EINVALID, "Word list line %d is longer than %d bytes.", line+1, maxLineBytes)
		}
		return nil, fmt.Errorf("read word list: %w", err)
	}
	return b.build(), nil
}

// Compile builds a list from terms already split, one per element, with the same rules as
// Parse; errors name the element by its position, counting from 1.
func Compile(terms []string) (*List, error) {
	var b builder
	for i, t := range terms {
		if err := b.add(t, "term", i+1); err != nil {
			return nil, err
		}
	}
	return b.build(), nil
}

// Len returns the number of distinct terms, after merging duplicates.
func (l *List) Len() int {
	if l == nil {
		return 0
	}
	return len(l.terms)
}

// Version returns a stable hash of the list's normalised terms, so that the moderation trail
// can record exactly which list decided: it changes when a term is added or removed and when
// normalisation changes how a term is matched, but not when only comments, order, spelling
// variants or duplicates change.
func (l *List) Version() string {
	if l == nil {
		return (&builder{}).build().version
	}
	return l.version
}

// Match returns the occurrences of the list's terms in text, ordered by position, at most
// MaxMatches of them. The text is not changed; offsets refer to it as given.
func (l *List) Match(text string) []Match {
	if l.Len() == 0 {
		return nil
	}
	sc := getScratch()
	defer putScratch(sc)
	sc.normalize(text)
	var ms []Match
	l.ac.scan(sc.runes, l.terms, func(id int32, i, j int) bool {
		ms = append(ms, Match{Term: l.terms[id].written, Start: sc.spans[i].start, End: sc.spans[j-1].end})
		return len(ms) < MaxMatches
	})
	slices.SortStableFunc(ms, func(a, b Match) int {
		return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(a.End, b.End))
	})
	return ms
}

// Contains reports whether any term occurs in text. It stops at the first match, for the
// stages that only need a yes or no.
func (l *List) Contains(text string) bool {
	if l.Len() == 0 {
		return false
	}
	sc := getScratch()
	defer putScratch(sc)
	sc.normalize(text)
	found := false
	l.ac.scan(sc.runes, l.terms, func(int32, int, int) bool {
		found = true
		return false
	})
	return found
}

// builder collects terms for Parse and Compile.
type builder struct {
	terms []term
	seen  map[string]bool
	count int
}

// add adds one line or element; unit and n name it in errors.
func (b *builder) add(raw, unit string, n int) error {
	if !utf8.ValidString(raw) {
		return parley.Errorf(parley.EINVALID, "Word list %s %d is not valid UTF-8.", unit, n)
	}
	written := strings.TrimSpace(raw)
	if written == "" || written[0] == '#' {
		return nil
	}
	if strings.HasPrefix(written, `\#`) {
		written = written[1:]
	}
	b.count++
	if b.count > MaxTerms {
		return parley.Errorf(parley.EINVALID, "Word list %s %d: a list may hold at most %d terms.", unit, n, MaxTerms)
	}
	if l := utf8.RuneCountInString(written); l > MaxTermLength {
		return parley.Errorf(parley.EINVALID, "Word list %s %d: the term is %d characters long; the limit is %d.", unit, n, l, MaxTermLength)
	}
	t := term{written: written}
	body := strings.TrimLeft(written, "*")
	t.suffix = len(body) < len(written)
	trimmed := strings.TrimRight(body, "*")
	t.prefix = len(trimmed) < len(body)
	sc := getScratch()
	sc.normalize(trimmed)
	t.pattern = slices.Clone(trimRunes(sc.runes, ' '))
	putScratch(sc)
	if len(t.pattern) == 0 {
		return parley.Errorf(parley.EINVALID, "Word list %s %d: %q has nothing left to match once wildcards, spaces and invisible characters are removed.", unit, n, written)
	}
	key := fmt.Sprintf("%t %t %s", t.suffix, t.prefix, string(t.pattern))
	if b.seen[key] {
		return nil
	}
	if b.seen == nil {
		b.seen = make(map[string]bool)
	}
	b.seen[key] = true
	b.terms = append(b.terms, t)
	return nil
}

// build sorts the terms by pattern, hashes them and builds the automaton.
func (b *builder) build() *List {
	slices.SortFunc(b.terms, func(x, y term) int {
		if c := slices.Compare(x.pattern, y.pattern); c != 0 {
			return c
		}
		return cmp.Or(boolCompare(x.suffix, y.suffix), boolCompare(x.prefix, y.prefix))
	})
	h := sha256.New()
	io.WriteString(h, "parley wordlist v1\n")
	for _, t := range b.terms {
		fmt.Fprintf(h, "%t %t %s\n", t.suffix, t.prefix, string(t.pattern))
	}
	return &List{
		terms:   b.terms,
		ac:      buildAutomaton(b.terms),
		version: hex.EncodeToString(h.Sum(nil)[:16]),
	}
}

func boolCompare(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// trimRunes returns rs without leading and trailing c.
func trimRunes(rs []rune, c rune) []rune {
	for len(rs) > 0 && rs[0] == c {
		rs = rs[1:]
	}
	for len(rs) > 0 && rs[len(rs)-1] == c {
		rs = rs[:len(rs)-1]
	}
	return rs
}
