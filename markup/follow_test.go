package markup_test

import (
	"strings"
	"testing"

	"github.com/parleyhq/parley/markup"
)

func TestFollowLinks(t *testing.T) {
	r := markup.NewRenderer()
	tests := []struct {
		name, in, want string
	}{
		{"a link loses nofollow and keeps ugc, noopener and target", "[x](https://e.com)",
			`<p><a href="https://e.com" rel="ugc noopener" target="_blank">x</a></p>` + "\n"},
		{"text that spells the attribute stays escaped text", "`\" rel=\"nofollow ugc noopener\" target=\"_blank\">`",
			"<p><code>&#34; rel=&#34;nofollow ugc noopener&#34; target=&#34;_blank&#34;&gt;</code></p>\n"},
		{"a body without links is unchanged", "plain", "<p>plain</p>\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := markup.FollowLinks(r.Render(tc.in))
			if got != tc.want {
				t.Errorf("FollowLinks(Render(%q)) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
	t.Run("sanitising a followed body gives back nofollow, so a peer cannot claim trust", func(t *testing.T) {
		got := r.Sanitize(markup.FollowLinks(r.Render("[x](https://e.com)")))
		if !strings.Contains(got, `rel="nofollow ugc noopener"`) {
			t.Errorf("Sanitize kept %q", got)
		}
	})
}
