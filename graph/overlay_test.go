package graph_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
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
		GraphQL: graph.NewHandler(s.Services, graph.Options{Logger: slog.New(slog.NewJSONHandler(s.Logs, nil)),
			AfterViewerMutation: overlay.Forget}),
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
		{"the widget's story with its site's public settings is taken from the cache", `query Story($id: ID, $url: String) {
  story(id: $id, url: $url) {
    id url closed commentCount
    site { id settings { editWindowSeconds maxDepth commentingDisabled closedMessage reactionKinds { kind label icon } } }
  }
}`, reader, true},
		{"a page asking the site's other fields runs uncached", `query($storyID: ID!) { story(id: $storyID) { site { id ssoConfigured } } }`, reader, false},
		{"a page asking the site's pipeline runs uncached", `query($storyID: ID!) { story(id: $storyID) { site { settings { premodLinks } } } }`, reader, false},
		{"an admin's page runs uncached", overlayBenchPage, admin, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body, _ := json.Marshal(map[string]any{"query": tc.query, "variables": map[string]any{"storyID": story, "siteID": st.ID, "id": first}})
			if tc.overlaid && tc.query[:11] == "query Story" {
				body, _ = json.Marshal(map[string]any{"query": tc.query, "variables": map[string]any{"id": story}})
			}
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

// TestOverlayForgetsAViewerWhoWrote checks that what the overlay keeps of a viewer with a
// cached page is forgotten when they write through this replica, so their own reaction shows
// to them at once, before its event has reached the cache.
func TestOverlayForgetsAViewerWhoWrote(t *testing.T) {
	t.Parallel()
	s := newServices(shared.DB)
	cache := pagecache.New(8<<20, time.Hour) // no events reach it: only Forget can help
	overlay := graph.NewOverlay(postgres.NewViewerStateService(s.DB))
	s.Server = httptest.NewServer(server.New(server.Config{
		Logger: slog.New(slog.NewJSONHandler(s.Logs, nil)), Auth: s.Services.Auth, Sites: s.Services.Sites,
		GraphQL: graph.NewHandler(s.Services, graph.Options{Logger: slog.New(slog.NewJSONHandler(s.Logs, nil)),
			AfterViewerMutation: overlay.Forget}),
		ReadCache: func(next http.Handler) http.Handler { return cache.MiddlewareWithOverlay(next, overlay) },
	}))
	defer s.Close()
	admin := s.MustAdmin(t)
	st := s.MustCreateSite(t, admin)
	story := s.MustStory(t, st)
	author, reader, other := s.MustSignUp(t), s.MustSignUp(t), s.MustSignUp(t)
	comment := author.MustComment(t, story, "", "React to me.")
	// Another reader's reaction puts the kind on the cached page, where the overlay can mark it.
	other.MustDo(t, `mutation($in: ReactionInput!) { addReaction(input: $in) { comment { id } } }`,
		map[string]any{"in": map[string]any{"commentID": comment, "kind": "respect"}}, nil)
	body, _ := json.Marshal(map[string]any{"query": overlayBenchPage, "variables": map[string]any{"storyID": story, "siteID": st.ID}})
	read := func() *response {
		t.Helper()
		r := reader.Send(t, http.MethodPost, "application/json", body, nil)
		if len(r.Errors) > 0 {
			t.Fatalf("errors: %s", r.Raw)
		}
		return r
	}
	read()
	if r := read(); !strings.HasPrefix(r.Header.Get("X-Cache"), "overlay") || strings.Contains(string(r.Data), `"viewerReacted":true`) {
		t.Fatalf("before reacting: X-Cache %q, %s", r.Header.Get("X-Cache"), r.Data)
	}
	reader.MustDo(t, `mutation($in: ReactionInput!) { addReaction(input: $in) { comment { id } } }`,
		map[string]any{"in": map[string]any{"commentID": comment, "kind": "respect"}}, nil)
	if r := read(); !strings.Contains(string(r.Data), `"viewerReacted":true`) {
		t.Fatalf("the reader's own reaction does not show to them: X-Cache %q, %s", r.Header.Get("X-Cache"), r.Data)
	}
}
