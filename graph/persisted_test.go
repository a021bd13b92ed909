package graph_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/parleyhq/parley/graph"
)

// persistedGET sends query as an automatic persisted query over GET: the hash always, the
// text only when withQuery is set.
func (c *client) persistedGET(tb testing.TB, query string, vars map[string]any, withQuery bool) *response {
	tb.Helper()
	ext, _ := json.Marshal(map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": graph.QueryHash(query)}})
	v := url.Values{"extensions": {string(ext)}}
	if vars != nil {
		b, _ := json.Marshal(vars)
		v.Set("variables", string(b))
	}
	if withQuery {
		v.Set("query", query)
	}
	req, err := http.NewRequest(http.MethodGet, c.s.Server.URL+"/graphql?"+v.Encode(), nil)
	if err != nil {
		tb.Fatal(err)
	}
	return c.doRequest(tb, req)
}

func MustPersisted(tb testing.TB, manifest map[string]string, allow []string, only bool) *graph.PersistedQueries {
	tb.Helper()
	p, err := graph.NewPersistedQueries(manifest, allow, only)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

func TestPersistedQueries(t *testing.T) {
	t.Parallel()
	w := shared.MustWorld(t)
	q := `query Story($id: ID) { story(id: $id) { id url } }`
	vars := map[string]any{"id": w.StoryID}

	t.Run("a hash the server does not know asks for the query, then runs once it is sent", func(t *testing.T) {
		s := newStack(shared.DB, graph.Options{PersistedQueries: MustPersisted(t, nil, nil, false)})
		defer s.Close()
		c := s.anonymous()
		if r := c.persistedGET(t, q, vars, false); r.Code() != graph.CodePersistedQueryNotFound {
			t.Fatalf("hash only, unknown: %s", r.Raw)
		}
		if r := c.persistedGET(t, q, vars, true); len(r.Errors) > 0 || !strings.Contains(string(r.Data), w.StoryID) {
			t.Fatalf("hash and query: %s", r.Raw)
		}
		if r := c.persistedGET(t, q, vars, false); len(r.Errors) > 0 || !strings.Contains(string(r.Data), w.StoryID) {
			t.Fatalf("hash only, known: %s", r.Raw)
		}
	})
	t.Run("a hash that does not match its query is invalid", func(t *testing.T) {
		s := newStack(shared.DB, graph.Options{PersistedQueries: MustPersisted(t, nil, nil, false)})
		defer s.Close()
		ext, _ := json.Marshal(map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": graph.QueryHash("{ x }")}})
		body, _ := json.Marshal(map[string]any{"query": q, "variables": vars, "extensions": json.RawMessage(ext)})
		if r := s.anonymous().Send(t, http.MethodPost, "application/json", body, nil); r.Code() != "INVALID" {
			t.Fatalf("answer: %s", r.Raw)
		}
	})
	t.Run("only registered queries run in allowlist mode", func(t *testing.T) {
		allowed := `{ viewer { id } }`
		s := newStack(shared.DB, graph.Options{PersistedQueries: MustPersisted(t,
			map[string]string{graph.QueryHash(q): q}, []string{graph.QueryHash(allowed)}, true)})
		defer s.Close()
		c := s.anonymous()
		if r := c.persistedGET(t, q, vars, false); len(r.Errors) > 0 || !strings.Contains(string(r.Data), w.StoryID) {
			t.Fatalf("registered query by hash: %s", r.Raw)
		}
		if r := c.persistedGET(t, allowed, nil, true); len(r.Errors) > 0 {
			t.Fatalf("allowed query: %s", r.Raw)
		}
		if r := c.persistedGET(t, `{ sites { id } }`, nil, true); r.Code() != "FORBIDDEN" {
			t.Fatalf("unknown query with its hash: %s", r.Raw)
		}
		if r := c.Do(t, `{ sites { id } }`, nil); r.Code() != "FORBIDDEN" {
			t.Fatalf("query without a hash: %s", r.Raw)
		}
		if r := c.Do(t, allowed, nil); len(r.Errors) > 0 {
			t.Fatalf("allowed query as text, without its hash: %s", r.Raw)
		}
	})
	t.Run("a manifest whose hash does not match its query is refused", func(t *testing.T) {
		if _, err := graph.NewPersistedQueries(map[string]string{graph.QueryHash("{ a }"): "{ b }"}, nil, true); err == nil {
			t.Fatal("no error")
		}
	})
}
