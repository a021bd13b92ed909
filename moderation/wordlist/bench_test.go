package wordlist_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/parleyhq/parley/moderation/wordlist"
)

var syllables = []string{
	"ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ber", "dan", "fel", "gor", "hin", "jus",
	"kel", "mon", "nor", "pal", "quo", "rin", "sel", "tor", "ul", "vex", "wan", "yor", "zel",
	"ché", "für", "ñan", "жа", "ро",
}

// benchTerms generates n distinct list terms, deterministically: pseudo-words of two to four
// syllables, with some phrases and wildcards as in a real list.
func benchTerms(n int) []string {
	rnd := rand.New(rand.NewPCG(42, 1))
	word := func() string {
		var b strings.Builder
		for range 2 + rnd.IntN(3) {
			b.WriteString(syllables[rnd.IntN(len(syllables))])
		}
		return b.String()
	}
	seen := make(map[string]bool, n)
	terms := make([]string, 0, n)
	for len(terms) < n {
		t := word()
		switch k := rnd.IntN(100); {
		case k < 10:
			t += " " + word()
		case k < 15:
			t += "*"
		case k < 17:
			t = "*" + t
		}
		if !seen[t] {
			seen[t] = true
			terms = append(terms, t)
		}
	}
	return terms
}

// benchComment generates a comment of about n characters of ordinary prose, with a few list
// terms, a look-alike and a zero-width space mixed in.
func benchComment(n int, terms []string) string {
	rnd := rand.New(rand.NewPCG(7, 7))
	words := strings.Fields("the a of to and in is it that for on was with as this be at by not " +
		"article author argument points really think comment classic assessment people should " +
		"read again before writing such opinions about policy, data; evidence! numbers? Yes.")
	var b strings.Builder
	for b.Len() < n {
		switch k := rnd.IntN(200); {
		case k == 0:
			b.WriteString(terms[rnd.IntN(len(terms))])
		case k == 1:
			b.WriteString("іdі\u200Bоt")
		default:
			b.WriteString(words[rnd.IntN(len(words))])
		}
		b.WriteByte(' ')
	}
	return b.String()
}

func BenchmarkCompile(b *testing.B) {
	terms := benchTerms(50_000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := wordlist.Compile(terms); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMatch(b *testing.B) {
	terms := benchTerms(50_000)
	list, err := wordlist.Compile(terms)
	if err != nil {
		b.Fatal(err)
	}
	for _, size := range []int{2_000, 20_000} {
		text := benchComment(size, terms)
		b.Run(fmt.Sprintf("chars=%d", size), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				list.Match(text)
			}
		})
	}
}

func BenchmarkContains(b *testing.B) {
	terms := benchTerms(50_000)
	list, err := wordlist.Compile(terms)
	if err != nil {
		b.Fatal(err)
	}
	for _, size := range []int{2_000, 20_000} {
		// A clean comment, the common case, which has to be read to the end.
		text := benchComment(size, []string{"civil"})
		b.Run(fmt.Sprintf("chars=%d", size), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				list.Contains(text)
			}
		})
	}
}

func BenchmarkNormalize(b *testing.B) {
	text := benchComment(2_000, []string{"civil"})
	b.ReportAllocs()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		wordlist.Normalize(text)
	}
}

// BenchmarkIssueTarget is the case the moderation issue sets a target for: a 5,000-character
// comment against a 10,000-term list.
func BenchmarkIssueTarget(b *testing.B) {
	terms := benchTerms(10_000)
	list, err := wordlist.Compile(terms)
	if err != nil {
		b.Fatal(err)
	}
	text := benchComment(5_000, terms)
	b.ReportAllocs()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		list.Match(text)
	}
}
