package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/parleyhq/parley/server"
)

func TestBodyHygiene(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	small := newEnv(t, func(c *server.Config) { c.MaxBodyBytes = 100 })
	query := []byte(`{"query":"{ viewer { id } }"}`)
	padded := []byte(`{"query":"{ viewer { id } }","operationName":null,"extensions":{"pad":"` + strings.Repeat("x", server.DefaultMaxBodyBytes) + `"}}`)

	for _, tc := range []struct {
		name    string
		env     *env
		req     request
		status  int
		code    string
		message string
	}{
		{"JSON query runs", e, request{ContentType: "application/json", Body: query}, http.StatusOK, "", ""},
		{"JSON with a UTF-8 charset runs", e, request{ContentType: "application/json; charset=UTF-8", Body: query}, http.StatusOK, "", ""},
		{"oversized body is too large", e, request{ContentType: "application/json", Body: padded}, http.StatusRequestEntityTooLarge, "INVALID",
			"Request body is larger than 1048576 bytes."},
		{"body over a configured limit is too large", small, request{ContentType: "application/json", Body: []byte(`{"query":"` + strings.Repeat(" ", 100) + `{ viewer { id } }"}`)},
			http.StatusRequestEntityTooLarge, "INVALID", "Request body is larger than 100 bytes."},
		{"text/plain is unsupported", e, request{ContentType: "text/plain", Body: query}, http.StatusUnsupportedMediaType, "INVALID", ""},
		{"form encoding is unsupported", e, request{ContentType: "application/x-www-form-urlencoded", Body: []byte("query=x")}, http.StatusUnsupportedMediaType, "INVALID", ""},
		{"no content type is unsupported", e, request{Body: query}, http.StatusUnsupportedMediaType, "INVALID", ""},
		{"another charset is unsupported", e, request{ContentType: "application/json; charset=latin1", Body: query}, http.StatusUnsupportedMediaType, "INVALID", ""},
		{"invalid UTF-8 is refused", e, request{ContentType: "application/json", Body: []byte("{\"query\":\"{ viewer { id } }\",\"variables\":{\"x\":\"\xff\xfe\"}}")},
			http.StatusBadRequest, "INVALID", "Request body is not valid UTF-8."},
		{"malformed JSON is invalid", e, request{ContentType: "application/json", Body: []byte(`{"query":`)}, http.StatusBadRequest, "INVALID", ""},
		{"empty body is invalid", e, request{ContentType: "application/json"}, http.StatusBadRequest, "INVALID", ""},
		{"JSON that is not an object is invalid", e, request{ContentType: "application/json", Body: []byte(`[1,2]`)}, http.StatusBadRequest, "INVALID", ""},
		{"GET with a query runs", e, request{Method: http.MethodGet, Path: "/graphql?query=%7B+viewer+%7B+id+%7D+%7D"}, http.StatusOK, "", ""},
		{"GET with bad variables is invalid", e, request{Method: http.MethodGet, Path: "/graphql?query=%7B+viewer+%7B+id+%7D+%7D&variables=%7Bnope"}, http.StatusBadRequest, "INVALID", ""},
		{"GET with array variables is invalid", e, request{Method: http.MethodGet, Path: "/graphql?query=%7B+viewer+%7B+id+%7D+%7D&variables=%5B%5D"}, http.StatusBadRequest, "INVALID", ""},
		{"GET with invalid UTF-8 is invalid", e, request{Method: http.MethodGet, Path: "/graphql?query=%7B+viewer+%7B+id+%7D+%7D%ff"}, http.StatusBadRequest, "INVALID", ""},
		{"GET with bad escapes is invalid", e, request{Method: http.MethodGet, Path: "/graphql?query=%zz"}, http.StatusBadRequest, "INVALID", ""},
		{"GET without a query is invalid", e, request{Method: http.MethodGet}, 0, "INVALID", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := tc.env.Do(t, tc.req)
			if (tc.status != 0 && a.Status != tc.status) || a.Code() != tc.code {
				t.Fatalf("status %d code %q, want %d %q: %s", a.Status, a.Code(), tc.status, tc.code, a.Body)
			}
			if tc.message != "" && a.Errors[0].Message != tc.message {
				t.Errorf("message = %q, want %q", a.Errors[0].Message, tc.message)
			}
		})
	}
}
