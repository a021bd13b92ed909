package graph_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/parleyhq/parley/graph"
	"github.com/parleyhq/parley/pagecache"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/server"
)

// TestOverlayPlan checks which signed-in reads the overlay takes from the cache: the story
// pages it can make from the anonymous answer, and nothing that reads the viewer or that it
// could not patch.
func TestOverlayPlan(t *testing.T) {
	t.Parallel()
	s := newServices(shared.DB)
	cache := pagecache.New(8<<20, time.Hour)
	overlay := graph.NewOverlay(postgres.NewViewerStateService(s.DB))
	s.Server = httptest.NewServer(server.New(server.Config{
		Logger: slog.New(slog.NewJSONHandler(s.Logs, nil)), Auth: s.Services.Auth, Sites: s.Services.Sites,
		GraphQL:   graph.NewHandler(s.Services, graph.Options{Logger: slog.New(slog.NewJSONHandler(s.Logs, nil))}),
		ReadCache: func(next http.Handler) http.Handler { return cache.MiddlewareWithOverlay(next, overlay) },
	}))
	defer s.Close()
	admin := s.MustAdmin(t)
	st := s.MustCreateSite(t, admin)
	story := s.MustStory(t, st)
	reader := s.MustSignUp(t)
	first := reader.MustComment(t, story, "", "A first comment.")
	reader.MustComment(t, story, first, "A reply.")

	for _, tc := range []struct {
		name, query string
		who         *client
		overlaid    bool
	}{
		{"a story page is taken from the cache", overlayBenchPage, reader, true},
		{"the widget's page with fragments is taken from the cache", overlayWidgetPage, reader, true},
		{"the widget's page of replies is taken from the cache", overlayRepliesPage, reader, true},
		{"a page that reads the viewer runs uncached", `query($storyID: ID!) { viewer { id } story(id: $storyID) { id } }`, reader, false},
		{"a page with an alias runs uncached", `query($storyID: ID!) { story(id: $storyID) { n: commentCount } }`, reader, false},
		{"a page with a directive runs uncached", `query($storyID: ID!) { story(id: $storyID) { id @include(if: true) } }`, reader, false},
		{"a page asking viewerReacted without the comment's id runs uncached",
			`query($storyID: ID!) { story(id: $storyID) { comments { edges { node { reactions { kind viewerReacted } } } } } }`, reader, false},
		{"a page asking the authors' emails runs uncached",
			`query($storyID: ID!) { story(id: $storyID) { comments { edges { node { id author { email } } } } } }`, reader, false},
		{"a page asking the site runs uncached", `query($storyID: ID!) { story(id: $storyID) { site { id } } }`, reader, false},
		{"an admin's page runs uncached", overlayBenchPage, admin, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body, _ := json.Marshal(map[string]any{"query": tc.query, "variables": map[string]any{"storyID": story, "siteID": st.ID, "id": first}})
			var how string
			for range 2 { // the first read may fill the cache
				r := tc.who.Send(t, http.MethodPost, "application/json", body, nil)
				if len(r.Errors) > 0 {
					t.Fatalf("errors: %s", r.Raw)
				}
				how = r.Header.Get("X-Cache")
			}
			if got := len(how) > 7 && how[:7] == "overlay"; got != tc.overlaid {
				t.Fatalf("X-Cache %q, want overlaid %v", how, tc.overlaid)
			}
		})
	}
}
