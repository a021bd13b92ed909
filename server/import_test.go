package server_test

import (
	"net/http"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/server"
)

// TestImportRoute: POST /api/import reaches the import handler with the caller identified as
// on /graphql, behind the same origin policy; other methods are refused.
func TestImportRoute(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *server.Config) {
		c.Import = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Viewer", parley.UserIDFromContext(r.Context()))
			w.WriteHeader(http.StatusAccepted)
		})
	})
	token, user := e.MustSession(t)
	for _, tc := range []struct {
		name   string
		r      request
		status int
		viewer string
	}{
		{"a signed-in upload reaches the handler as its caller", request{Path: "/api/import?site=x", Header: http.Header{"Authorization": {"Bearer " + token}}}, http.StatusAccepted, user.ID},
		{"an anonymous upload reaches it anonymous", request{Path: "/api/import"}, http.StatusAccepted, ""},
		{"a bad token is unauthenticated", request{Path: "/api/import", Header: http.Header{"Authorization": {"Bearer nonsense"}}}, http.StatusUnauthorized, ""},
		{"another origin is forbidden", request{Path: "/api/import", Header: http.Header{"Origin": {"https://elsewhere.example"}}}, http.StatusForbidden, ""},
		{"GET is not allowed", request{Method: http.MethodGet, Path: "/api/import"}, http.StatusMethodNotAllowed, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := e.Do(t, tc.r)
			if a.Status != tc.status || a.Header.Get("X-Viewer") != tc.viewer {
				t.Errorf("status %d viewer %q (%s), want %d %q", a.Status, a.Header.Get("X-Viewer"), a.Body, tc.status, tc.viewer)
			}
		})
	}
}
