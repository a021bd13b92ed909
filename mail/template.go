package mail

import (
	"bytes"
	"embed"
	"fmt"
	htemplate "html/template"
	"io/fs"
	"slices"
	"strings"
	ttemplate "text/template"

	"github.com/parleyhq/parley"
)

//go:embed templates
var templateFS embed.FS

// Languages are the languages Parley writes mail in, the default first. They follow the
// widget's catalogues (frontend/widget/src/i18n).
var Languages = []string{"en", "de"}

// PickLang chooses the mail language as the widget chooses its own: the primary subtag of
// the first candidate ("de-AT" → "de") that Parley has, else English.
func PickLang(candidates ...string) string {
	for _, tag := range candidates {
		primary := strings.ToLower(strings.TrimSpace(tag))
		if i := strings.IndexAny(primary, "-_,;"); i >= 0 {
			primary = primary[:i]
		}
		if slices.Contains(Languages, primary) {
			return primary
		}
	}
	return Languages[0]
}

// Templates renders Parley's mails: each kind has, per language, a text template
// (templates/<lang>/<kind>.txt, defining "subject" and its body) and an HTML template
// (templates/<lang>/<kind>.html, defining "content" inside templates/layout.html).
type Templates struct {
	text map[string]*ttemplate.Template
	html map[string]*htemplate.Template
}

// NewTemplates parses every embedded template once; an error is a defect of the build,
// which the package's tests catch.
func NewTemplates() (*Templates, error) {
	t := &Templates{text: map[string]*ttemplate.Template{}, html: map[string]*htemplate.Template{}}
	layout, err := htemplate.ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	for _, lang := range Languages {
		names, err := fs.Glob(templateFS, "templates/"+lang+"/*.txt")
		if err != nil {
			return nil, err
		}
		for _, name := range names {
			kind := strings.TrimSuffix(name[strings.LastIndexByte(name, '/')+1:], ".txt")
			key := lang + "/" + kind
			if t.text[key], err = ttemplate.New(kind+".txt").Option("missingkey=error").ParseFS(templateFS, name); err != nil {
				return nil, err
			}
			h, err := layout.Clone()
			if err != nil {
				return nil, err
			}
			if t.html[key], err = h.ParseFS(templateFS, "templates/"+lang+"/"+kind+".html"); err != nil {
				return nil, fmt.Errorf("%s: %w", key, err)
			}
		}
	}
	return t, nil
}

// Kinds lists the kinds of mail a language has, for tests that every language has them all.
func (t *Templates) Kinds(lang string) []string {
	var kinds []string
	for key := range t.text {
		if k, ok := strings.CutPrefix(key, lang+"/"); ok {
			kinds = append(kinds, k)
		}
	}
	slices.Sort(kinds)
	return kinds
}

// Render fills the kind's templates in lang (English when Parley lacks it) with data and
// returns a mail to to, ready to queue.
func (t *Templates) Render(kind, lang, to string, data any) (*parley.Mail, error) {
	key := PickLang(lang) + "/" + kind
	tt, ok := t.text[key]
	if !ok {
		return nil, fmt.Errorf("mail: no template %q", key)
	}
	var subject, text, html bytes.Buffer
	if err := tt.ExecuteTemplate(&subject, "subject", data); err != nil {
		return nil, err
	}
	if err := tt.Execute(&text, data); err != nil {
		return nil, err
	}
	if err := t.html[key].ExecuteTemplate(&html, "layout.html", struct {
		Subject string
		Data    any
	}{strings.TrimSpace(subject.String()), data}); err != nil {
		return nil, err
	}
	return &parley.Mail{To: to, Subject: strings.TrimSpace(subject.String()), Text: strings.TrimSpace(text.String()) + "\n", HTML: html.String()}, nil
}
