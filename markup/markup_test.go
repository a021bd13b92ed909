package markup_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/markup"
)

// link is how every kept link is rendered.
func link(href, text string) string {
	return `<a href="` + href + `" rel="nofollow ugc noopener" target="_blank">` + text + `</a>`
}

func TestRender(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		// What commenters write.
		{"emphasis becomes em and strong", "*one* _two_ **three** __four__",
			"<p><em>one</em> <em>two</em> <strong>three</strong> <strong>four</strong></p>\n"},
		{"strikethrough becomes del", "~~gone~~ and ~also~",
			"<p><del>gone</del> and <del>also</del></p>\n"},
		{"single newline becomes a line break", "first line\nsecond line",
			"<p>first line<br>\nsecond line</p>\n"},
		{"blank line starts a new paragraph", "one\n\ntwo", "<p>one</p>\n<p>two</p>\n"},
		{"inline link gets rel and target", "[the docs](https://example.com/docs?a=1&b=2)",
			"<p>" + link("https://example.com/docs?a=1&amp;b=2", "the docs") + "</p>\n"},
		{"link title is dropped", `[x](https://example.com "Title")`,
			"<p>" + link("https://example.com", "x") + "</p>\n"},
		{"bare URL is linkified", "see https://example.com/a_b now",
			"<p>see " + link("https://example.com/a_b", "https://example.com/a_b") + " now</p>\n"},
		{"www address is linkified over http", "www.example.com",
			"<p>" + link("http://www.example.com", "www.example.com") + "</p>\n"},
		{"email address is linkified over mailto", "write to ed@example.com",
			"<p>write to " + link("mailto:ed@example.com", "ed@example.com") + "</p>\n"},
		{"angle autolink is kept", "<https://example.com>",
			"<p>" + link("https://example.com", "https://example.com") + "</p>\n"},
		{"mailto link is kept", "[mail](mailto:ed@example.com)",
			"<p>" + link("mailto:ed@example.com", "mail") + "</p>\n"},
		{"inline code is escaped", "use `<b>` & `a && b`",
			"<p>use <code>&lt;b&gt;</code> &amp; <code>a &amp;&amp; b</code></p>\n"},
		{"fenced code block loses its language class", "```go\nif a < b {\n}\n```",
			"<pre><code>if a &lt; b {\n}\n</code></pre>\n"},
		{"indented code block is kept", "    x := 1",
			"<pre><code>x := 1\n</code></pre>\n"},
		{"bullet list is kept", "- a\n- b", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n"},
		{"ordered list keeps its start", "3. c\n4. d",
			"<ol start=\"3\">\n<li>c</li>\n<li>d</li>\n</ol>\n"},
		{"nested list is kept", "1. a\n   - b",
			"<ol>\n<li>a\n<ul>\n<li>b</li>\n</ul>\n</li>\n</ol>\n"},
		{"quote is kept", "> quoted\n> still",
			"<blockquote>\n<p>quoted<br>\nstill</p>\n</blockquote>\n"},
		{"heading becomes strong paragraph", "# Big *news*\ntext",
			"<p><strong>Big <em>news</em></strong></p>\n<p>text</p>\n"},
		{"setext heading becomes strong paragraph", "Title\n=====",
			"<p><strong>Title</strong></p>\n"},
		{"empty heading disappears", "#\n\ntext", "<p>text</p>\n"},
		{"image becomes its description", "![a *cat*](https://example.com/cat.png)",
			"<p>a <em>cat</em></p>\n"},
		{"linked image becomes a link on its description", "[![cat](https://e.com/c.png)](https://e.com)",
			"<p>" + link("https://e.com", "cat") + "</p>\n"},
		{"thematic break disappears", "a\n\n***\n\nb", "<p>a</p>\n\n<p>b</p>\n"},
		{"table syntax stays text", "| a |\n|---|\n| b |", "<p>| a |<br>\n|---|<br>\n| b |</p>\n"},
		{"empty source renders nothing", "", ""},
		{"text entities are decoded then escaped", "&lt;b&gt; &amp; &copy; \"q\" 'a'",
			"<p>&lt;b&gt; &amp; © &#34;q&#34; &#39;a&#39;</p>\n"},

		// Raw HTML never passes through.
		{"inline raw HTML is dropped and its text kept", "a <b>bold</b> <span onclick=x>s</span>",
			"<p>a bold s</p>\n"},
		{"HTML comment is dropped", "a <!-- hidden --> b", "<p>a  b</p>\n"},
		{"script block is dropped with its content", "<script>alert(1)</script>\n\nafter",
			"<p>after</p>\n"},
		{"style block is dropped with its content", "<style>body{display:none}</style>", ""},
		{"iframe is dropped", `<iframe src="https://evil.example"></iframe>`, ""},
		{"svg onload is dropped", `<svg onload=alert(1)>`, ""},
		{"malformed svg tag stays as escaped text", `x <svg/onload=alert(1)> y`,
			"<p>x &lt;svg/onload=alert(1)&gt; y</p>\n"},
		{"img onerror is dropped", `<img src=x onerror=alert(1)>`, ""},
		{"inline img onerror is dropped", `x <img src=x onerror=alert(1)>`, "<p>x </p>\n"},
		{"noscript mutation is dropped", `<noscript><p title="</noscript><img src=x onerror=alert(1)>">`,
			"<p></p>\n"},
		{"noscript mutation block is dropped", "<noscript>\n<p title=\"</noscript><img src=x onerror=alert(1)>\">\n</noscript>",
			""},
		{"math mutation is dropped", `<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>`,
			"<p></p>\n"},
		{"form action is dropped", `<form action="javascript:alert(1)"><button>x</button></form>`, ""},

		// Only absolute http, https and mailto links survive; the text always stays.
		{"javascript link loses its href", "[x](javascript:alert(1))", "<p>x</p>\n"},
		{"uppercase javascript link loses its href", "[x](JaVaScRiPt:alert(1))", "<p>x</p>\n"},
		{"data link loses its href", "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
			"<p>x</p>\n"},
		{"vbscript link loses its href", "[x](vbscript:msgbox(1))", "<p>x</p>\n"},
		{"tab entity in scheme loses its href", "[x](jav&#x09;ascript:alert(1))", "<p>x</p>\n"},
		{"newline entity in scheme loses its href", "[x](java&#10;script:alert(1))", "<p>x</p>\n"},
		{"colon entity in scheme loses its href", "[x](javascript&colon;alert(1))", "<p>x</p>\n"},
		{"leading space entity loses its href", "[x](&#32;javascript:alert(1))", "<p>x</p>\n"},
		{"javascript autolink loses its href", "<javascript:alert(1)>", "<p>javascript:alert(1)</p>\n"},
		{"reference link to javascript loses its href", "[x][1]\n\n[1]: javascript:alert(1)", "<p>x</p>\n"},
		{"relative link loses its href", "[x](/account/delete)", "<p>x</p>\n"},
		{"protocol-relative link loses its href", "[x](//evil.example/)", "<p>x</p>\n"},
		{"fragment link loses its href", "[x](#top)", "<p>x</p>\n"},
		{"ftp link loses its href", "[x](ftp://example.com/f)", "<p>x</p>\n"},

		// Attempts to forge the attributes the sanitiser adds.
		{"quoted rel in text stays text", `a" rel="nofollow">`,
			"<p>a&#34; rel=&#34;nofollow&#34;&gt;</p>\n"},
		{"quoted rel in code stays text", "`\" rel=\"nofollow\">`",
			"<p><code>&#34; rel=&#34;nofollow&#34;&gt;</code></p>\n"},
		{"quote ends a linkified URL and stays text", `[x](https://e.com/" rel="nofollow">)`,
			"<p>[x](" + link("https://e.com/%22", "https://e.com/&#34;") + " rel=&#34;nofollow&#34;&gt;)</p>\n"},
		{"NUL becomes replacement character", "a\x00b", "<p>a\uFFFDb</p>\n"},
		{"invalid UTF-8 becomes replacement character", "a\xffb", "<p>a\uFFFDb</p>\n"},
	}
	r := renderer
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := r.Render(tt.in)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Render(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
			if err := checkSafe(got); err != nil {
				t.Errorf("Render(%q) = %q: %v", tt.in, got, err)
			}
			if again := r.Sanitize(got); again != got {
				t.Errorf("Sanitize(Render(%q)) = %q, want it unchanged %q", tt.in, again, got)
			}
		})
	}
}

