// Package wordlist matches comment text against lists of banned and suspect terms.
//
// It is the engine behind the moderation pipeline's word-list stage and knows nothing about
// comments or stages: a List is compiled once from its terms, and Match reports where its
// terms occur in a text, as byte offsets into that text so that moderators see exactly what
// was written.
//
// Commenters who want past a word filter write look-alikes rather than the word: Cyrillic or
// Greek letters, fullwidth or mathematical letters, invisible characters inside the word,
// odd capitals. Both the terms and the text are therefore compared in the form Normalize
// returns, which erases those differences (Unicode default-ignorable removal, NFKD, case
// folding and the TR39 confusables skeleton), and the matching is done by one Aho–Corasick
// automaton per list, so that a comment is scanned once, in linear time, however long the
// list is.
//
// The confusables data comes from go.mau.fi/util/confusable (Unicode 17.0.0 confusables.txt,
// MPL-2.0 code, Unicode-licensed data); normalisation and case folding from golang.org/x/text
// (Unicode 15.0.0); the default-ignorable set is derived from the standard library's unicode
// tables (see ignorable.go).
package wordlist
