package graph_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/graph"
	"github.com/parleyhq/parley/pagecache"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/server"
)

// widgetPage is the widget's story read, as its persisted query.
const widgetPage = `query StoryPage($id: ID!) { story(id: $id) { id title closed commentCount
	comments(first: 50) { edges { cursor node { id body createdAt editedAt status depth replyCount
	author { id username } reactions { kind count viewerReacted } } } pageInfo { hasNextPage endCursor } } } }`

// apqGET reads as the widget does: the hash alone, then hash and query when the server asks.
// It returns every HTTP answer it received.
func apqGET(tb testing.TB, h http.Handler, token, query string, vars map[string]any) []*httptest.ResponseRecorder {
	tb.Helper()
	ext, _ := json.Marshal(map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": graph.QueryHash(query)}})
	vb, _ := json.Marshal(vars)
	v := url.Values{"extensions": {string(ext)}, "variables": {string(vb)}}
	send := func() *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/graphql?"+v.Encode(), nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	first := send()
	if !strings.Contains(first.Body.String(), graph.CodePersistedQueryNotFound) {
		return []*httptest.ResponseRecorder{first}
	}
	v.Set("query", query)
	return []*httptest.ResponseRecorder{first, send()}
}

// TestPersistedReadsFromPageCache reads a story page as widgets do (persisted queries over
// GET, anonymous and signed-in readers, the story's events ending the kept answer every 50
// reads) and reports the share of HTTP requests the page cache answered. A signed-in reader's
// answer from the cache must carry their own viewerReacted (the overlay).
func TestPersistedReadsFromPageCache(t *testing.T) {
	t.Parallel()
	s := shared
	admin := s.MustAdmin(t)
	st := s.MustCreateSite(t, admin)
	story := s.MustStory(t, st)
	readers := []*client{s.MustSignUp(t), s.MustSignUp(t), s.MustSignUp(t)}
	var reacted string
	for i := range 20 {
		id := readers[i%3].MustComment(t, story, "", "A comment of a realistic length.")
		if i == 1 {
			readers[0].MustDo(t, addReaction, in("commentID", id, "kind", "respect"), nil)
			reacted = id
		}
	}
	pq := MustPersisted(t, nil, nil, false)
	cache := pagecache.NewWithConfig(pagecache.Config{MaxBytes: 16 << 20, TTL: time.Hour})
	overlay := graph.NewOverlay(postgres.NewViewerStateService(s.DB))
	overlay.UsePersistedQueries(pq)
	h := server.New(server.Config{Auth: s.Services.Auth, Sites: s.Services.Sites,
		GraphQL:   graph.NewHandler(s.Services, graph.Options{Production: true, PersistedQueries: pq}),
		ReadCache: func(next http.Handler) http.Handler { return cache.MiddlewareWithOverlay(next, overlay) }})
	vars := map[string]any{"id": story}

	const reads = 1000
	var requests, cached, overlaid int
	for i := range reads {
		if i%50 == 49 {
			cache.Invalidate(story) // as an event about the story does
		}
		token := ""
		if i%10 < 3 { // three reads in ten are signed in
			token = readers[i%3].token
		}
		for _, rec := range apqGET(t, h, token, widgetPage, vars) {
			requests++
			if rec.Code != http.StatusOK && !strings.Contains(rec.Body.String(), graph.CodePersistedQueryNotFound) {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			x := rec.Header().Get("X-Cache")
			if x != "" && x != "miss" && !strings.HasSuffix(x, "-miss") {
				cached++
			}
			if strings.HasPrefix(x, "overlay-") && x != "overlay-miss" {
				overlaid++
				var out struct {
					Data struct {
						Story struct {
							Comments struct {
								Edges []struct {
									Node struct {
										ID        string
										Reactions []struct{ ViewerReacted bool }
									}
								}
							}
						}
					}
				}
				if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
					t.Fatal(err)
				}
				for _, e := range out.Data.Story.Comments.Edges {
					for _, r := range e.Node.Reactions {
						if want := token == readers[0].token && e.Node.ID == reacted; r.ViewerReacted != want {
							t.Fatalf("reader %d: viewerReacted on %s = %v, want %v", i%3, e.Node.ID, r.ViewerReacted, want)
						}
					}
				}
			}
		}
	}
	if overlaid == 0 {
		t.Error("no signed-in read was answered through the overlay")
	}
	t.Logf("%d widget reads made %d GET requests; the page cache answered %d (%.1f%%), %d of them signed-in through the overlay",
		reads, requests, cached, 100*float64(cached)/float64(requests), overlaid)
}
