package server_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/portable"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/postgres/postgrestest"
	"github.com/parleyhq/parley/server"
)

func TestSiteExportDownload(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *server.Config) { c.SiteExport = portable.NewExporter(postgres.NewSiteMoveStore(db)) })
	site, _ := e.MustSite(t)
	adminToken, admin := e.MustSession(t)
	postgrestest.Exec(t, db, `UPDATE users SET admin = true WHERE id = $1`, admin.ID)
	userToken, _ := e.MustSession(t)
	get := func(path, token string) *answer {
		h := http.Header{}
		if token != "" {
			h.Set("Authorization", "Bearer "+token)
		}
		return e.Do(t, request{Method: "GET", Path: path, Header: h})
	}

	t.Run("an admin downloads the site file, never cached", func(t *testing.T) {
		a := get("/admin/export/"+site.ID, adminToken)
		var head struct {
			Format  string
			Version int
			Site    parley.PortableSite
		}
		if a.Status != http.StatusOK || !strings.Contains(a.Header.Get("Content-Disposition"), "attachment") || a.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("status %d, headers %v", a.Status, a.Header)
		}
		if err := json.Unmarshal([]byte(a.Body), &head); err != nil || head.Format != parley.SiteFileFormat || head.Site.ID != site.ID || !strings.Contains(a.Body, `"end"`) {
			t.Errorf("body %.200s: %v", a.Body, err)
		}
	})
	for _, tc := range []struct {
		name, path, token string
		status            int
		code              string
	}{
		{"without a token is 401", "/admin/export/" + site.ID, "", http.StatusUnauthorized, "UNAUTHENTICATED"},
		{"a reader is 403", "/admin/export/" + site.ID, userToken, http.StatusForbidden, "FORBIDDEN"},
		{"an unknown site is 404", "/admin/export/00000000-0000-0000-0000-000000000000", adminToken, http.StatusNotFound, "NOT_FOUND"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := get(tc.path, tc.token)
			if a.Status != tc.status || a.Code() != tc.code {
				t.Errorf("status %d code %q, want %d %q: %s", a.Status, a.Code(), tc.status, tc.code, a.Body)
			}
		})
	}
}
