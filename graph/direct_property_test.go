package graph_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/graph"
	"github.com/parleyhq/parley/pagecache"
	"github.com/parleyhq/parley/server"
)

// directPages are the reads compared besides the widget's and the benchmark's: small pages
// read on with a cursor in every order, and the shapes a client may give a read (aliases,
// __typename, @include and @skip, inline fragments, a parent's fields).
const (
	directSmallPage = `query($storyID: ID!, $siteID: ID!, $order: CommentOrder, $after: String, $withAuthor: Boolean!) {
  __typename
  story(id: $storyID) { __typename id url title closed commentCount createdAt
    first: comments(first: 2, after: $after, orderBy: $order) {
      __typename
      edges { __typename cursor node { __typename id status parent { id status depth createdAt editedAt }
        author @include(if: $withAuthor) { __typename id username guest admin role(siteID: $siteID) }
        ... on Comment { replyCount reactions { __typename kind count viewerReacted } }
        replies(first: 2, orderBy: NEWEST) { pageInfo { __typename hasNextPage endCursor } edges { node { id body @skip(if: $withAuthor) rejectionReason } } } } }
      pageInfo { hasNextPage endCursor } }
    all: comments(first: 100) { edges { node { id } } } } }`
)

// TestDirectMatchesExecutor runs the random histories of TestOverlayMatchesExecutor and,
// after each step, reads the story's pages as every member of the cast, an admin and an
// anonymous reader twice: answered directly (direct.go), and by gqlgen's executor. The two
// answers must be the same bytes. Sequences are seeded: PARLEY_DIRECT_SEED replays a run.
func TestDirectMatchesExecutor(t *testing.T) {
	t.Parallel()
	const sequences, steps = 4, 30
	seed := propertySeed(t, "PARLEY_DIRECT_SEED", 11)
	s := newServicesWithWordLists(shared.DB)
	logger := slog.New(slog.NewJSONHandler(s.Logs, nil))
	serve := func(o graph.Options) http.Handler {
		return server.New(server.Config{Logger: logger, Auth: s.Services.Auth, Sites: s.Services.Sites, GraphQL: graph.NewHandler(s.Services, o)})
	}
	direct, executor := serve(graph.Options{Logger: logger}), serve(graph.ExecutorOnly(graph.Options{Logger: logger}))
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Test-Executor") != "" {
			executor.ServeHTTP(w, r)
			return
		}
		direct.ServeHTTP(w, r)
	}))
	defer s.Close()
	admin := s.MustAdmin(t)
	before := graph.DirectAnswers()
	reads := 0
	for k := range sequences {
		t.Run(fmt.Sprintf("sequence %d of seed %d", k, seed), func(t *testing.T) {
			rnd := rand.New(rand.NewPCG(seed, uint64(k)))
			h := newOverlayHistory(t, s, admin, pagecache.New(1<<20, time.Hour), rnd)
			// A body with every character the two answers escape: their escaping must agree.
			h.comments = append(h.comments, h.readers[0].MustComment(t, h.storyID, "",
				"Tabs\there, \"quotes\", back\\slashes, <b>tags</b> & U+2028\u2028 U+2029\u2029, é and 𝄞\nand a new line"))
			orders := []string{"NEWEST", "OLDEST", "MOST_REPLIES", "MOST_REACTIONS"}
			for i := range steps {
				h.log = append(h.log, fmt.Sprintf("%d: %s", i, h.act(t)))
				for _, v := range append([]*client{s.anonymous(), h.mod, admin}, h.readers...) {
					vars := map[string]any{"storyID": h.storyID, "siteID": h.site.ID}
					for _, q := range []string{overlayWidgetPage, overlayBenchPage} {
						compareDirect(t, h, v, q, vars)
						reads++
					}
					if id, ok := h.pick(); ok {
						compareDirect(t, h, v, overlayRepliesPage, map[string]any{"id": id, "siteID": h.site.ID})
						reads++
					}
					small := map[string]any{"storyID": h.storyID, "siteID": h.site.ID, "order": orders[rnd.IntN(len(orders))], "withAuthor": rnd.IntN(2) == 0}
					var page struct {
						Story struct {
							First struct{ PageInfo struct{ EndCursor string } }
						}
					}
					reads++
					if r := compareDirect(t, h, v, directSmallPage, small); len(r.Errors) == 0 {
						mustUnmarshal(t, r.Data, &page)
						if small["after"] = page.Story.First.PageInfo.EndCursor; small["after"] != "" {
							compareDirect(t, h, v, directSmallPage, small)
							reads++
						}
					}
				}
			}
		})
	}
	t.Logf("%d reads compared; %d operations answered directly (the cast's own reads among them)", reads, graph.DirectAnswers()-before)
	if graph.DirectAnswers() == before {
		t.Error("no read was answered directly: the comparison checked nothing")
	}
}

// compareDirect reads query as v directly and through the executor, and fails on any
// difference between the two answers' bytes.
func compareDirect(t *testing.T, h *overlayHistory, v *client, query string, vars map[string]any) *response {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	got := v.Send(t, http.MethodPost, "application/json", body, nil)
	want := v.Send(t, http.MethodPost, "application/json", body, http.Header{"X-Test-Executor": {"1"}})
	if got.Raw != want.Raw || got.Status != want.Status {
		who := "anonymous"
		if v.User != nil {
			who = v.User.Username
		}
		t.Fatalf("%s's read answered directly differs from the executor's:\ndirect:   %d %s\nexecutor: %d %s\nquery: %s %v\nhistory:\n%s",
			who, got.Status, got.Raw, want.Status, want.Raw, query, vars, strings.Join(h.log, "\n"))
	}
	return got
}