func TestSanitize(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"allowed elements are kept", "<p><em>a</em><strong>b</strong><del>c</del><s>d</s><code>e</code></p>",
			"<p><em>a</em><strong>b</strong><del>c</del><s>d</s><code>e</code></p>"},
		{"link gets rel and target whatever it had", `<a href="https://e.com" rel="me" target="_self" title="t">x</a>`,
			link("https://e.com", "x")},
		{"link without href is dropped and its text kept", `<a name="x">text</a>`, "text"},
		{"link with ugc already is unchanged", link("https://e.com", "x"), link("https://e.com", "x")},
		{"uppercase scheme is kept", `<a href="HTTPS://E.COM/">x</a>`, link("https://E.COM/", "x")},
		{"javascript href is dropped", `<a href="javascript:alert(1)">x</a>`, "x"},
		{"entity-encoded javascript href is dropped", `<a href="&#106;avascript:alert(1)">x</a>`, "x"},
		{"tab inside javascript href is dropped", "<a href=\"java\tscript:alert(1)\">x</a>", "x"},
		{"data href is dropped", `<a href="data:text/html,<script>alert(1)</script>">x</a>`, "x"},
		{"event handlers are dropped", `<p onclick="alert(1)" onmouseover=x>t</p>`, "<p>t</p>"},
		{"style and class are dropped", `<p style="color:red" class="x" id="y">t</p>`, "<p>t</p>"},
		{"script is dropped with its content", `<script>alert(1)</script>ok`, "ok"},
		{"img onerror is dropped", `<img src=x onerror=alert(1)>`, ""},
		{"svg onload is dropped", `<svg onload=alert(1)><circle/></svg>`, ""},
		{"headings are dropped and their text kept", "<h1>Title</h1>", "Title"},
		{"comments are dropped", "a<!-- raw HTML omitted -->b", "ab"},
		{"noscript mutation is dropped", `<noscript><p title="</noscript><img src=x onerror=alert(1)>">`,
			"&#34;&gt;"},
		{"ol start must be a number", `<ol start="x"><li>a</li></ol><ol start="2"></ol>`,
			`<ol><li>a</li></ol><ol start="2"></ol>`},
	}
	r := renderer
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := r.Sanitize(tt.in)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Sanitize(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
			if err := checkSafe(got); err != nil {
				t.Errorf("Sanitize(%q) = %q: %v", tt.in, got, err)
			}
			if again := r.Sanitize(got); again != got {
				t.Errorf("Sanitize is not idempotent on %q: %q then %q", tt.in, got, again)
			}
		})
	}
}

func TestRenderConcurrent(t *testing.T) {
	t.Run("many goroutines get the same output", func(t *testing.T) {
		r := markup.NewRenderer()
		want := r.Render(benchComment)
		var wg sync.WaitGroup
		for range 16 {
			wg.Go(func() {
				for range 50 {
					if got := r.Render(benchComment); got != want {
						t.Errorf("concurrent Render differs:\n%s", cmp.Diff(want, got))
						return
					}
				}
			})
		}
		wg.Wait()
	})
}

// The service layer holds a parley.Renderer; this is the one it is given.
var _ parley.Renderer = (*markup.Renderer)(nil)

func TestRenderLong(t *testing.T) {
	t.Run("output grows linearly with the source", func(t *testing.T) {
		src := strings.Repeat("**a** [b](https://e.com) ", 400)
		if got := renderer.Render(src); len(got) > 40*len(src) {
			t.Errorf("output is %d bytes for %d bytes of source", len(got), len(src))
		}
	})
}
