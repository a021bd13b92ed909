package graph_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
)

const storiesQuery = `query($site: ID!, $query: String, $closed: Boolean, $first: Int, $after: String) {
	stories(siteID: $site, query: $query, closed: $closed, first: $first, after: $after) {
		edges { cursor node { id url title closed commentCount } } pageInfo { hasNextPage endCursor } } }`

type storyNodeJSON struct {
	ID           string
	URL          string
	Title        string
	Closed       bool
	CommentCount int
}

type storyConnectionJSON struct {
	Edges []struct {
		Cursor string
		Node   storyNodeJSON
	}
	PageInfo struct {
		HasNextPage bool
		EndCursor   *string
	}
}

// stories reads one page of the story list as c.
func stories(tb testing.TB, c *client, vars map[string]any) storyConnectionJSON {
	tb.Helper()
	var out struct{ Stories storyConnectionJSON }
	c.MustDo(tb, storiesQuery, vars, &out)
	return out.Stories
}

func (conn storyConnectionJSON) ids() []string {
	out := make([]string, len(conn.Edges))
	for i, e := range conn.Edges {
		out[i] = e.Node.ID
	}
	return out
}

// MustStoryAt returns the story at a path of a site, created through story(url:), titled by
// the site's moderator.
func (w *world) MustStoryAt(tb testing.TB, s *stack, path, title string) string {
	tb.Helper()
	var out struct{ Story struct{ ID string } }
	s.anonymous().MustDo(tb, `query($url: String) { story(url: $url) { id } }`, map[string]any{"url": w.Site.Origin + path}, &out)
	w.Moderator.MustDo(tb, `mutation($in: UpdateStoryInput!) { updateStory(input: $in) { id } }`,
		in("storyID", out.Story.ID, "title", title), nil)
	return out.Story.ID
}

