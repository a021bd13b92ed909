package parley_test

import (
	"strings"
	"testing"
	"unicode"

	"github.com/parleyhq/parley"
)

// invisibleRuns are texts a reader sees as nothing, each built from one family of invisible
// code points, plus spaces: a comment, a name or a label of only these is empty.
var invisibleRuns = map[string]string{
	"zero-width space, word joiner and BOM": "\u200b \u2060\ufeff",
	"zero-width joiners and non-joiners":    "\u200d\u200c\u200d",
	"direction marks and isolates":          "\u200e\u200f\u2066\u2069\u202a\u202c",
	"soft hyphens":                          "\u00ad\u00ad\u00ad",
	"Hangul fillers":                        "\u3164\u115f\u1160\uffa0",
	"Mongolian vowel separator":             "\u180e\u180e",
	"combining grapheme joiner":             "\u034f\u034f",
	"variation selectors":                   "\ufe0f\ufe0e\U000e0100",
	"tag characters":                        "\U000e0001\U000e0041\U000e007f",
	"braille blank":                         "\u2800\u2800",
	"invisible operators":                   "\u2061\u2062\u2063\u2064",
	"non-breaking and ideographic spaces":   "\u00a0\u3000\u2007\u202f",
	"the same as character references":      "&#8203;&#x2060; &#xFEFF;&nbsp;&shy;",
}

func TestValidateBodyCountsInvisibleCharactersAsSpace(t *testing.T) {
	settings := parley.DefaultSiteSettings()
	for name, body := range invisibleRuns {
		t.Run(name+" is empty", func(t *testing.T) {
			if _, err := parley.ValidateBody(body, settings); parley.ErrorCode(err) != parley.EINVALID {
				t.Fatalf("ValidateBody(%q) = %v, want EINVALID", body, err)
			}
		})
	}
	settings.MinCommentLength = 5
	t.Run("invisible padding does not reach the minimum", func(t *testing.T) {
		if _, err := parley.ValidateBody("\u200bab\u200b\u200b\u200b\u200b", settings); parley.ErrorCode(err) != parley.EINVALID {
			t.Fatalf("err = %v, want EINVALID", err)
		}
	})
	t.Run("visible text with invisible characters within is kept as written", func(t *testing.T) {
		in := "I ❤️ this, 👩‍👩‍👧"
		got, err := parley.ValidateBody("  "+in+"\n", settings)
		if err != nil || got != in {
			t.Fatalf("ValidateBody = %q, %v; want %q", got, err, in)
		}
	})
}

