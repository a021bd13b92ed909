package wordlist

import "golang.org/x/text/cases"

// Hooks for the external tests into the derived tables, which are not part of the API.

// IsIgnorable exposes the default-ignorable predicate.
var IsIgnorable = isIgnorable

// FoldRuneDefinition evaluates the fold table's definition for r, without the table.
func FoldRuneDefinition(r rune) string {
	c := cases.Fold()
	return foldRune(&c, r)
}

// FoldTableEntries returns every code point the fold table changes, with its folding.
func FoldTableEntries() map[rune]string {
	t := folds()
	m := make(map[rune]string, len(t.other)+len(t.ascii))
	for r, f := range t.ascii {
		if f != string(rune(r)) {
			m[rune(r)] = f
		}
	}
	for r, f := range t.other {
		m[r] = f
	}
	return m
}
