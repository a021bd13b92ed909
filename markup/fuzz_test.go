package markup_test

import (
	"testing"
)

// seeds are inputs that have tripped Markdown renderers or HTML sanitisers elsewhere; the fuzzer
// mutates them. Inputs the fuzzer itself found live in testdata/fuzz.
var seeds = []string{
	"*a* **b** ~~c~~\nd",
	"[x](https://example.com) www.example.com ed@example.com <https://e.com>",
	"# h\n\n> q\n\n- a\n- b\n\n3. c\n\n```\ncode\n```\n\n    ind\n\n`span`",
	"![alt](https://example.com/a.png) [![i](x)](https://e.com)",
	"[x](javascript:alert(1)) [x](JAVASCRIPT:alert(1)) [x](vbscript:x) [x](data:text/html,<b>)",
	"[x](jav&#x09;ascript:alert(1)) [x](java&#10;script:x) [x](javascript&colon;x) [x](&#32;javascript:x)",
	"<javascript:alert(1)> [x][1]\n\n[1]: javascript:alert(1)",
	"<svg onload=alert(1)> <svg/onload=alert(1)> <img src=x onerror=alert(1)>",
	`<noscript><p title="</noscript><img src=x onerror=alert(1)>">`,
	`<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>`,
	`<a href="https://e.com" rel="nofollow">x</a> a" rel="nofollow">`,
	"<script>alert(1)</script><style>*{}</style><iframe src=//e.com></iframe><!-- c -->",
	`<form><button formaction=javascript:alert(1)>x</button></form><object data=x></object>`,
	"<textarea><p onclick=x></textarea><title><b onmouseover=x></title><xmp><img src=x></xmp>",
	"<![CDATA[<img src=x onerror=alert(1)>]]> <?xml x?> <!DOCTYPE html>",
	"[x](//evil.example) [x](/rel) [x](#frag) [x](?q) [x](ftp://e.com)",
	"a\x00b \xff\xfe \r\n\t",
}

// FuzzRender checks that whatever Markdown a commenter writes, the HTML that comes out is
// inside the comment policy and is a fixed point of the sanitiser.
func FuzzRender(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	r := renderer
	f.Fuzz(func(t *testing.T, src string) {
		out := r.Render(src)
		if err := checkSafe(out); err != nil {
			t.Fatalf("Render(%q) = %q: %v", src, out, err)
		}
		if again := r.Sanitize(out); again != out {
			t.Fatalf("Sanitize(Render(%q)) changed the output:\n%q\n%q", src, out, again)
		}
		if twice := r.Render(src); twice != out {
			t.Fatalf("Render(%q) is not deterministic:\n%q\n%q", src, out, twice)
		}
	})
}

// FuzzSanitize checks the sanitiser on its own against arbitrary HTML, as it is used on bodies
// that did not come from Render: its output is inside the policy, and sanitising it again
// changes nothing.
func FuzzSanitize(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
		f.Add(renderer.Render(s))
	}
	r := renderer
	f.Fuzz(func(t *testing.T, in string) {
		out := r.Sanitize(in)
		if err := checkSafe(out); err != nil {
			t.Fatalf("Sanitize(%q) = %q: %v", in, out, err)
		}
		if again := r.Sanitize(out); again != out {
			t.Fatalf("Sanitize is not idempotent on %q:\n%q\n%q", in, out, again)
		}
	})
}