func TestVisibleLength(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{
		{"", 0},
		{"abc", 3},
		{"  a b  ", 3},
		{"\u200ba\u200bb\u200b", 3},
		{"&amp;", 1},
		{"é", 1},
		{"❤️", 1},
	} {
		if got := parley.VisibleLength(tc.in); got != tc.want {
			t.Errorf("VisibleLength(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

func TestNamesMustShowACharacter(t *testing.T) {
	for name, text := range invisibleRuns {
		if strings.Contains(text, "&") {
			continue // a character reference is not a name's letter anyway
		}
		t.Run("a username of "+name+" is invalid", func(t *testing.T) {
			if err := parley.ValidateUsername(text); parley.ErrorCode(err) != parley.EINVALID {
				t.Fatalf("ValidateUsername(%q) = %v", text, err)
			}
		})
		t.Run("a site name of "+name+" is invalid", func(t *testing.T) {
			if err := parley.ValidateSiteName(text); parley.ErrorCode(err) != parley.EINVALID {
				t.Fatalf("ValidateSiteName(%q) = %v", text, err)
			}
		})
		t.Run("a reaction label of "+name+" is invalid", func(t *testing.T) {
			s := parley.DefaultSiteSettings()
			s.ReactionKinds = []parley.ReactionKind{{Kind: "like", Label: text, Icon: "+"}}
			if err := s.Validate(); parley.ErrorCode(err) != parley.EINVALID {
				t.Fatalf("label %q: %v", text, err)
			}
		})
	}
	t.Run("a username padded with a Hangul filler is invalid", func(t *testing.T) {
		if err := parley.ValidateUsername("admin\u3164"); parley.ErrorCode(err) != parley.EINVALID {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("a username in another script is valid", func(t *testing.T) {
		if err := parley.ValidateUsername("한국어_사용자"); err != nil {
			t.Fatal(err)
		}
	})
}

// TestRequiredTextMustShowACharacter covers the inputs where words are required (a note
// with reason OTHER, a warning's message, a report's details with reason OTHER): invisible
// characters alone do not count as words.
func TestRequiredTextMustShowACharacter(t *testing.T) {
	for name, text := range invisibleRuns {
		t.Run("a rejection note of "+name+" is invalid", func(t *testing.T) {
			in := parley.ModerateInput{CommentID: "c", Reason: parley.RejectOther, Note: text}
			if err := in.ValidateReject(); parley.ErrorCode(err) != parley.EINVALID {
				t.Fatalf("note %q: %v", text, err)
			}
		})
		t.Run("a warning of "+name+" is invalid", func(t *testing.T) {
			in := parley.SanctionInput{UserID: "u", Kind: parley.SanctionWarn, Message: text}
			if err := in.Validate(); parley.ErrorCode(err) != parley.EINVALID {
				t.Fatalf("message %q: %v", text, err)
			}
		})
		t.Run("report details of "+name+" are invalid", func(t *testing.T) {
			in := parley.ReportInput{CommentID: "c", Reason: parley.ReportOther, Details: text}
			if err := in.Validate(); parley.ErrorCode(err) != parley.EINVALID {
				t.Fatalf("details %q: %v", text, err)
			}
		})
	}
}

// TestIsInvisibleCoversFormatCharacters keeps the rule tied to Unicode's own category: every
// format character counts as invisible, whatever Unicode version Go ships.
func TestIsInvisibleCoversFormatCharacters(t *testing.T) {
	for _, r16 := range unicode.Cf.R16 {
		for r := rune(r16.Lo); r <= rune(r16.Hi); r += rune(r16.Stride) {
			if !parley.IsInvisible(r) {
				t.Errorf("U+%04X (Cf) is not invisible", r)
			}
		}
	}
	for _, r := range "aZ09 _-.!é€😀" {
		if parley.IsInvisible(r) {
			t.Errorf("%q counts as invisible", r)
		}
	}
}

func TestTextRule(t *testing.T) {
	line := parley.TextRule{MaxRunes: 5}
	text := parley.TextRule{MaxRunes: 5, Multiline: true}
	for _, tc := range []struct {
		name  string
		rule  parley.TextRule
		in    string
		valid bool
	}{
		{"plain text is valid", line, "héllo", true},
		{"empty text is valid", line, "", true},
		{"text at the limit is valid", line, "ééééé", true},
		{"text beyond the limit is invalid", line, "éééééé", false},
		{"a huge text is invalid", line, strings.Repeat("a", 1<<20), false},
		{"a NUL is invalid", text, "a\x00b", false},
		{"a bell is invalid", text, "a\ab", false},
		{"an escape is invalid", text, "\x1b[31m", false},
		{"DEL is invalid", text, "a\x7f", false},
		{"a C1 control is invalid", text, "a\u0085", false},
		{"invalid UTF-8 is invalid", text, "a\xffb", false},
		{"a newline in a line is invalid", line, "a\nb", false},
		{"a tab in a line is invalid", line, "a\tb", false},
		{"newlines and tabs in text are valid", text, "a\r\n\tb", true},
		{"invisible characters are left to the minimum lengths", line, "\u200b", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.rule.Check("f", tc.in)
			if tc.valid && err != nil || !tc.valid && (parley.ErrorCode(err) != parley.EINVALID || err.(*parley.Error).Field != "f") {
				t.Fatalf("Check(%q) = %v", tc.in, err)
			}
		})
	}
}
