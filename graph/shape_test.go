package graph_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/graph"
	"github.com/parleyhq/parley/ratelimit"
)

// aliased returns an operation of n aliases of one root field, field(i) writing the i-th.
func aliased(n int, field func(i int) string) string {
	var q strings.Builder
	q.WriteString("{")
	for i := range n {
		fmt.Fprintf(&q, " a%d: %s", i, field(i))
	}
	q.WriteString(" }")
	return q.String()
}

func TestOperationShape(t *testing.T) {
	t.Parallel()
	s := shared
	w := s.MustWorld(t)
	anon := s.anonymous()

	t.Run("1,000 aliases of story(url:) are invalid and create nothing", func(t *testing.T) {
		url := func(i int) string { return fmt.Sprintf("%s/alias-%d", w.Site.Origin, i) }
		r := anon.MustFail(t, "INVALID", aliased(1000, func(i int) string { return fmt.Sprintf("story(url: %q) { id }", url(i)) }), nil)
		if !contains(r.Errors[0].Message, "root fields") {
			t.Errorf("message = %q", r.Errors[0].Message)
		}
		urls := make([]string, 100)
		for i := range urls {
			urls[i] = url(i)
		}
		var out struct {
			StoryCounts []struct{ Story *struct{ ID string } }
		}
		anon.MustDo(t, `query($urls: [String!]!) { storyCounts(urls: $urls) { story { id } } }`, map[string]any{"urls": urls}, &out)
		for i, c := range out.StoryCounts {
			if c.Story != nil {
				t.Fatalf("story %d was created", i)
			}
		}
	})
	t.Run("1,000 aliases of comment(id:) are invalid", func(t *testing.T) {
		anon.MustFail(t, "INVALID", aliased(1000, func(int) string { return fmt.Sprintf("comment(id: %q) { id }", w.CommentID) }), nil)
	})
	t.Run("root fields at the limit run", func(t *testing.T) {
		anon.MustDo(t, aliased(graph.MaxRootFields, func(int) string { return "viewer { id }" }), nil, nil)
	})
	t.Run("one root field past the limit is invalid", func(t *testing.T) {
		anon.MustFail(t, "INVALID", aliased(graph.MaxRootFields+1, func(int) string { return "viewer { id }" }), nil)
	})
	t.Run("root fields in fragments count", func(t *testing.T) {
		q := "{ ...R }\nfragment R on Query { ... on Query { " + strings.TrimSuffix(strings.TrimPrefix(
			aliased(graph.MaxRootFields+1, func(int) string { return "viewer { id }" }), "{"), "}") + " } }"
		anon.MustFail(t, "INVALID", q, nil)
	})
	ids := func(n int) string {
		return fmt.Sprintf("{ comment(id: %q) %s }", w.CommentID, aliased(n, func(int) string { return "id" }))
	}
	t.Run("aliases at the limit run", func(t *testing.T) {
		anon.MustDo(t, ids(graph.MaxAliases), nil, nil)
	})
	t.Run("one alias past the limit is invalid", func(t *testing.T) {
		r := anon.MustFail(t, "INVALID", ids(graph.MaxAliases+1), nil)
		if !contains(r.Errors[0].Message, "aliases") {
			t.Errorf("message = %q", r.Errors[0].Message)
		}
	})
	t.Run("aliases in a fragment count each time it is spread", func(t *testing.T) {
		frag := "fragment F on Comment " + aliased(graph.MaxAliases/5, func(int) string { return "id" })
		q := fmt.Sprintf("{ comment(id: %q) { ...F parent { ...F parent { ...F parent { ...F parent { ...F parent { ...F } } } } } } }\n%s", w.CommentID, frag)
		anon.MustFail(t, "INVALID", q, nil)
	})
	t.Run("fragments that spread each other twice are invalid without being expanded", func(t *testing.T) {
		// 60 fragments, each spreading the next twice: 2^60 fields once expanded.
		var q strings.Builder
		q.WriteString("{ ...F0 }\n")
		for i := range 60 {
			fmt.Fprintf(&q, "fragment F%d on Query { ...F%d ...F%d }\n", i, i+1, i+1)
		}
		q.WriteString("fragment F60 on Query { viewer { id } }\n")
		r := anon.MustFail(t, "INVALID", q.String(), nil)
		if !contains(r.Errors[0].Message, "complexity") {
			t.Errorf("message = %q", r.Errors[0].Message)
		}
	})
	t.Run("depth through fragments spread twice at every level counts", func(t *testing.T) {
		// The fragments are met deep first and shallow later; the depth counted must not
		// depend on where a fragment was met first.
		var q strings.Builder
		fmt.Fprintf(&q, "{ comment(id: %q) { parent { parent { ...P0 } } ...P0 } }\n", w.CommentID)
		for i := range graph.DefaultMaxDepth {
			fmt.Fprintf(&q, "fragment P%d on Comment { id parent { ...P%d } }\n", i, i+1)
		}
		fmt.Fprintf(&q, "fragment P%d on Comment { id }\n", graph.DefaultMaxDepth)
		r := anon.MustFail(t, "INVALID", q.String(), nil)
		if !contains(r.Errors[0].Message, "levels deep") {
			t.Errorf("message = %q", r.Errors[0].Message)
		}
	})
}

