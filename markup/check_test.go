package markup_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/parleyhq/parley/markup"
)

// renderer is built once per test binary, as the server builds it once per process.
var renderer = markup.NewRenderer()

// allowedAttrs is the whole of what a comment body may contain: element name to its allowed
// attributes. The checks below hold the output to it with a real HTML parser, the way a browser
// reads it, rather than trusting string matching.
var allowedAttrs = map[string]map[string]bool{
	"p": {}, "br": {}, "em": {}, "strong": {}, "del": {}, "s": {}, "code": {}, "pre": {},
	"blockquote": {}, "ul": {}, "li": {},
	"ol": {"start": true},
	"a":  {"href": true, "rel": true, "target": true},
}

// forbiddenTags must never appear in output, even as text a lenient parser might revive.
var forbiddenTags = []string{"<script", "<style", "<iframe", "<svg", "<math", "<img", "<object", "<embed"}

var allowedSchemes = map[string]bool{"http": true, "https": true, "mailto": true}

// checkSafe reports the first way in which out is not a safe comment body.
func checkSafe(out string) error {
	lower := strings.ToLower(out)
	for _, tag := range forbiddenTags {
		if strings.Contains(lower, tag) {
			return fmt.Errorf("output contains %s", tag)
		}
	}
	if strings.Contains(out, "<!--") {
		return fmt.Errorf("output contains an HTML comment")
	}
	body := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	nodes, err := html.ParseFragment(strings.NewReader(out), body)
	if err != nil {
		return fmt.Errorf("parsing output: %v", err)
	}
	for _, n := range nodes {
		if err := checkNode(n); err != nil {
			return err
		}
	}
	return nil
}

func checkNode(n *html.Node) error {
	switch n.Type {
	case html.CommentNode:
		return fmt.Errorf("output contains a comment %q", n.Data)
	case html.DoctypeNode:
		return fmt.Errorf("output contains a doctype")
	case html.ElementNode:
		if err := checkElement(n); err != nil {
			return err
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if err := checkNode(c); err != nil {
			return err
		}
	}
	return nil
}

func checkElement(n *html.Node) error {
	if n.Namespace != "" {
		return fmt.Errorf("element <%s> in foreign namespace %s", n.Data, n.Namespace)
	}
	attrs, ok := allowedAttrs[n.Data]
	if !ok {
		return fmt.Errorf("element <%s> is not allowed", n.Data)
	}
	var href, rel, target *string
	for i := range n.Attr {
		a := &n.Attr[i]
		if strings.HasPrefix(strings.ToLower(a.Key), "on") {
			return fmt.Errorf("<%s> has event handler %s=%q", n.Data, a.Key, a.Val)
		}
		if a.Namespace != "" || !attrs[a.Key] {
			return fmt.Errorf("<%s> has attribute %s:%s=%q", n.Data, a.Namespace, a.Key, a.Val)
		}
		switch a.Key {
		case "href":
			href = &a.Val
		case "rel":
			rel = &a.Val
		case "target":
			target = &a.Val
		}
	}
	if n.Data != "a" {
		return nil
	}
	if href == nil {
		return fmt.Errorf("<a> without href survived")
	}
	if err := checkURL(*href); err != nil {
		return err
	}
	if rel == nil || *rel != markup.LinkRel {
		return fmt.Errorf("<a href=%q> has rel %v, want %q", *href, deref(rel), markup.LinkRel)
	}
	if target == nil || *target != markup.LinkTarget {
		return fmt.Errorf("<a href=%q> has target %v, want %q", *href, deref(target), markup.LinkTarget)
	}
	return nil
}

// checkURL accepts only absolute http, https and mailto URLs: relative ones are dropped by
// policy, so one that survives is a bug. It looks at the URL both as net/url parses it and as a
// browser would, after removing the tabs and newlines the URL standard ignores and trimming
// control characters and spaces from the ends.
func checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("href %q does not parse: %v", raw, err)
	}
	if !allowedSchemes[strings.ToLower(u.Scheme)] {
		return fmt.Errorf("href %q has scheme %q", raw, u.Scheme)
	}
	browser := strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, raw)
	browser = strings.TrimFunc(browser, func(r rune) bool { return r <= ' ' })
	scheme, _, ok := strings.Cut(browser, ":")
	if !ok || !allowedSchemes[strings.ToLower(scheme)] {
		return fmt.Errorf("href %q has scheme %q as a browser reads it", raw, scheme)
	}
	return nil
}

func deref(s *string) string {
	if s == nil {
		return "<none>"
	}
	return fmt.Sprintf("%q", *s)
}

// TestCheckSafe keeps the fuzzers' oracle honest: a check that accepts everything would make
// every fuzz run pass.
func TestCheckSafe(t *testing.T) {
	unsafe := []string{
		`<script>alert(1)</script>`,
		`<SVG onload=alert(1)>`,
		`<p><img src=x></p>`,
		`<math></math>`,
		`<p onclick="x">t</p>`,
		`<p title="t">t</p>`,
		`<h1>t</h1>`,
		`<!-- c -->`,
		`<a href="javascript:alert(1)" rel="nofollow ugc noopener" target="_blank">x</a>`,
		`<a href="java&#9;script:alert(1)" rel="nofollow ugc noopener" target="_blank">x</a>`,
		`<a href="/relative" rel="nofollow ugc noopener" target="_blank">x</a>`,
		`<a href="//evil.example" rel="nofollow ugc noopener" target="_blank">x</a>`,
		`<a href="https://e.com" rel="nofollow">x</a>`,
		`<a href="https://e.com" rel="nofollow ugc noopener">x</a>`,
		`<a rel="nofollow ugc noopener" target="_blank">x</a>`,
	}
	for _, in := range unsafe {
		t.Run("rejects "+in, func(t *testing.T) {
			if checkSafe(in) == nil {
				t.Errorf("checkSafe(%q) = nil, want an error", in)
			}
		})
	}
	t.Run("accepts a rendered comment", func(t *testing.T) {
		if err := checkSafe(renderer.Render(benchComment)); err != nil {
			t.Error(err)
		}
	})
}