func TestStories(t *testing.T) {
	t.Parallel()
	s := shared
	w := s.MustWorld(t)
	// Newest first: created in this order, listed in reverse, after the world's own story.
	transit := w.MustStoryAt(t, s, "/city/transit-plan", "The Transit Plan")
	budget := w.MustStoryAt(t, s, "/city/budget", "Budget: 100% of it")
	parks := w.MustStoryAt(t, s, "/parks_and_trees", "Parks")
	closedStory := w.MustStoryAt(t, s, "/archive/old-news", "Old news")
	w.Moderator.MustDo(t, `mutation($in: UpdateStoryInput!) { updateStory(input: $in) { id } }`,
		in("storyID", closedStory, "closed", true), nil)
	w.Author.MustComment(t, transit, "", "first")
	w.Author.MustComment(t, transit, "", "second")
	all := []string{closedStory, parks, budget, transit, w.StoryID}
	site := func(kv ...any) map[string]any {
		vars := map[string]any{"site": w.Site.ID}
		for i := 0; i < len(kv); i += 2 {
			vars[kv[i].(string)] = kv[i+1]
		}
		return vars
	}

	t.Run("moderator reads the site's stories newest first", func(t *testing.T) {
		conn := stories(t, w.Moderator, site())
		if got := conn.ids(); !slices.Equal(got, all) || conn.PageInfo.HasNextPage {
			t.Fatalf("stories = %v (next page %v), want %v", got, conn.PageInfo.HasNextPage, all)
		}
		for _, e := range conn.Edges {
			if e.Node.ID == transit && (e.Node.CommentCount != 2 || e.Node.Title != "The Transit Plan" || !strings.HasSuffix(e.Node.URL, "/city/transit-plan")) {
				t.Errorf("transit story = %+v", e.Node)
			}
		}
	})
	t.Run("admin reads them too", func(t *testing.T) {
		if got := stories(t, w.Admin, site()).ids(); !slices.Equal(got, all) {
			t.Errorf("stories = %v, want %v", got, all)
		}
	})
	t.Run("pages follow their cursors without gaps or repeats", func(t *testing.T) {
		var got []string
		var after any
		for range len(all) {
			conn := stories(t, w.Moderator, site("first", 2, "after", after))
			got = append(got, conn.ids()...)
			if !conn.PageInfo.HasNextPage {
				break
			}
			after = *conn.PageInfo.EndCursor
		}
		if !slices.Equal(got, all) {
			t.Errorf("paged stories = %v, want %v", got, all)
		}
	})
	for _, tc := range []struct {
		name  string
		query string
		want  []string
	}{
		{"query matches the title ignoring case", "transit PLAN", []string{transit}},
		{"query matches the URL", "/city/", []string{budget, transit}},
		{"query finds %", "100%", []string{budget}},
		{"query takes % literally", "t%plan", nil},
		{"query finds _", "parks_and", []string{parks}},
		{"query takes _ literally", "transit_plan", nil},
		{"query of spaces keeps every story", "   ", all},
		{"query without a match is empty", "nothing like this", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := stories(t, w.Moderator, site("query", tc.query)).ids(); !slices.Equal(got, tc.want) {
				t.Errorf("stories(query: %q) = %v, want %v", tc.query, got, tc.want)
			}
		})
	}
	t.Run("closed keeps closed stories", func(t *testing.T) {
		if got := stories(t, w.Moderator, site("closed", true)).ids(); !slices.Equal(got, []string{closedStory}) {
			t.Errorf("closed stories = %v, want %v", got, []string{closedStory})
		}
	})
	t.Run("closed false keeps open stories", func(t *testing.T) {
		if got := stories(t, w.Moderator, site("closed", false, "query", "city")).ids(); !slices.Equal(got, []string{budget, transit}) {
			t.Errorf("open city stories = %v", got)
		}
	})
	t.Run("another site's stories are not listed", func(t *testing.T) {
		other := s.MustCreateSite(t, w.Admin)
		s.MustStory(t, other)
		if got := stories(t, w.Moderator, site()).ids(); !slices.Equal(got, all) {
			t.Errorf("stories = %v, want %v", got, all)
		}
	})

	for name, c := range map[string]*client{"anonymous": s.anonymous(), "commenter": w.Author, "moderator elsewhere": w.ModElsewhere} {
		want := "FORBIDDEN"
		if c.User == nil {
			want = "UNAUTHENTICATED"
		}
		t.Run(name+" is "+want, func(t *testing.T) {
			c.MustFail(t, want, storiesQuery, site())
		})
	}
	t.Run("unknown site is not found", func(t *testing.T) {
		w.Admin.MustFail(t, "NOT_FOUND", storiesQuery, map[string]any{"site": "0190a4e2-0000-7000-8000-000000000000"})
		w.Admin.MustFail(t, "NOT_FOUND", storiesQuery, map[string]any{"site": "nope"})
	})
	for _, tc := range []struct {
		name, field string
		vars        map[string]any
	}{
		{"first of 0 is invalid", "first", site("first", 0)},
		{"first over 100 is invalid", "first", site("first", parley.MaxPageSize+1)},
		{"a forged cursor is invalid", "after", site("after", "bm90IGEgY3Vyc29y")},
		{"a long query is invalid", "query", site("query", strings.Repeat("x", parley.MaxStoryQueryLength+1))},
		{"a query with NUL is invalid", "query", site("query", "a\x00b")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := w.Moderator.MustFail(t, "INVALID", storiesQuery, tc.vars)
			if r.Errors[0].Extensions["field"] != tc.field {
				t.Errorf("extensions = %v, want field %s", r.Errors[0].Extensions, tc.field)
			}
		})
	}
	t.Run("first of 100 is allowed", func(t *testing.T) {
		stories(t, w.Moderator, site("first", parley.MaxPageSize))
	})
}

const storyCountsQuery = `query($urls: [String!]!) { storyCounts(urls: $urls) { url commentCount story { id commentCount } } }`

type storyCountJSON struct {
	URL          string
	CommentCount int
	Story        *struct {
		ID           string
		CommentCount int
	}
}

