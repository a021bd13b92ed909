package importer_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/importer"
	"github.com/parleyhq/parley/markup"
	"github.com/parleyhq/parley/postgres"
)

// uploadServer serves the upload endpoint, taking the caller from a test header where the
// server takes it from the bearer token.
func (e *env) uploadServer(t *testing.T, maxBytes int64) (*httptest.Server, map[string]*parley.User) {
	t.Helper()
	reader := &parley.User{Username: fmt.Sprintf("reader%d", seq.Add(1)), Email: fmt.Sprintf("reader%d@example.org", seq.Add(1))}
	if err := postgres.NewAccountStore(e.db).CreateUser(context.Background(), reader, ""); err != nil {
		t.Fatal(err)
	}
	users := map[string]*parley.User{"admin": parley.UserFromContext(e.admin), "reader": reader}
	h := importer.NewHandler(e.store, markup.NewRenderer(), postgres.NewUserService(e.db),
		importer.HandlerOptions{MaxBytes: maxBytes, TempDir: t.TempDir(), ProgressEvery: time.Nanosecond})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u := users[r.Header.Get("X-Test-User")]; u != nil {
			r = r.WithContext(parley.NewContextWithUser(r.Context(), u))
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, users
}

// upload posts a file and reads the answer's lines.
func upload(t *testing.T, srv *httptest.Server, as, site, format, contentType string, body []byte) (int, []importer.Line) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/api/import?site="+site+"&format="+format, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Test-User", as)
	req.Header.Set("Content-Type", contentType)
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if ct := res.Header.Get("Content-Type"); ct != "application/x-ndjson" {
		t.Errorf("content type %q", ct)
	}
	var lines []importer.Line
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		var l importer.Line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		lines = append(lines, l)
	}
	return res.StatusCode, lines
}

func TestUploadImport(t *testing.T) {
	e := MustEnv(t)
	srv, _ := e.uploadServer(t, 1<<20)
	site := e.MustSite(t)
	file, err := os.ReadFile("testdata/coral.json")
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name, as, site, format string
		status                 int
		code                   string
	}{
		{"signed out is unauthenticated", "", site.ID, "coral", 401, "UNAUTHENTICATED"},
		{"a reader is forbidden", "reader", site.ID, "coral", 403, "FORBIDDEN"},
		{"an unknown format is invalid", "admin", site.ID, "livefyre", 400, "INVALID"},
		{"no site is invalid", "admin", "", "coral", 400, "INVALID"},
		{"an unknown site is not found", "admin", "00000000-0000-0000-0000-000000000000", "coral", 404, "NOT_FOUND"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, lines := upload(t, srv, tc.as, tc.site, tc.format, "application/json", file)
			if status != tc.status || len(lines) != 1 || lines[0].Error == nil || lines[0].Error.Code != tc.code {
				t.Fatalf("status %d, lines %+v; want %d %s", status, lines, tc.status, tc.code)
			}
		})
	}
	if got := e.MustComments(t, site.ID, "coral"); len(got) != 0 {
		t.Fatalf("refused uploads imported %d comments", len(got))
	}

	t.Run("an admin's upload is imported with progress lines", func(t *testing.T) {
		status, lines := upload(t, srv, "admin", site.ID, "coral", "application/json", file)
		last := lines[len(lines)-1]
		if status != 200 || len(lines) < 2 || lines[0].Progress == nil || last.Error != nil || last.Report == nil || last.Report.Imported != 8 || last.Report.Reactions != 2 {
			t.Fatalf("status %d, lines %+v; want progress then a report of 8 comments", status, lines)
		}
		if last.Report.Passes != 3 || last.Report.Skipped["its thread is not in the file"] != 1 {
			t.Errorf("report %+v, want the later passes read from the spooled upload", last.Report)
		}
		if n := len(e.MustComments(t, site.ID, "coral")); n != 8 {
			t.Errorf("%d comments stored, want 8", n)
		}
	})

	t.Run("a multipart form's file part is imported, and again adds nothing", func(t *testing.T) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		_ = mw.WriteField("note", "first field is not the file")
		fw, _ := mw.CreateFormFile("file", "coral.json")
		_, _ = fw.Write(file)
		_ = mw.Close()
		status, lines := upload(t, srv, "admin", site.ID, "coral", mw.FormDataContentType(), buf.Bytes())
		last := lines[len(lines)-1]
		if status != 200 || last.Report == nil || last.Report.Imported != 0 || last.Report.Duplicates != 8 {
			t.Fatalf("status %d, last line %+v; want 8 duplicates", status, last)
		}
	})

	t.Run("a broken file is reported as the import's error", func(t *testing.T) {
		status, lines := upload(t, srv, "admin", e.MustSite(t).ID, "coral", "application/json", file[:len(file)/2])
		last := lines[len(lines)-1]
		if status != 200 || last.Error == nil || last.Error.Code != "INVALID" || !strings.Contains(last.Error.Message, "truncated") || last.Report == nil {
			t.Fatalf("last line %+v, want the report and INVALID saying truncated", last)
		}
	})

	t.Run("an upload over the limit is refused", func(t *testing.T) {
		small, _ := e.uploadServer(t, 1024)
		_, lines := upload(t, small, "admin", e.MustSite(t).ID, "coral", "application/json", file)
		last := lines[len(lines)-1]
		if last.Error == nil || last.Error.Code != "INVALID" || !strings.Contains(last.Error.Message, "larger than") {
			t.Fatalf("last line %+v, want INVALID saying the upload is too large", last)
		}
	})
}
