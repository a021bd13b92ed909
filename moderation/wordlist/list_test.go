package wordlist_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/moderation/wordlist"
)

// MustParse parses a list or fails the test.
func MustParse(tb testing.TB, text string) *wordlist.List {
	tb.Helper()
	l, err := wordlist.Parse(strings.NewReader(text))
	if err != nil {
		tb.Fatalf("Parse: %v", err)
	}
	return l
}

// terms returns the terms of l that match somewhere in probe, as written.
func terms(l *wordlist.List, probe string) []string {
	var ts []string
	for _, m := range l.Match(probe) {
		ts = append(ts, m.Term)
	}
	return ts
}

func TestParse(t *testing.T) {
	tests := []struct {
		name  string
		list  string
		len   int
		probe string
		want  []string
	}{
		{"comments and blank lines are ignored", "# banned words\n\n  # indented comment\nidiot\n\n", 1, "# idiot", []string{"idiot"}},
		{"surrounding spaces are trimmed", "  \tidiot  \r\n", 1, "idiot", []string{"idiot"}},
		{"CRLF line ends are accepted", "idiot\r\nmoron\r\n", 2, "idiot moron", []string{"idiot", "moron"}},
		{"a byte order mark is ignored", "\uFEFFidiot\n", 1, "idiot", []string{"idiot"}},
		{"duplicates are merged keeping the first spelling", "Idiot\nidiot\nІDІОТ\nid\u200Biot\n", 1, "idiot", []string{"Idiot"}},
		{"a wildcard makes a distinct term", "idiot\nidiot*\n", 2, "idiots", []string{"idiot*"}},
		{"an escaped hash is a term", `\#spam` + "\n", 1, "buy #spam", []string{"#spam"}},
		{"a missing final newline is fine", "idiot", 1, "idiot", []string{"idiot"}},
		{"an empty file is an empty list", "", 0, "idiot", nil},
		{"a file of comments is an empty list", "# nothing yet\n", 0, "idiot", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := MustParse(t, tt.list)
			if l.Len() != tt.len {
				t.Errorf("Len = %d, want %d", l.Len(), tt.len)
			}
			if diff := cmp.Diff(tt.want, terms(l, tt.probe)); diff != "" {
				t.Errorf("terms matching %q (-want +got):\n%s", tt.probe, diff)
			}
		})
	}
}

func TestParseRejects(t *testing.T) {
	var tooMany strings.Builder
	for i := range wordlist.MaxTerms + 1 {
		fmt.Fprintf(&tooMany, "term%d\n", i)
	}
	tests := []struct {
		name string
		list string
		want string // in the message
	}{
		{"invalid UTF-8 names its line", "idiot\nmo\xffron\n", "line 2 is not valid UTF-8"},
		{"a term that normalises to nothing names its line", "# c\nidiot\n\u200B\u200D\n", "line 3"},
		{"a lone wildcard is rejected", "*\n", "line 1"},
		{"a term over the length limit is rejected", "idiot\n" + strings.Repeat("é", wordlist.MaxTermLength+1) + "\n", "line 2: the term is 201 characters long; the limit is 200"},
		{"too many terms are rejected", tooMany.String(), fmt.Sprintf("line %d: a list may hold at most 100000 terms", wordlist.MaxTerms+1)},
		{"an over-long line is rejected", "idiot\n" + strings.Repeat("a", 70000) + "\n", "line 2 is longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := wordlist.Parse(strings.NewReader(tt.list))
			if code := parley.ErrorCode(err); code != parley.EINVALID {
				t.Fatalf("error %v has code %q, want %q", err, code, parley.EINVALID)
			}
			if msg := parley.ErrorMessage(err); !strings.Contains(msg, tt.want) {
				t.Errorf("message %q does not contain %q", msg, tt.want)
			}
		})
	}
}

func TestParseAcceptsTermsAtTheLimits(t *testing.T) {
	var b strings.Builder
	for i := range wordlist.MaxTerms - 1 {
		fmt.Fprintf(&b, "term%d\n", i)
	}
	b.WriteString(strings.Repeat("é", wordlist.MaxTermLength) + "\n")
	l := MustParse(t, b.String())
	if l.Len() != wordlist.MaxTerms {
		t.Errorf("Len = %d, want %d", l.Len(), wordlist.MaxTerms)
	}
}

func TestParseReportsReadErrors(t *testing.T) {
	boom := errors.New("boom")
	_, err := wordlist.Parse(iotest.ErrReader(boom))
	if !errors.Is(err, boom) {
		t.Errorf("err = %v, want it to wrap %v", err, boom)
	}
}

func TestCompileRejects(t *testing.T) {
	tests := []struct {
		name  string
		terms []string
		want  string
	}{
		{"invalid UTF-8 names its position", []string{"idiot", "\xc3"}, "term 2 is not valid UTF-8"},
		{"a term that normalises to nothing names its position", []string{"\u00AD"}, "term 1"},
		{"a term over the length limit is rejected", []string{strings.Repeat("a", 201)}, "term 1: the term is 201 characters long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := wordlist.Compile(tt.terms)
			if code := parley.ErrorCode(err); code != parley.EINVALID {
				t.Fatalf("error %v has code %q, want %q", err, code, parley.EINVALID)
			}
			if msg := parley.ErrorMessage(err); !strings.Contains(msg, tt.want) {
				t.Errorf("message %q does not contain %q", msg, tt.want)
			}
		})
	}
}

func TestCompileMatchesParse(t *testing.T) {
	lines := []string{"# comment", "", "idiot", " spam* ", "buy followers"}
	c := MustCompile(t, lines...)
	p := MustParse(t, strings.Join(lines, "\n"))
	if c.Version() != p.Version() || c.Len() != p.Len() {
		t.Errorf("Compile gives %d terms, version %s; Parse %d, %s", c.Len(), c.Version(), p.Len(), p.Version())
	}
}

func TestVersion(t *testing.T) {
	base := MustCompile(t, "idiot", "spam*", "buy followers")
	t.Run("same terms in another order and spelling give the same version", func(t *testing.T) {
		other := MustParse(t, "# reordered\nBUY   followers\nspam*\nіdіоt\nidiot\n")
		if base.Version() != other.Version() {
			t.Errorf("versions differ: %s and %s", base.Version(), other.Version())
		}
	})
	t.Run("another term gives another version", func(t *testing.T) {
		other := MustCompile(t, "idiot", "spam*", "buy followers", "moron")
		if base.Version() == other.Version() {
			t.Errorf("versions equal: %s", base.Version())
		}
	})
	t.Run("another wildcard gives another version", func(t *testing.T) {
		other := MustCompile(t, "idiot*", "spam*", "buy followers")
		if base.Version() == other.Version() {
			t.Errorf("versions equal: %s", base.Version())
		}
	})
	t.Run("version is a fixed-length hex string", func(t *testing.T) {
		if v := base.Version(); len(v) != 32 || strings.Trim(v, "0123456789abcdef") != "" {
			t.Errorf("Version = %q", v)
		}
	})
	t.Run("empty and nil lists share a version", func(t *testing.T) {
		var nilList *wordlist.List
		if e := MustCompile(t).Version(); e != nilList.Version() {
			t.Errorf("versions differ: %s and %s", e, nilList.Version())
		}
	})
}
