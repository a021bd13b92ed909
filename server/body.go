package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/parleyhq/parley"
)

// limitBody checks a /graphql request before GraphQL sees it: a POST body must be JSON, at
// most max bytes and valid UTF-8; a GET query string must decode to valid UTF-8 and its
// variables must be JSON. Go's JSON decoder silently replaces invalid UTF-8, so without this
// check a comment could be stored with U+FFFD where the client sent other bytes.
func limitBody(max int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodPost:
			if mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" ||
				(params["charset"] != "" && !strings.EqualFold(params["charset"], "utf-8")) {
				writeError(w, r, http.StatusUnsupportedMediaType, parley.Errorf(parley.EINVALID, "Send the request as Content-Type: application/json."))
				return
			}
			body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
			if err != nil {
				if errors.As(err, new(*http.MaxBytesError)) {
					writeError(w, r, http.StatusRequestEntityTooLarge, parley.Errorf(parley.EINVALID, "Request body is larger than %d bytes.", max))
					return
				}
				writeError(w, r, http.StatusBadRequest, parley.Errorf(parley.EINVALID, "The request body could not be read."))
				return
			}
			if !utf8.Valid(body) {
				writeError(w, r, http.StatusBadRequest, parley.Errorf(parley.EINVALID, "Request body is not valid UTF-8."))
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.ContentLength = int64(len(body))
		case http.MethodGet:
			if err := checkQueryString(r.URL.RawQuery); err != nil {
				writeError(w, r, http.StatusBadRequest, err)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// checkQueryString is limitBody's rule for GET: gqlgen answers a bad query string without an
// error code, so it is refused here with one.
func checkQueryString(raw string) error {
	q, err := url.ParseQuery(raw)
	if err != nil {
		return parley.Errorf(parley.EINVALID, "The query string is not valid URL encoding.")
	}
	for k, vs := range q {
		for _, v := range vs {
			if !utf8.ValidString(k) || !utf8.ValidString(v) {
				return parley.Errorf(parley.EINVALID, "The query string is not valid UTF-8.")
			}
		}
	}
	for _, k := range []string{"variables", "extensions"} {
		var obj map[string]any
		if v := q.Get(k); v != "" && json.Unmarshal([]byte(v), &obj) != nil {
			return parley.FieldErrorf(k, "The %s parameter must be a JSON object.", k)
		}
	}
	return nil
}
