package graph_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/parleyhq/parley/auth"
	"github.com/parleyhq/parley/graph"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/postgres/postgrestest"
	"github.com/parleyhq/parley/server"
)

// uncachedWidgetPage is the widget's page of comments (its fragments, the authors' roles,
// inline replies) at the size issue 17 measures: 100 comments with five replies each.
const uncachedWidgetPage = `query Comments($storyID: ID!, $siteID: ID!) {
  story(id: $storyID) {
    comments(first: 100) {
      edges { node { ...C replies(first: 5) { ...P } } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
fragment C on Comment {
  id body bodySource status rejectionReason depth replyCount featured createdAt editedAt version
  parent { id }
  author { id username guest role(siteID: $siteID) }
  reactions { kind count viewerReacted }
}
fragment P on CommentConnection { edges { node { ...C } } pageInfo { hasNextPage endCursor } }`

// The dashboard's user drawer (frontend/dashboard/src/users/documents.js), which a moderator
// reads uncached, as the queue (dashboardQueue).
const (
	dashboardUserDrawer = `query UserDrawer($id: ID!, $siteID: ID!) {
  user(id: $id) {
    id username email admin createdAt role(siteID: $siteID)
    commentCounts(siteID: $siteID) { published pending rejected deleted }
    sanctions(siteID: $siteID, activeOnly: false) {
      id kind message createdAt expiresAt revokedAt acknowledgedAt
      site { id name }
      moderator { id username }
    }
    notes(siteID: $siteID) { id body createdAt moderator { id username } }
  }
}`
)

// BenchmarkUncachedPage reads a story's page the way every read the cache cannot answer does
// (a first read after a change, a moderator's, a signed-in reader's own): through the whole
// handler, one request at a time, without the network. Besides ns/op (which includes waiting
// for PostgreSQL) it reports cpu-ns/op, the CPU this process spent per page.
func BenchmarkUncachedPage(b *testing.B) {
	s := newStack(postgrestest.MustOpenDB(b), graph.Options{})
	defer s.Close()
	admin := s.MustAdmin(b)
	st := s.MustCreateSite(b, admin)
	authors := []*client{s.MustSignUp(b), s.MustSignUp(b), s.MustSignUp(b)}
	story := s.MustStory(b, st)
	const body = "A comment of a realistic length, with **some** Markdown and a [link](https://example.org)."
	var reportedIDs []string
	for i := range 100 {
		id := authors[i%3].MustComment(b, story, "", body)
		if i%10 == 0 {
			reportedIDs = append(reportedIDs, id)
		}
		authors[(i+1)%3].MustDo(b, addReaction, in("commentID", id, "kind", "respect"), nil)
		for j := range 5 {
			reply := authors[(i+j)%3].MustComment(b, story, id, body)
			if j == 0 {
				authors[(i+2)%3].MustDo(b, addReaction, in("commentID", reply, "kind", "respect"), nil)
			}
		}
	}
	// The admin reports every tenth comment, so the REPORTED queue holds ten.
	for _, id := range reportedIDs {
		admin.MustDo(b, reportComment, in("commentID", id, "reason", "SPAM"), nil)
	}
	// The widget asks for 25 comments with 3 replies each; this page is over the default
	// complexity limit.
	o := graph.Options{Production: true, ComplexityLimit: 1 << 20}
	h := server.New(server.Config{Auth: s.Services.Auth, Sites: s.Services.Sites, GraphQL: graph.NewHandler(s.Services, o)})
	// As `parley serve` wires it, a token's owner is kept by the replica for a few seconds.
	identities := auth.NewIdentityCache(auth.IdentityCacheOptions{})
	identities.SetLive(true)
	withTokens := server.New(server.Config{Auth: auth.NewService(postgres.NewAccountStore(s.DB), auth.Options{Identities: identities}),
		Sites: s.Services.Sites, GraphQL: graph.NewHandler(s.Services, o)})
	// The same pages through gqlgen's executor alone, for the ratio in one run.
	executor := server.New(server.Config{Auth: s.Services.Auth, Sites: s.Services.Sites, GraphQL: graph.NewHandler(s.Services, graph.ExecutorOnly(o))})
	for _, run := range []struct {
		name, query string
		reader      *client
	}{
		{"executor only: 100 comments, signed-in", overlayBenchPage, authors[0]},
		{"executor only: 100 comments with 5 replies each, widget query, signed-in", uncachedWidgetPage, authors[0]},
		{"100 comments, anonymous", overlayBenchPage, s.anonymous()},
		{"100 comments, signed-in", overlayBenchPage, authors[0]},
		{"100 comments, signed-in, token cache", overlayBenchPage, authors[0]},
		{"100 comments with 5 replies each, widget query, signed-in", uncachedWidgetPage, authors[0]},
		{"100 comments with 5 replies each, widget query, moderator", uncachedWidgetPage, admin},
		{"moderation queue, 20 unmoderated", dashboardQueue, admin},
		{"moderation queue, 10 reported", dashboardQueue, admin},
		{"user drawer", dashboardUserDrawer, admin},
	} {
		vars := map[string]any{"storyID": story, "siteID": st.ID, "id": authors[1].User.ID, "queue": "UNMODERATED", "first": 20}
		if strings.Contains(run.name, "reported") {
			vars["queue"] = "REPORTED"
		}
		body, _ := json.Marshal(map[string]any{"query": run.query, "variables": vars})
		h := h
		if strings.HasPrefix(run.name, "executor only") {
			h = executor
		} else if strings.HasSuffix(run.name, "token cache") {
			h = withTokens
		}
		b.Run(run.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu := processCPU()
			for b.Loop() {
				rec := httptest.NewRecorder()
				req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				if run.reader.token != "" {
					req.Header.Set("Authorization", "Bearer "+run.reader.token)
				}
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK || bytes.Contains(rec.Body.Bytes(), []byte(`"errors"`)) {
					b.Fatalf("%d %s", rec.Code, rec.Body.String())
				}
			}
			b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
		})
	}
}

// processCPU is the CPU time, user and system, this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