func TestStoryCounts(t *testing.T) {
	t.Parallel()
	s := shared
	w := s.MustWorld(t)
	url := func(path string) string { return w.Site.Origin + path }
	busy := w.MustStoryAt(t, s, "/busy?b=2&a=1", "Busy")
	for _, body := range []string{"one", "two", "three"} {
		w.Other.MustComment(t, busy, "", body)
	}
	// A rejected comment is not counted, by storyCounts as by Story.commentCount.
	rejected := w.Other.MustComment(t, busy, "", "four")
	w.Moderator.MustDo(t, `mutation($in: ModerateInput!) { rejectComment(input: $in) { comment { id } } }`,
		in("commentID", rejected, "reason", "SPAM"), nil)
	quiet := w.MustStoryAt(t, s, "/quiet", "Quiet")
	counts := func(t *testing.T, c *client, urls ...string) []storyCountJSON {
		t.Helper()
		if urls == nil {
			urls = []string{} // an empty list, not null
		}
		var out struct{ StoryCounts []storyCountJSON }
		c.MustDo(t, storyCountsQuery, map[string]any{"urls": urls}, &out)
		return out.StoryCounts
	}

	t.Run("answers each URL in the order asked, anonymously", func(t *testing.T) {
		unknown := url("/" + unique("unknown"))
		asked := []string{url("/quiet"), unknown, url("/busy?a=1&b=2&utm_source=x#comments"), "not a url",
			"https://" + unique("nosite") + ".example.org/a", url("/busy?b=2&a=1")}
		got := counts(t, s.anonymous(), asked...)
		want := []struct {
			story string
			count int
		}{{quiet, 0}, {"", 0}, {busy, 3}, {"", 0}, {"", 0}, {busy, 3}}
		if len(got) != len(want) {
			t.Fatalf("storyCounts = %+v, want %d answers", got, len(want))
		}
		for i, g := range got {
			id := ""
			if g.Story != nil {
				id = g.Story.ID
				if g.Story.CommentCount != g.CommentCount {
					t.Errorf("%s: commentCount %d, story.commentCount %d; want the same", g.URL, g.CommentCount, g.Story.CommentCount)
				}
			}
			if g.URL != asked[i] || id != want[i].story || g.CommentCount != want[i].count {
				t.Errorf("answer %d = %+v, want url %s story %q count %d", i, g, asked[i], want[i].story, want[i].count)
			}
		}
	})
	t.Run("agrees with Story.commentCount", func(t *testing.T) {
		var story struct{ Story struct{ CommentCount int } }
		s.anonymous().MustDo(t, `query($id: ID) { story(id: $id) { commentCount } }`, map[string]any{"id": busy}, &story)
		if got := counts(t, s.anonymous(), url("/busy?a=1&b=2")); got[0].CommentCount != story.Story.CommentCount {
			t.Errorf("storyCounts = %d, story.commentCount = %d", got[0].CommentCount, story.Story.CommentCount)
		}
	})
	t.Run("creates no story", func(t *testing.T) {
		path := "/" + unique("never-created")
		counts(t, w.Author, url(path))
		var out struct{ Stories storyConnectionJSON }
		w.Moderator.MustDo(t, storiesQuery, map[string]any{"site": w.Site.ID, "query": path}, &out)
		if len(out.Stories.Edges) != 0 {
			t.Errorf("storyCounts created %+v", out.Stories.Edges)
		}
	})
	t.Run("no URLs, no answers", func(t *testing.T) {
		if got := counts(t, s.anonymous()); len(got) != 0 {
			t.Errorf("storyCounts([]) = %+v", got)
		}
	})
	many := func(n int) []string {
		urls := make([]string, n)
		for i := range urls {
			urls[i] = url(fmt.Sprintf("/page-%d", i))
		}
		return urls
	}
	t.Run("100 URLs are allowed", func(t *testing.T) {
		if got := counts(t, s.anonymous(), many(parley.MaxStoryCountURLs)...); len(got) != parley.MaxStoryCountURLs {
			t.Errorf("%d answers, want %d", len(got), parley.MaxStoryCountURLs)
		}
	})
	t.Run("a page of comments for each of 100 URLs is over the complexity limit", func(t *testing.T) {
		r := s.anonymous().MustFail(t, "INVALID", `query($urls: [String!]!) { storyCounts(urls: $urls) {
			story { comments(first: 50) { edges { node { id } } } } } }`, map[string]any{"urls": many(parley.MaxStoryCountURLs)})
		if !contains(r.Errors[0].Message, "complexity") {
			t.Errorf("message = %q", r.Errors[0].Message)
		}
	})
	t.Run("more than 100 URLs are invalid", func(t *testing.T) {
		r := s.anonymous().MustFail(t, "INVALID", storyCountsQuery, map[string]any{"urls": many(parley.MaxStoryCountURLs + 1)})
		if r.Errors[0].Extensions["field"] != "urls" {
			t.Errorf("extensions = %v, want field urls", r.Errors[0].Extensions)
		}
	})
}
