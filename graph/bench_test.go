package graph_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleyhq/parley/auth"
	"github.com/parleyhq/parley/graph"
	"github.com/parleyhq/parley/markup"
	"github.com/parleyhq/parley/moderation"
	"github.com/parleyhq/parley/moderation/spam"
	"github.com/parleyhq/parley/pagecache"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/postgres/postgrestest"
	"github.com/parleyhq/parley/server"
)

// BenchmarkStoryPage serves the widget's first page of a story (100 comments with authors
// and reactions) through the whole handler, without the network, to show where a page
// read's time goes (go test -bench StoryPage -cpuprofile).
func BenchmarkStoryPage(b *testing.B) {
	s := newStack(postgrestest.MustOpenDB(b), graph.Options{})
	defer s.Close()
	admin := s.MustAdmin(b)
	st := s.MustCreateSite(b, admin)
	authors := []*client{s.MustSignUp(b), s.MustSignUp(b), s.MustSignUp(b)}
	story := s.MustStory(b, st)
	for i := range 100 {
		id := authors[i%3].MustComment(b, story, "", "A comment of a realistic length, with **some** Markdown and a [link](https://example.org).")
		authors[(i+1)%3].MustDo(b, addReaction, in("commentID", id, "kind", "respect"), nil)
	}
	body, _ := json.Marshal(map[string]any{"query": `query($id: ID!) { story(id: $id) { id title closed commentCount
		comments(first: 100) { edges { cursor node { id body createdAt editedAt status depth replyCount
		author { id username } reactions { kind count viewerReacted } } } pageInfo { hasNextPage endCursor } } } }`,
		"variables": map[string]any{"id": story}})
	uncached := server.New(server.Config{Auth: s.Services.Auth, Sites: s.Services.Sites, GraphQL: graph.NewHandler(s.Services, graph.Options{Production: true})})
	// The page cache as `parley serve` wires it: anonymous readers share one answer, and
	// signed-in ones share it too, with their reactions overlaid.
	cache := pagecache.NewWithConfig(pagecache.Config{MaxBytes: 64 << 20, TTL: time.Hour})
	overlay := graph.NewOverlay(postgres.NewViewerStateService(s.DB))
	cached := server.New(server.Config{Auth: s.Services.Auth, Sites: s.Services.Sites, GraphQL: graph.NewHandler(s.Services, graph.Options{Production: true}),
		ReadCache: func(next http.Handler) http.Handler { return cache.MiddlewareWithOverlay(next, overlay) }})
	// As `parley serve` wires it, the token's owner is kept by the replica for a few seconds.
	identities := auth.NewIdentityCache(auth.IdentityCacheOptions{})
	identities.SetLive(true)
	withTokens := auth.NewService(postgres.NewAccountStore(s.DB), auth.Options{Identities: identities})
	cachedTokens := server.New(server.Config{Auth: withTokens, Sites: s.Services.Sites, GraphQL: graph.NewHandler(s.Services, graph.Options{Production: true}),
		ReadCache: func(next http.Handler) http.Handler { return cache.MiddlewareWithOverlay(next, overlay) }})
	// A signed-in reader's page is the same page, read with a token: viewerReacted and the
	// viewer's own pending comments make it the viewer's own.
	for _, run := range []struct {
		name   string
		reader *client
		h      http.Handler
	}{
		{"anonymous", s.anonymous(), uncached},
		{"signed-in", authors[0], uncached},
		{"anonymous cached", s.anonymous(), cached},
		{"signed-in cached", authors[0], cached},
		{"signed-in cached, token cache", authors[0], cachedTokens},
	} {
		reader, h := run.reader, run.h
		b.Run(run.name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					rec := httptest.NewRecorder()
					req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					if reader.token != "" {
						req.Header.Set("Authorization", "Bearer "+reader.token)
					}
					h.ServeHTTP(rec, req)
					if rec.Code != http.StatusOK || bytes.Contains(rec.Body.Bytes(), []byte(`"errors"`)) {
						b.Fatalf("%d %s", rec.Code, rec.Body.String())
					}
				}
			})
		})
	}
}

// BenchmarkCreateComment posts comments through the whole handler, without the network, 32
// at a time, without a pipeline and with the one `parley serve` runs (spam in shadow mode).
func BenchmarkCreateComment(b *testing.B) {
	for _, withPipeline := range []bool{false, true} {
		b.Run(fmt.Sprintf("pipeline=%v", withPipeline), func(b *testing.B) {
			s := newServices(postgrestest.MustOpenDB(b))
			if withPipeline {
				lists := moderation.NewWordLists(postgres.NewWordListStore(s.DB))
				classifier := spam.New(postgres.NewSpamStore(s.DB))
				pipeline := moderation.Default(moderation.Step{Stage: lists.Stage()}).Then(moderation.Step{Stage: classifier.Stage(), Shadow: true})
				s.Services.Comments = moderation.NewCommentService(postgres.NewCommentService(s.DB, markup.NewRenderer()), pipeline)
			}
			s.serve(graph.Options{})
			defer s.Close()
			admin := s.MustAdmin(b)
			st := s.MustCreateSite(b, admin)
			story := s.MustStory(b, st)
			writer := s.MustSignUp(b)
			h := server.New(server.Config{Auth: s.Services.Auth, Sites: s.Services.Sites, GraphQL: graph.NewHandler(s.Services, graph.Options{Production: true})})
			var n atomic.Int64
			b.ReportAllocs()
			b.SetParallelism(16)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					body, _ := json.Marshal(map[string]any{"query": `mutation($i: CreateCommentInput!) { createComment(input: $i) { comment { id status } } }`,
						"variables": map[string]any{"i": map[string]any{"storyID": story, "body": fmt.Sprintf("A comment of a realistic length, with **some** Markdown and a [link](https://example.org). %d", n.Add(1))}}})
					rec := httptest.NewRecorder()
					req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("Authorization", "Bearer "+writer.token)
					h.ServeHTTP(rec, req)
					if rec.Code != http.StatusOK || bytes.Contains(rec.Body.Bytes(), []byte(`"errors"`)) {
						b.Fatalf("%d %s", rec.Code, rec.Body.String())
					}
				}
			})
		})
	}
}
