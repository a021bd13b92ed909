package graph_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/graph"
	"github.com/parleyhq/parley/postgres/postgrestest"
)

// nested returns a query that nests depth fields: comment, then parent depth-2 times, then id.
func nested(id string, depth int) string {
	return `{ comment(id: "` + id + `") { ` + strings.Repeat("parent { ", depth-2) + "id" + strings.Repeat(" }", depth-2) + ` } }`
}

func TestDepthLimit(t *testing.T) {
	t.Parallel()
	s := shared
	w := s.MustWorld(t)

	t.Run("at the limit runs", func(t *testing.T) {
		s.anonymous().MustDo(t, nested(w.CommentID, graph.DefaultMaxDepth), nil, nil)
	})
	t.Run("beyond the limit is invalid", func(t *testing.T) {
		r := s.anonymous().MustFail(t, "INVALID", nested(w.CommentID, graph.DefaultMaxDepth+1), nil)
		if !contains(r.Errors[0].Message, "levels deep") || r.Data != nil && string(r.Data) != "null" {
			t.Errorf("answer = %s", r.Raw)
		}
	})
	t.Run("depth through fragments counts", func(t *testing.T) {
		var q strings.Builder
		fmt.Fprintf(&q, `{ comment(id: %q) { ...F0 } }`, w.CommentID)
		for i := range graph.DefaultMaxDepth {
			fmt.Fprintf(&q, "\nfragment F%d on Comment { id parent { ... on Comment { ...F%d } } }", i, i+1)
		}
		fmt.Fprintf(&q, "\nfragment F%d on Comment { id }", graph.DefaultMaxDepth)
		s.anonymous().MustFail(t, "INVALID", q.String(), nil)
	})
}

func TestComplexityLimit(t *testing.T) {
	t.Parallel()
	s := shared
	w := s.MustWorld(t)

	t.Run("a full page of comments runs", func(t *testing.T) {
		s.anonymous().MustDo(t, `query($id: ID) { story(id: $id) { comments(first: 100) { edges { cursor node {
			id body bodySource status depth replyCount createdAt editedAt author { id username } reactions { kind count viewerReacted } } }
			pageInfo { hasNextPage endCursor } } } }`, map[string]any{"id": w.StoryID}, nil)
	})
	t.Run("pages of pages are invalid", func(t *testing.T) {
		r := s.anonymous().MustFail(t, "INVALID", `query($id: ID) { story(id: $id) { comments(first: 100) { edges { node {
			replies(first: 100) { edges { node { id } } } } } } } }`, map[string]any{"id": w.StoryID})
		if !contains(r.Errors[0].Message, "complexity") {
			t.Errorf("message = %q", r.Errors[0].Message)
		}
	})
}

func TestRequestErrors(t *testing.T) {
	t.Parallel()
	s := shared
	anon := s.anonymous()

	for _, tc := range []struct {
		name  string
		query string
		vars  map[string]any
	}{
		{"unknown field is invalid", `{ viewer { nope } }`, nil},
		{"syntax error is invalid", `{ viewer { id }`, nil},
		{"missing variable is invalid", `query($id: ID!) { comment(id: $id) { id } }`, nil},
		{"variable of the wrong type is invalid", `query($id: ID!) { comment(id: $id) { id } }`, map[string]any{"id": map[string]any{"a": 1}}},
		{"empty query is invalid", ``, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := anon.MustFail(t, "INVALID", tc.query, tc.vars)
			if r.Status == http.StatusOK || r.Status >= 500 {
				t.Errorf("status = %d, want a 4xx", r.Status)
			}
		})
	}
	t.Run("malformed JSON is invalid without echoing the body", func(t *testing.T) {
		r := anon.Send(t, http.MethodPost, "application/json", []byte(`{"query": "{ viewer { id } }", secret`), nil)
		if r.Status != http.StatusBadRequest || r.Code() != "INVALID" || contains(r.Raw, "secret") {
			t.Errorf("status %d: %s", r.Status, r.Raw)
		}
	})
	t.Run("GET runs queries", func(t *testing.T) {
		res := getGraphQL(t, s, url.Values{"query": {`{ viewer { id } }`}})
		if res.Status != http.StatusOK || len(res.Errors) != 0 {
			t.Errorf("status %d: %s", res.Status, res.Raw)
		}
	})
	t.Run("GET refuses mutations", func(t *testing.T) {
		res := getGraphQL(t, s, url.Values{"query": {`mutation { signOut }`}})
		if res.Code() != "INVALID" || !contains(res.Errors[0].Message, "POST") {
			t.Errorf("status %d: %s", res.Status, res.Raw)
		}
	})
}

