package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/importer"
	"github.com/parleyhq/parley/markup"
	"github.com/parleyhq/parley/postgres"
)

// importFile brings another comment system's export into a site: `parley import --site S
// --format disqus|wxr|remark42|coral FILE`. It shows a progress bar on a terminal and a progress line every
// few seconds otherwise, and ends with what it imported and what it skipped, and why. Run
// again on the same file, it adds nothing.
func importFile(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	site := fs.String("site", "", "the site's ID (required)")
	format := fs.String("format", "", "the file's format: "+strings.Join(importer.Formats(), " or "))
	databaseURL := fs.String("database-url", getenv("DATABASE_URL"), "PostgreSQL URL (env DATABASE_URL)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 || *site == "" || *format == "" {
		return errors.New("usage: parley import --site ID --format disqus|wxr|remark42|coral FILE")
	}
	path := fs.Arg(0)
	info, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	a, err := openApp(ctx, "import", []string{"--database-url", *databaseURL, "--log-level", "warn"}, getenv, stderr)
	if err != nil {
		return err
	}
	defer a.db.Close()
	if _, err := postgres.NewSiteService(a.db).FindSiteByID(ctx, *site); err != nil {
		return fmt.Errorf("import: site %s: %s", *site, parley.ErrorMessage(err))
	}
	terminal := isTerminal(stderr)
	im := importer.New(postgres.NewImportStore(a.db), markup.NewRenderer(), importer.Options{
		ProgressEvery: progressEvery(terminal),
		Progress: func(p importer.Progress) {
			pct := float64(p.BytesRead) / float64(max(info.Size(), 1)) * 100
			line := fmt.Sprintf("pass %d: %5.1f%% of %s, %d comments read, %d imported, %d skipped",
				p.Pass, pct, byteSize(info.Size()), p.Comments, p.Imported, p.Skipped)
			if terminal {
				fmt.Fprintf(stderr, "\r[%-30s] %s", strings.Repeat("=", int(pct*30/100)), line)
			} else {
				fmt.Fprintln(stderr, "import:", line)
			}
		},
	})
	rep, err := im.Import(ctx, *site, *format, func() (io.ReadCloser, error) { return os.Open(path) })
	if terminal {
		fmt.Fprintln(stderr)
	}
	if rep != nil {
		printReport(stdout, rep)
	}
	if err != nil {
		return fmt.Errorf("import stopped: %s (what was read before is imported; run the import again once the file is fixed: it adds only what is missing)", parley.ErrorMessage(err))
	}
	return nil
}

func progressEvery(terminal bool) time.Duration {
	if terminal {
		return 200 * time.Millisecond
	}
	return 2 * time.Second
}

// printReport says what an import did, with each reason for skipping.
func printReport(w io.Writer, r *importer.Report) {
	rate := float64(r.Comments) / max(r.Elapsed.Seconds(), 0.001)
	fmt.Fprintf(w, "Imported %d comments (%d threads, %d reactions); %d were imported before; %d skipped. %d comments read in %s (%.0f/s, %d passes).\n",
		r.Imported, r.Threads, r.Reactions, r.Duplicates, r.SkippedTotal(), r.Comments, r.Elapsed.Round(time.Millisecond), rate, r.Passes)
	for _, reason := range r.Reasons() {
		fmt.Fprintf(w, "  skipped %d: %s (e.g. %s)\n", r.Skipped[reason], reason, strings.Join(r.Examples[reason], ", "))
	}
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d KiB", n>>10)
}

// isTerminal reports whether w is a character device, where a progress bar can redraw.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
