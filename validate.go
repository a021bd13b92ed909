package parley

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"
)

// IsInvisible reports whether r is drawn as nothing: format characters (Unicode category Cf,
// such as U+200B ZERO WIDTH SPACE, U+2060 WORD JOINER and U+FEFF), the other
// default-ignorable code points (U+3164 HANGUL FILLER and its kin, U+034F), variation
// selectors, and U+2800 BRAILLE PATTERN BLANK, which fonts draw empty. Minimum lengths count
// such a code point as the space it looks like, so that a comment, a username or a name made
// only of them counts as empty.
func IsInvisible(r rune) bool {
	switch {
	case r < 0x80:
		return false
	case r == 0x2800:
		return true
	}
	return unicode.In(r, unicode.Cf, unicode.Other_Default_Ignorable_Code_Point, unicode.Variation_Selector)
}

// isBlank reports whether r shows as empty space.
func isBlank(r rune) bool { return unicode.IsSpace(r) || IsInvisible(r) }

// VisibleLength counts the characters of s a reader sees between its first and last visible
// one: spaces and invisible code points at either end do not count, and those within count
// as the spaces they look like. HTML character references count as the one character they
// stand for, since Markdown writes &#8203; as U+200B.
func VisibleLength(s string) int {
	if strings.IndexByte(s, '&') >= 0 {
		s = html.UnescapeString(s)
	}
	return utf8.RuneCountInString(strings.TrimFunc(s, isBlank))
}

// TextRule says what one string input may hold. Every string that reaches the API passes a
// rule before any service sees it (the GraphQL layer applies one per argument and input
// field), so that no text that storage would refuse — invalid UTF-8, a NUL byte — or that a
// reader should never see — other control characters — gets any further.
type TextRule struct {
	// MaxRunes bounds the length in characters.
	MaxRunes int
	// Multiline allows tab, line feed and carriage return; every other control character
	// (C0, DEL and C1) is refused everywhere.
	Multiline bool
}

// Check returns an EINVALID error naming field when s breaks the rule.
func (r TextRule) Check(field, s string) error {
	if !utf8.ValidString(s) {
		return FieldErrorf(field, "Field %s is not valid UTF-8 text.", field)
	}
	// A rune takes at most 4 bytes: longer strings are refused without counting them.
	if len(s) > r.MaxRunes*utf8.UTFMax || utf8.RuneCountInString(s) > r.MaxRunes {
		return FieldErrorf(field, "Field %s must be at most %d characters.", field, r.MaxRunes)
	}
	for _, c := range s {
		if !unicode.IsControl(c) || r.Multiline && (c == '\t' || c == '\n' || c == '\r') {
			continue
		}
		if c == 0 {
			return FieldErrorf(field, "Field %s contains a NUL character (U+0000), which is not allowed.", field)
		}
		return FieldErrorf(field, "Field %s contains the control character U+%04X, which is not allowed.", field, c)
	}
	return nil
}