func getGraphQL(t *testing.T, s *stack, q url.Values) *response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.Server.URL+"/graphql?"+q.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	c := s.anonymous()
	return c.doRequest(t, req)
}

func TestIntrospection(t *testing.T) {
	t.Parallel()
	const q = `{ __schema { queryType { name } } }`
	t.Run("development allows it", func(t *testing.T) {
		var out struct {
			Schema struct{ QueryType struct{ Name string } } `json:"__schema"`
		}
		shared.anonymous().MustDo(t, q, nil, &out)
		if out.Schema.QueryType.Name != "Query" {
			t.Errorf("__schema = %+v", out.Schema)
		}
	})
	t.Run("production refuses it", func(t *testing.T) {
		prod := newStack(shared.DB, graph.Options{Production: true})
		defer prod.Close()
		prod.anonymous().MustFail(t, "INVALID", q, nil)
		prod.anonymous().MustFail(t, "INVALID", `query { ...Q } fragment Q on Query { __type(name: "User") { name } }`, nil)
		var out struct {
			Typename string `json:"__typename"`
		}
		prod.anonymous().MustDo(t, `{ __typename }`, nil, &out)
		if out.Typename != "Query" {
			t.Errorf("__typename = %q", out.Typename)
		}
	})
}

// panicUsers fails in the way a bug would: it panics.
type panicUsers struct{ parley.UserService }

func (panicUsers) FindUserByID(context.Context, string) (*parley.User, error) { panic("boom") }

func TestInternalErrors(t *testing.T) {
	t.Parallel()

	t.Run("a failing database is an internal error with a request ID", func(t *testing.T) {
		s := newStack(postgrestest.MustOpenDB(t), graph.Options{})
		defer s.Close()
		s.DB.Close()
		r := s.anonymous().MustFail(t, "INTERNAL", `{ comment(id: "0190a4e2-0000-7000-8000-000000000000") { id } }`, nil)
		id, _ := r.Errors[0].Extensions["requestID"].(string)
		if r.Errors[0].Message != "Internal error." || id == "" || id != r.Header.Get("X-Request-ID") {
			t.Errorf("answer = %s, X-Request-ID %q", r.Raw, r.Header.Get("X-Request-ID"))
		}
		if logs := s.Logs.String(); !contains(logs, `"requestID":"`+id+`"`) || !contains(logs, "closed") {
			t.Errorf("log lacks the error with request ID %s:\n%s", id, logs)
		}
	})
	t.Run("a panic is an internal error and is logged with its stack", func(t *testing.T) {
		s := newServices(shared.DB)
		s.Services.Users = panicUsers{s.Services.Users}
		s.serve(graph.Options{})
		defer s.Close()
		u := s.MustSignUp(t)
		r := u.MustFail(t, "INTERNAL", `query($id: ID!) { user(id: $id) { id } }`, map[string]any{"id": u.User.ID})
		if r.Errors[0].Message != "Internal error." || r.Errors[0].Extensions["requestID"] == "" {
			t.Errorf("answer = %s", r.Raw)
		}
		if logs := s.Logs.String(); !contains(logs, "boom") || !contains(logs, "goroutine") {
			t.Errorf("log lacks the panic and its stack:\n%s", logs)
		}
	})
}
