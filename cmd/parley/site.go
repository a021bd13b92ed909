package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/importer"
	"github.com/parleyhq/parley/portable"
	"github.com/parleyhq/parley/postgres"
)

// siteCommand moves a whole site between instances: `parley site export --site S > FILE`
// writes it, `parley site import [--site S] FILE` reads it on the new instance.
func siteCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "export" && args[0] != "import") {
		fmt.Fprint(stderr, usage)
		return errors.New("unknown site command; did you mean 'parley site export' or 'parley site import'?")
	}
	fs := flag.NewFlagSet("site "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	site := fs.String("site", "", "the site's ID (export: required; import: an empty site to fill instead of the file's own)")
	databaseURL := fs.String("database-url", getenv("DATABASE_URL"), "PostgreSQL URL (env DATABASE_URL)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if args[0] == "export" && (*site == "" || fs.NArg() != 0) {
		return errors.New("usage: parley site export --site ID > site.json")
	}
	if args[0] == "import" && fs.NArg() != 1 {
		return errors.New("usage: parley site import [--site ID] FILE")
	}
	a, err := openApp(ctx, "site "+args[0], []string{"--database-url", *databaseURL, "--log-level", "warn"}, getenv, stderr)
	if err != nil {
		return err
	}
	defer a.db.Close()
	store := postgres.NewSiteMoveStore(a.db)
	if args[0] == "export" {
		if err := portable.NewExporter(store).Export(ctx, *site, stdout); err != nil {
			return fmt.Errorf("site export: %s", parley.ErrorMessage(err))
		}
		return nil
	}
	path := fs.Arg(0)
	info, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("site import: %w", err)
	}
	terminal := isTerminal(stderr)
	im := portable.NewImporter(store, portable.Options{
		ProgressEvery: progressEvery(terminal),
		Progress: func(p importer.Progress) {
			pct := float64(p.BytesRead) / float64(max(info.Size(), 1)) * 100
			what := "checking"
			if p.Pass == 2 {
				what = "writing"
			}
			line := fmt.Sprintf("%s: %5.1f%% of %s, %d comments read, %d records written", what, pct, byteSize(info.Size()), p.Comments, p.Imported)
			if terminal {
				fmt.Fprintf(stderr, "\r[%-30s] %s", strings.Repeat("=", int(pct*30/100)), line)
			} else {
				fmt.Fprintln(stderr, "site import:", line)
			}
		},
	})
	rep, err := im.Import(ctx, *site, func() (io.ReadCloser, error) { return os.Open(path) })
	if terminal {
		fmt.Fprintln(stderr)
	}
	if rep != nil {
		printSiteReport(stdout, rep)
	}
	if err != nil {
		if rep != nil {
			return fmt.Errorf("site import stopped: %s (what was written is kept; run the import again: it adds only what is missing)", parley.ErrorMessage(err))
		}
		return fmt.Errorf("site import: %s (nothing was written)", parley.ErrorMessage(err))
	}
	return nil
}

// printSiteReport says what a site import did.
func printSiteReport(w io.Writer, r *portable.Report) {
	var read []string
	for _, s := range parley.SiteSections {
		read = append(read, fmt.Sprintf("%d %s", r.Read[s], s))
	}
	fmt.Fprintf(w, "Site %s: read %s; wrote %d records; %d accounts joined existing ones by verified email; in %s.\n",
		r.SiteID, strings.Join(read, ", "), r.Written, r.Merged, r.Elapsed.Round(1e6))
	reasons := make([]string, 0, len(r.Skipped))
	for k := range r.Skipped {
		reasons = append(reasons, k)
	}
	slices.Sort(reasons)
	for _, reason := range reasons {
		fmt.Fprintf(w, "  skipped %d: %s (e.g. %s)\n", r.Skipped[reason], reason, strings.Join(r.Examples[reason], ", "))
	}
}
