package server_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/parleyhq/parley/auth"
	"github.com/parleyhq/parley/graph"
	"github.com/parleyhq/parley/markup"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/server"
)

func TestPublicReadCaching(t *testing.T) {
	t.Parallel()
	const query = `query Site($id: ID!) { site(id: $id) { id name } }`
	pq, err := graph.NewPersistedQueries(nil, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, func(c *server.Config) {
		c.PublicReadMaxAge, c.PublicReadStale = 5*time.Second, 30*time.Second
		c.GraphQL = graph.NewHandler(graph.Services{Auth: c.Auth.(*auth.Service), Users: postgres.NewUserService(db), Sites: c.Sites,
			Stories: postgres.NewStoryService(db), Comments: postgres.NewCommentService(db, markup.NewRenderer()),
			Reactions: postgres.NewReactionService(db), Reports: postgres.NewReportService(db)},
			graph.Options{PersistedQueries: pq})
	})
	site, _ := e.MustSite(t)
	token, _ := e.MustSession(t)
	ext := `{"persistedQuery":{"version":1,"sha256Hash":"` + graph.QueryHash(query) + `"}}`
	vars := `{"id":"` + site.ID + `"}`
	get := func(withQuery bool, header ...string) *answer {
		v := url.Values{"extensions": {ext}, "variables": {vars}, "operationName": {"Site"}}
		if withQuery {
			v.Set("query", query)
		}
		h := http.Header{}
		for i := 0; i+1 < len(header); i += 2 {
			h.Add(header[i], header[i+1])
		}
		return e.Do(t, request{Method: "GET", Path: "/graphql?" + v.Encode(), Header: h})
	}
	private := func(t *testing.T, a *answer) {
		t.Helper()
		if a.Header.Get("Cache-Control") != "private, no-store" || a.Header.Get("ETag") != "" {
			t.Errorf("Cache-Control %q, ETag %q; want private, no-store and no ETag", a.Header.Get("Cache-Control"), a.Header.Get("ETag"))
		}
	}

	t.Run("a hash the server does not know yet is private", func(t *testing.T) {
		a := get(false)
		if a.Code() != "PERSISTED_QUERY_NOT_FOUND" {
			t.Fatalf("code %q: %s", a.Code(), a.Body)
		}
		private(t, a)
	})
	var etag string
	t.Run("an anonymous persisted read is public with an ETag", func(t *testing.T) {
		get(true) // registers the query
		a := get(false)
		etag = a.Header.Get("ETag")
		if a.Status != http.StatusOK || a.Code() != "" || a.Header.Get("Cache-Control") != "public, max-age=5, stale-while-revalidate=30" || etag == "" {
			t.Fatalf("status %d, Cache-Control %q, ETag %q: %s", a.Status, a.Header.Get("Cache-Control"), etag, a.Body)
		}
		if vary := a.Header.Values("Vary"); !contains(vary, "Authorization") {
			t.Errorf("Vary = %q, want Authorization in it", vary)
		}
	})
	t.Run("a matching If-None-Match is 304 without a body", func(t *testing.T) {
		a := get(false, "If-None-Match", etag)
		if a.Status != http.StatusNotModified || a.Body != "" || a.Header.Get("ETag") != etag {
			t.Errorf("status %d, ETag %q, body %q; want 304", a.Status, a.Header.Get("ETag"), a.Body)
		}
		if a := get(false, "If-None-Match", `"something-else"`); a.Status != http.StatusOK || a.Body == "" {
			t.Errorf("another ETag: status %d", a.Status)
		}
	})
	t.Run("the same read signed in is private", func(t *testing.T) {
		a := get(false, "Authorization", "Bearer "+token)
		if a.Status != http.StatusOK || a.Code() != "" {
			t.Fatalf("status %d: %s", a.Status, a.Body)
		}
		private(t, a)
		private(t, get(false, "Authorization", "Bearer "+token, "If-None-Match", etag))
	})
	t.Run("a read by its text is private", func(t *testing.T) {
		v := url.Values{"query": {query}, "variables": {vars}}
		private(t, e.Do(t, request{Method: "GET", Path: "/graphql?" + v.Encode()}))
	})
	t.Run("a POST read and a mutation are private", func(t *testing.T) {
		body, _ := json.Marshal(map[string]any{"query": query, "variables": map[string]any{"id": site.ID}})
		private(t, e.Do(t, request{ContentType: "application/json", Body: body}))
		private(t, e.Query(t, `mutation { signOut }`, "Authorization", "Bearer "+token))
	})
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