func TestComplexityCountsResolverCalls(t *testing.T) {
	t.Parallel()
	price := func(t *testing.T, q string) int {
		t.Helper()
		n, err := graph.OperationComplexity(q, nil)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	t.Run("a field served by a resolver costs ResolverCost more than a plain one", func(t *testing.T) {
		plain := price(t, `{ comment(id: "x") { id depth } }`)
		resolved := price(t, `{ comment(id: "x") { id story { id } } }`)
		if resolved-plain != 1+graph.ResolverCost {
			t.Errorf("story { id } costs %d more than depth, want %d", resolved-plain, 1+graph.ResolverCost)
		}
	})
	t.Run("every alias of a root field costs its resolver call", func(t *testing.T) {
		one := price(t, `{ viewer { id } }`)
		if one != 2+graph.ResolverCost {
			t.Errorf("viewer { id } costs %d", one)
		}
		if two := price(t, `{ a: viewer { id } b: viewer { id } }`); two != 2*one {
			t.Errorf("two aliases cost %d, want %d", two, 2*one)
		}
	})
	t.Run("a connection costs its items times first", func(t *testing.T) {
		const q = `{ moderationQueue(queue: PENDING, first: %d) { edges { node { id author { id } } } } }`
		one, hundred := price(t, fmt.Sprintf(q, 1)), price(t, fmt.Sprintf(q, 100))
		item := one - 1 - graph.ResolverCost
		if hundred != 1+graph.ResolverCost+100*item {
			t.Errorf("first: 100 costs %d, first: 1 costs %d", hundred, one)
		}
	})
}

// The largest operations the widget and the dashboard send (widget/src/queries.js COMMENTS,
// dashboard/src/queue/documents.js QUEUE), kept here so that a change to the limits that
// would refuse them fails a test instead of the widget.
const (
	widgetComment = `fragment C on Comment {
		id body bodySource status rejectionReason depth replyCount featured createdAt editedAt
		parent { id } author { id username role(siteID: $siteID) } reactions { kind count viewerReacted } }
		fragment P on CommentConnection { edges { node { ...C } } pageInfo { hasNextPage endCursor } }`
	widgetComments = `query Comments($storyID: ID!, $siteID: ID!, $order: CommentOrder, $after: String) {
		story(id: $storyID) { comments(first: 25, after: $after, orderBy: $order) {
			edges { node { ...C replies(first: 3) { ...P } } } pageInfo { hasNextPage endCursor } } } }` + widgetComment
	dashboardQueue = `query Queue($queue: ModerationQueue!, $siteID: ID!, $first: Int) {
		moderationQueue(queue: $queue, siteID: $siteID, first: $first) { edges { node { ...Q } } pageInfo { hasNextPage endCursor } } }
		fragment Q on Comment { id body status featured createdAt editedAt
			author { id username role(siteID: $siteID) } parent { id author { id username } } story { id title url }
			trail { id action decision decidedBy createdAt stages { stage decision flags score evidence version error shadow } }
			reports { id reason details createdAt reporter { id username } } }`
)

func TestClientOperationsFitTheLimits(t *testing.T) {
	t.Parallel()
	s := shared
	w := s.MustWorld(t)
	for _, tc := range []struct {
		name  string
		c     *client
		query string
		vars  map[string]any
	}{
		{"the widget's page of comments", s.anonymous(), widgetComments, map[string]any{"storyID": w.StoryID, "siteID": w.Site.ID, "order": "MOST_REPLIES"}},
		{"the dashboard's queue", w.Moderator, dashboardQueue, map[string]any{"queue": "PENDING", "siteID": w.Site.ID, "first": 20}},
	} {
		t.Run(tc.name+" runs", func(t *testing.T) {
			tc.c.MustDo(t, tc.query, tc.vars, nil)
			n, err := graph.OperationComplexity(tc.query, tc.vars)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("complexity %d of %d", n, graph.DefaultComplexityLimit)
		})
	}
}

func TestNewStoryLimits(t *testing.T) {
	t.Parallel()
	const read = `query($url: String) { story(url: $url) { id } }`
	t.Run("per client network", func(t *testing.T) {
		s := newServices(shared.DB)
		s.serve(graph.Options{Limits: graph.MutationLimits{NewStoriesPerClient: ratelimit.NewMemory(time.Hour, 3)}})
		defer s.Close()
		st := s.MustCreateSite(t, s.MustAdmin(t))
		anon := s.anonymous()
		for i := range 3 {
			anon.MustDo(t, read, map[string]any{"url": fmt.Sprintf("%s/new-%d", st.Origin, i)}, nil)
		}
		r := anon.MustFail(t, "RATE_LIMITED", read, map[string]any{"url": st.Origin + "/one-too-many"})
		if after, _ := r.Errors[0].Extensions["retryAfter"].(float64); after < 1 {
			t.Errorf("retryAfter = %v", r.Errors[0].Extensions["retryAfter"])
		}
		t.Run("reading stories that exist is not limited", func(t *testing.T) {
			for i := range 3 {
				anon.MustDo(t, read, map[string]any{"url": fmt.Sprintf("%s/new-%d", st.Origin, i)}, nil)
			}
		})
		t.Run("a URL no site allows is not found, not limited", func(t *testing.T) {
			anon.MustFail(t, "NOT_FOUND", read, map[string]any{"url": "https://nobody.example.net/x"})
		})
	})
	t.Run("per site", func(t *testing.T) {
		s := newServices(shared.DB)
		s.serve(graph.Options{Limits: graph.MutationLimits{NewStoriesPerSite: ratelimit.NewMemory(time.Hour, 2)}})
		defer s.Close()
		admin := s.MustAdmin(t)
		a, b := s.MustCreateSite(t, admin), s.MustCreateSite(t, admin)
		anon := s.anonymous()
		t.Run("aliases count one by one", func(t *testing.T) {
			r := anon.Do(t, aliased(3, func(i int) string { return fmt.Sprintf("story(url: \"%s/alias-%d\") { id }", a.Origin, i) }), nil)
			var out map[string]*struct{ ID string }
			mustUnmarshal(t, r.Data, &out)
			created := 0
			for _, st := range out {
				if st != nil {
					created++
				}
			}
			if created != 2 || r.Code() != "RATE_LIMITED" {
				t.Fatalf("created %d stories; answer %s", created, r.Raw)
			}
		})
		t.Run("another site is limited apart", func(t *testing.T) {
			anon.MustDo(t, read, map[string]any{"url": b.Origin + "/first"}, nil)
		})
	})
}
