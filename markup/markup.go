// Package markup turns the Markdown a commenter writes into the small, safe subset of HTML
// that Parley stores as a comment's body and that the widget inserts into host pages.
//
// Rendering is two steps. goldmark parses the Markdown and renders HTML with a few comment-
// specific overrides (no headings, no images, no raw HTML). A bluemonday policy then keeps only
// the elements and attributes comments need. The sanitiser is the security boundary: the
// goldmark overrides only make the output nicer, never safer, so a goldmark bug cannot open a
// hole by itself.
package markup

import (
	"bytes"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/util"
)

// LinkRel is the rel attribute every link in a comment carries. nofollow and ugc tell search
// engines the link is user-generated and not endorsed by the site, which takes away most of the
// reward for comment spam; noopener stops the opened page from reaching back into the article
// through window.opener.
const LinkRel = "nofollow ugc noopener"

// LinkTarget is the target attribute every link in a comment carries, so that following a link
// from a comment never navigates the reader away from the article they were reading.
const LinkTarget = "_blank"

// Renderer renders comment Markdown to sanitised HTML. It holds one goldmark instance and one
// bluemonday policy, both built by NewRenderer: building them is far more expensive than using
// them, and both are safe for concurrent use once built, so one Renderer serves every request.
type Renderer struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
	bufs   sync.Pool
}

// NewRenderer builds the Markdown parser and the sanitiser policy. Call it once at start-up and
// share the result; it is the only costly step.
func NewRenderer() *Renderer {
	r := &Renderer{
		md: goldmark.New(
			goldmark.WithExtensions(
				extension.Linkify,
				extension.Strikethrough,
			),
			goldmark.WithRendererOptions(
				// Commenters type a single newline and expect a new line, as in every
				// other text box they use; CommonMark's soft breaks would join the lines.
				html.WithHardWraps(),
				renderer.WithNodeRenderers(util.Prioritized(commentNodeRenderer{}, 100)),
			),
		),
		policy: newPolicy(),
	}
	r.bufs.New = func() any { return new(bytes.Buffer) }
	return r
}

// newPolicy returns the allow-list of what a comment body may contain. Everything not listed
// is dropped; the text inside dropped elements stays, except for elements whose content is
// never meant to be seen (script, style and the like), which bluemonday drops whole.
func newPolicy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "em", "strong", "del", "s", "code", "pre", "blockquote", "ul", "ol", "li")
	// A list that starts at 3 in the source must not be renumbered from 1.
	p.AllowAttrs("start").Matching(regexp.MustCompile(`^[0-9]{1,9}$`)).OnElements("ol")

	// Links: absolute http, https and mailto URLs only. Relative URLs are dropped because a
	// comment is shown on someone else's page, where a relative link (or a protocol-relative
	// one such as //evil.example) would resolve against the host site and mislead readers.
	p.AllowAttrs("href").OnElements("a")
	p.RequireParseableURLs(true)
	p.AllowRelativeURLs(false)
	p.AllowURLSchemes("http", "https", "mailto")
	// bluemonday can add rel="nofollow" but has no way to add "ugc", and only adds
	// target="_blank" to links with a host (not mailto). It does add nofollow to every link
	// it keeps, always as the last attribute after href; linkAttrs below widens that into
	// the full LinkRel and LinkTarget. rel and target from the input are never allowed, so
	// they cannot smuggle in other values, and sanitising twice gives the same result.
	p.RequireNoFollowOnLinks(true)
	return p
}

// Render converts a comment's Markdown source into sanitised HTML. It never fails: Markdown
// has no syntax errors, and anything the sanitiser does not allow is dropped. Render is safe
// for concurrent use.
func (r *Renderer) Render(source string) string {
	buf := r.bufs.Get().(*bytes.Buffer)
	defer func() {
		buf.Reset()
		r.bufs.Put(buf)
	}()
	// Convert only fails when the writer fails, and a bytes.Buffer never does.
	_ = r.md.Convert([]byte(clean(source)), buf)
	return r.sanitize(buf.Bytes())
}

// Sanitize applies the comment policy alone to HTML that did not come from Render, such as a
// body imported from another comment system or received from a federated peer. Its output is
// what Render would allow, and Sanitize(Sanitize(x)) == Sanitize(x).
func (r *Renderer) Sanitize(body string) string {
	return r.sanitize([]byte(clean(body)))
}

func (r *Renderer) sanitize(b []byte) string {
	return linkAttrs(string(r.policy.SanitizeBytes(b)))
}

// clean makes the input valid UTF-8 without NUL characters, replacing both with U+FFFD, as
// the HTML and CommonMark specifications do; without it, invalid bytes could be read one way
// by the sanitiser and another way by a browser.
func clean(s string) string {
	if utf8.ValidString(s) && !strings.Contains(s, "\x00") {
		return s
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.ReplaceAll(s, "\x00", "\uFFFD")
}

// noFollowTail is how bluemonday ends every <a> it keeps under newPolicy: href is the only
// attribute allowed on a, and RequireNoFollowOnLinks appends rel after it. Because
// bluemonday escapes every quote inside text and attribute values as &#34;, this byte sequence
// can only be that attribute, never content.
const noFollowTail = `" rel="nofollow">`

const linkTail = `" rel="` + LinkRel + `" target="` + LinkTarget + `">`

// linkAttrs gives every link the full LinkRel and LinkTarget.
func linkAttrs(s string) string {
	if !strings.Contains(s, noFollowTail) {
		return s
	}
	return strings.ReplaceAll(s, noFollowTail, linkTail)
}
