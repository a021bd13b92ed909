package mail_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/parleyhq/parley/mail"
)

// MustTemplates returns the embedded templates.
func MustTemplates(tb testing.TB) *mail.Templates {
	tb.Helper()
	t, err := mail.NewTemplates()
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

func TestTemplates(t *testing.T) {
	tpl := MustTemplates(t)
	t.Run("every language has every kind", func(t *testing.T) {
		want := tpl.Kinds(mail.Languages[0])
		for _, lang := range mail.Languages[1:] {
			if got := tpl.Kinds(lang); !slices.Equal(got, want) {
				t.Errorf("%s has %v, want %v", lang, got, want)
			}
		}
	})
	t.Run("German readers get German mail", func(t *testing.T) {
		m, err := tpl.Render("reset", "de-AT", "a@example.org", map[string]any{"Username": "jürgen", "Link": "https://x.example/r?t=1"})
		if err != nil {
			t.Fatal(err)
		}
		if m.Subject != "Passwort zurücksetzen" || !strings.Contains(m.Text, "https://x.example/r?t=1") || !strings.Contains(m.HTML, `href="https://x.example/r?t=1"`) {
			t.Errorf("got %+v", m)
		}
	})
	t.Run("an unknown language falls back to English", func(t *testing.T) {
		m, err := tpl.Render("verify", "fr", "a@example.org", map[string]any{"Username": "x", "Link": "https://x.example"})
		if err != nil || m.Subject != "Confirm your email address" {
			t.Errorf("got %+v, %v", m, err)
		}
	})
	t.Run("HTML escapes what readers chose", func(t *testing.T) {
		m, err := tpl.Render("email_change_old", "en", "a@example.org", map[string]any{"Username": "<b>x</b>", "Link": "javascript:alert(1)", "NewEmail": "n@example.org"})
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(m.HTML, "<b>x</b>") || strings.Contains(m.HTML, "javascript:") {
			t.Errorf("HTML not escaped: %s", m.HTML)
		}
	})
	t.Run("a missing field fails", func(t *testing.T) {
		if _, err := tpl.Render("verify", "en", "a@example.org", map[string]any{}); err == nil {
			t.Error("no error")
		}
	})
	t.Run("an unknown kind fails", func(t *testing.T) {
		if _, err := tpl.Render("nope", "en", "a@example.org", nil); err == nil {
			t.Error("no error")
		}
	})
}

func TestPickLang(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want string
	}{
		{[]string{"de-DE"}, "de"}, {[]string{"fr", "de"}, "de"}, {[]string{""}, "en"}, {nil, "en"}, {[]string{"DE_ch"}, "de"},
	} {
		if got := mail.PickLang(tc.in...); got != tc.want {
			t.Errorf("PickLang(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
