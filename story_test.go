package parley_test

import (
	"testing"

	"github.com/parleyhq/parley"
)

func TestCanonicalStoryURL(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"https://News.Example.org/a/b", "https://news.example.org/a/b"},
		{"https://news.example.org:443/a#comments", "https://news.example.org/a"},
		{"http://news.example.org:8080/a?b=2&a=1", "http://news.example.org:8080/a?a=1&b=2"},
		{"https://news.example.org/a?utm_source=x&id=5&fbclid=y", "https://news.example.org/a?id=5"},
		{"https://news.example.org", "https://news.example.org/"},
	} {
		got, err := parley.CanonicalStoryURL(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("CanonicalStoryURL(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "javascript:alert(1)", "/relative", "ftp://x.org/a", "https://user:pw@x.org/", "https://x.org/\xff"} {
		if _, err := parley.CanonicalStoryURL(bad); parley.ErrorCode(err) != parley.EINVALID {
			t.Errorf("CanonicalStoryURL(%q) err = %v, want EINVALID", bad, err)
		}
	}
}

func TestNormalizeOrigins(t *testing.T) {
	got, err := parley.NormalizeOrigins([]string{"HTTPS://News.Example.org:443", "https://news.example.org/", "http://localhost:8080"})
	if err != nil || len(got) != 2 || got[0] != "https://news.example.org" || got[1] != "http://localhost:8080" {
		t.Fatalf("got %v, %v", got, err)
	}
	for _, bad := range [][]string{nil, {"news.example.org"}, {"https://x.org/path"}, {"javascript:alert(1)"}} {
		if _, err := parley.NormalizeOrigins(bad); parley.ErrorCode(err) != parley.EINVALID {
			t.Errorf("NormalizeOrigins(%q) err = %v, want EINVALID", bad, err)
		}
	}
}

func TestSiteSettingsValidate(t *testing.T) {
	if err := parley.DefaultSiteSettings().Validate(); err != nil {
		t.Fatalf("defaults invalid: %v", err)
	}
	for name, mutate := range map[string]func(*parley.SiteSettings){
		"max below min":       func(s *parley.SiteSettings) { s.MaxCommentLength = 0 },
		"max above limit":     func(s *parley.SiteSettings) { s.MaxCommentLength = parley.MaxCommentLengthLimit + 1 },
		"negative window":     func(s *parley.SiteSettings) { s.EditWindowSeconds = -1 },
		"depth zero":          func(s *parley.SiteSettings) { s.MaxDepth = 0 },
		"no reactions":        func(s *parley.SiteSettings) { s.ReactionKinds = nil },
		"duplicate reaction":  func(s *parley.SiteSettings) { s.ReactionKinds = append(s.ReactionKinds, s.ReactionKinds[0]) },
		"bad reaction slug":   func(s *parley.SiteSettings) { s.ReactionKinds[0].Kind = "Big Love" },
		"empty reaction name": func(s *parley.SiteSettings) { s.ReactionKinds[0].Label = "" },
	} {
		t.Run(name+" is invalid", func(t *testing.T) {
			s := parley.DefaultSiteSettings()
			mutate(&s)
			if err := s.Validate(); parley.ErrorCode(err) != parley.EINVALID {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

func TestSignUpInputValidate(t *testing.T) {
	for name, in := range map[string]parley.SignUpInput{
		"bad email":         {Email: "nope", Username: "ann", Password: "long enough pw"},
		"short username":    {Email: "a@b.org", Username: "a", Password: "long enough pw"},
		"invisible in name": {Email: "a@b.org", Username: "an\u200bn", Password: "long enough pw"},
		"short password":    {Email: "a@b.org", Username: "ann", Password: "short"},
		"bad utf-8":         {Email: "a@b.org", Username: "ann", Password: "long enough \xff"},
	} {
		if err := in.Validate(); parley.ErrorCode(err) != parley.EINVALID {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	ok := parley.SignUpInput{Email: " ann@example.org ", Username: "ann_b", Password: "long enough pw"}
	if err := ok.Validate(); err != nil || ok.Email != "ann@example.org" {
		t.Fatalf("valid input refused: %v", err)
	}
}
