package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
)

func TestIdentity(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	token, user := e.MustSession(t)
	viewer := func(a *answer) string {
		var out struct {
			Data struct{ Viewer *struct{ ID string } }
		}
		if err := json.Unmarshal([]byte(a.Body), &out); err != nil {
			t.Fatal(err)
		}
		if out.Data.Viewer == nil {
			return ""
		}
		return out.Data.Viewer.ID
	}

	t.Run("no header is anonymous", func(t *testing.T) {
		a := e.Query(t, `{ viewer { id } }`)
		if a.Status != http.StatusOK || viewer(a) != "" {
			t.Errorf("status %d: %s", a.Status, a.Body)
		}
	})
	t.Run("a bearer token signs in", func(t *testing.T) {
		a := e.Query(t, `{ viewer { id } }`, "Authorization", "Bearer "+token)
		if a.Status != http.StatusOK || viewer(a) != user.ID {
			t.Errorf("status %d: %s", a.Status, a.Body)
		}
	})
	t.Run("the scheme is case-insensitive", func(t *testing.T) {
		if a := e.Query(t, `{ viewer { id } }`, "Authorization", "bearer "+token); viewer(a) != user.ID {
			t.Errorf("status %d: %s", a.Status, a.Body)
		}
	})
	for name, header := range map[string]string{
		"an unknown token":      "Bearer pst_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"a malformed token":     "Bearer nonsense",
		"another scheme":        "Basic dXNlcjpwYXNz",
		"an empty bearer":       "Bearer ",
		"a token with a suffix": "Bearer " + token + "x",
	} {
		t.Run(name+" is unauthenticated", func(t *testing.T) {
			a := e.Query(t, `{ viewer { id } }`, "Authorization", header)
			if a.Status != http.StatusUnauthorized || a.Code() != "UNAUTHENTICATED" || a.Errors[0].Message == "" {
				t.Errorf("status %d: %s", a.Status, a.Body)
			}
		})
	}
	t.Run("a revoked token is unauthenticated", func(t *testing.T) {
		revoked, _ := e.MustSession(t)
		if err := e.Auth.SignOut(context.Background(), revoked); err != nil {
			t.Fatal(err)
		}
		a := e.Query(t, `{ viewer { id } }`, "Authorization", "Bearer "+revoked)
		if a.Status != http.StatusUnauthorized || a.Code() != "UNAUTHENTICATED" || a.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("status %d: %s", a.Status, a.Body)
		}
	})
}
