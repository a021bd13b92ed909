package graph_test

import (
	"strings"
	"testing"
)

// TestInputRules checks what the one input check answers: the field at fault and a typed
// code, for strings, numbers and lists, wherever they sit in an operation.
func TestInputRules(t *testing.T) {
	t.Parallel()
	s := shared
	w := s.MustWorld(t)
	const signIn = `mutation($in: SignInInput!) { signIn(input: $in) { token } }`
	const setWords = `mutation($in: WordListInput!) { setWordList(input: $in) { termCount } }`
	const rename = `mutation($in: SiteSettingsInput!) { updateSiteSettings(input: $in) { name } }`
	for _, tc := range []struct {
		name, query string
		vars        map[string]any
		field       string
	}{
		{"a NUL in a login is invalid", signIn, in("login", "a\x00b", "password", "whatever it is"), "login"},
		{"a NUL in a variable of a nested list is invalid", `query($urls: [String!]!) { storyCounts(urls: $urls) { commentCount } }`,
			map[string]any{"urls": []string{"https://a.example.org/", "https://b.example.org/\x00"}}, "urls"},
		{"a NUL written in the document is invalid", `{ story(url: "https://a.example.org/\u0000") { id } }`, nil, "url"},
		{"a control character in a report is invalid", `mutation($in: ReportInput!) { reportComment(input: $in) { comment { id } } }`,
			in("commentID", w.CommentID, "reason", "OTHER", "details", "look\x1b[2J"), "details"},
		{"a line break in a site name is invalid", rename, in("siteID", w.Site.ID, "name", "Two\nlines"), "name"},
		{"a string beyond its field's limit is invalid", rename, in("siteID", w.Site.ID, "name", strings.Repeat("n", 101)), "name"},
		{"a string beyond the default limit is invalid", `mutation($in: CreateAPITokenInput!) { createAPIToken(input: $in) { token } }`,
			in("name", strings.Repeat("n", 201)), "name"},
		{"an Int beyond 32 bits is invalid", `query($id: ID, $first: Int) { story(id: $id) { comments(first: $first) { pageInfo { hasNextPage } } } }`,
			map[string]any{"id": w.StoryID, "first": 9999999999}, "first"},
		{"an Int literal beyond 64 bits is invalid", `query($id: ID) { story(id: $id) { comments(first: 99999999999999999999) { pageInfo { hasNextPage } } } }`,
			map[string]any{"id": w.StoryID}, ""}, // refused by GraphQL's own validation, without a field
		{"a list beyond the limit is invalid", `query($urls: [String!]!) { storyCounts(urls: $urls) { commentCount } }`,
			map[string]any{"urls": make([]string, 1001)}, "urls"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := w.Admin.MustFail(t, "INVALID", tc.query, tc.vars)
			if got := r.Errors[0].Extensions["field"]; tc.field != "" && got != tc.field {
				t.Errorf("field = %v, want %q; answer %s", got, tc.field, r.Raw)
			}
			if r.Status != 422 {
				t.Errorf("status = %d, want 422 like every refused operation", r.Status)
			}
		})
	}

	t.Run("line breaks and tabs in a word list are valid", func(t *testing.T) {
		var out struct{ SetWordList struct{ TermCount int } }
		w.Admin.MustDo(t, setWords, in("siteID", w.Site.ID, "kind", "SUSPECT", "terms", "one\r\ntwo\n\tthree"), &out)
		if out.SetWordList.TermCount != 3 {
			t.Errorf("termCount = %d", out.SetWordList.TermCount)
		}
	})
	t.Run("a comment at the largest length a site may allow passes the check", func(t *testing.T) {
		r := w.Author.Do(t, createComment, in("storyID", w.StoryID, "body", strings.Repeat("é", 20000)))
		if r.Code() != "INVALID" || r.Errors[0].Extensions["field"] != "body" || !contains(r.Errors[0].Message, "5000") {
			t.Errorf("answer = %.300s, want the site's own limit (5000) to refuse it", r.Raw)
		}
	})
}
