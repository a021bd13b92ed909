package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/postgres/postgrestest"
)

func TestImportCommand(t *testing.T) {
	ctx := context.Background()
	dsn, drop, err := postgrestest.CreateDatabase(ctx)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	t.Cleanup(func() { _ = drop() })
	env := func(k string) string {
		if k == "DATABASE_URL" {
			return dsn
		}
		return ""
	}
	db, err := postgres.Open(ctx, dsn, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	system := parley.NewContextWithUser(ctx, &parley.User{Username: "system", Admin: true})
	site, err := postgres.NewSiteService(db).CreateSite(system, parley.CreateSiteInput{Name: "Daily Planet", AllowedOrigins: []string{"https://news.example.org"}})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	file := "../../importer/testdata/disqus.xml"
	var out, errs bytes.Buffer
	args := []string{"import", "--site", site.ID, "--format", "disqus", file}
	if err := run(ctx, args, env, &out, &errs); err != nil {
		t.Fatalf("import: %v\n%s", err, errs.String())
	}
	for _, want := range []string{"Imported 6 comments (2 threads, 0 reactions); 0 were imported before; 5 skipped.", "skipped 1: its thread is not in the file (e.g. 3008)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report %q lacks %q", out.String(), want)
		}
	}
	if !strings.Contains(errs.String(), "import: pass 1: 100.0% of") {
		t.Errorf("no progress line in %q", errs.String())
	}
	out.Reset()
	if err := run(ctx, args, env, &out, io.Discard); err != nil || !strings.Contains(out.String(), "Imported 0 comments (2 threads, 0 reactions); 6 were imported before") {
		t.Errorf("second run: %q, %v", out.String(), err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no file", []string{"import", "--site", site.ID, "--format", "disqus"}, "usage: parley import"},
		{"a missing file", []string{"import", "--site", site.ID, "--format", "disqus", "nope.xml"}, "no such file"},
		{"an unknown site", []string{"import", "--site", "00000000-0000-0000-0000-000000000000", "--format", "disqus", file}, "Site not found."},
		{"an unknown format", []string{"import", "--site", site.ID, "--format", "livefyre", file}, "The format is one of disqus, wxr, remark42"},
		{"a file of another format", []string{"import", "--site", site.ID, "--format", "wxr", file}, "not a WordPress export"},
	} {
		t.Run(tc.name+" is refused", func(t *testing.T) {
			err := run(ctx, tc.args, env, io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one saying %q", err, tc.want)
			}
		})
	}
}
