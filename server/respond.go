package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/graph"
)

// writeJSON answers with a JSON document that no cache may keep.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError answers in GraphQL's error shape with the API's codes, so a client handles an
// error from the middleware (a bad token, a body too large) exactly like one from a resolver.
func writeError(w http.ResponseWriter, r *http.Request, status int, err error) {
	ext := map[string]any{"code": graph.Code(err)}
	if parley.ErrorCode(err) == parley.EINTERNAL {
		ext["requestID"] = parley.RequestIDFromContext(r.Context())
	}
	if perr := (*parley.Error)(nil); errors.As(err, &perr) {
		if perr.Field != "" {
			ext["field"] = perr.Field
		}
		if perr.RetryAfter > 0 {
			ext["retryAfter"] = perr.RetryAfterSeconds()
			w.Header().Set("Retry-After", strconv.Itoa(perr.RetryAfterSeconds()))
		}
	}
	writeJSON(w, status, map[string]any{
		"errors": []map[string]any{{"message": parley.ErrorMessage(err), "extensions": ext}},
	})
}
