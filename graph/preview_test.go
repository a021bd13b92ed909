package graph_test

import (
	"strings"
	"testing"
)

const previewComment = `query($site: ID!, $body: String!) { previewComment(siteID: $site, body: $body) }`

func TestPreviewComment(t *testing.T) {
	t.Parallel()
	s := shared
	w := s.MustWorld(t)
	preview := func(c *client, body string) string {
		t.Helper()
		var out struct{ PreviewComment string }
		c.MustDo(t, previewComment, map[string]any{"site": w.Site.ID, "body": body}, &out)
		return out.PreviewComment
	}

	t.Run("is the body createComment stores", func(t *testing.T) {
		source := "  # Title\n\n**bold** *em* ~~gone~~ `code` <b>raw</b> [link](https://example.org) and https://example.com\n\n" +
			"> a quote\n\n- one\n- two\n\n3. three\n4. four\n\n```\nline 1\n  line 2\n```\n\nlast\nline  "
		got := preview(w.Author, source)
		var out struct{ CreateComment struct{ Comment commentJSON } }
		w.Author.MustDo(t, createComment, in("storyID", w.StoryID, "body", source), &out)
		if want := out.CreateComment.Comment.Body; got != want {
			t.Errorf("preview\n%s\nbody\n%s", got, want)
		}
		for _, tag := range []string{"<ul>", `<ol start="3">`, "<blockquote>", "<pre>", "<del>", `<a href="https://example.org"`} {
			if !strings.Contains(got, tag) {
				t.Errorf("preview has no %s:\n%s", tag, got)
			}
		}
	})
	t.Run("anyone may preview, and text below the site's minimum renders", func(t *testing.T) {
		if got := preview(s.anonymous(), "*a*"); got != "<p><em>a</em></p>\n" {
			t.Errorf("preview = %q", got)
		}
		if got := preview(s.anonymous(), " \n "); got != "" {
			t.Errorf("preview of blank text = %q", got)
		}
	})
	t.Run("text longer than the site allows is invalid", func(t *testing.T) {
		r := w.Author.MustFail(t, "INVALID", previewComment, map[string]any{"site": w.Site.ID, "body": strings.Repeat("x", 5001)})
		if f := r.Errors[0].Extensions["field"]; f != "body" {
			t.Errorf("field = %v", f)
		}
	})
	t.Run("a NUL character is invalid", func(t *testing.T) {
		w.Author.MustFail(t, "INVALID", previewComment, map[string]any{"site": w.Site.ID, "body": "a\x00b"})
	})
	t.Run("an unknown site is not found", func(t *testing.T) {
		for _, id := range []string{"00000000-0000-0000-0000-000000000000", "not an id"} {
			w.Author.MustFail(t, "NOT_FOUND", previewComment, map[string]any{"site": id, "body": "x"})
		}
	})
}
