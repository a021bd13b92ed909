package portable

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/parleyhq/parley"
)

// Exporter writes site files.
type Exporter struct {
	store parley.SiteExportStore
	now   func() time.Time
}

// NewExporter returns an exporter reading sites from store.
func NewExporter(store parley.SiteExportStore) *Exporter {
	return &Exporter{store: store, now: time.Now}
}

var _ parley.SiteExportService = (*Exporter)(nil)

// ExportSite writes the site's file to w for an instance admin, the only people who may take
// a whole community (with its members' emails and password hashes) elsewhere.
func (e *Exporter) ExportSite(ctx context.Context, siteID string, w io.Writer) error {
	u := parley.UserFromContext(ctx)
	if u == nil {
		return parley.Errorf(parley.EUNAUTHENTICATED, "Sign in as an administrator to export a site.")
	}
	if !u.Admin {
		return parley.Errorf(parley.EFORBIDDEN, "Only administrators may export a site.")
	}
	return e.Export(ctx, siteID, w)
}

// Export writes the site's file to w as the store reads it, one record a line, flushing as it
// goes; it is for the operator's command line, which needs no account. A file cut short by an
// error has no "end" member, so no reader takes it for complete.
func (e *Exporter) Export(ctx context.Context, siteID string, w io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	put := func(v any) error {
		buf.Reset()
		if err := enc.Encode(v); err != nil {
			return err
		}
		_, err := bw.Write(bytes.TrimRight(buf.Bytes(), "\n"))
		return err
	}
	counts := map[string]int{}
	for _, s := range parley.SiteSections {
		counts[s] = 0
	}
	next := 0 // index in SiteSections of the next section to open
	open := -1
	closeOpen := func() {
		if open >= 0 {
			bw.WriteString("\n]")
			open = -1
		}
	}
	// advance closes the open section and writes the empty ones before section i, then opens it.
	advance := func(i int) error {
		if i < next-1 || (i == next-1 && open != i) {
			return fmt.Errorf("export: section %s came out of order", parley.SiteSections[i])
		}
		for open != i {
			closeOpen()
			fmt.Fprintf(bw, ",\n%q:[", parley.SiteSections[next])
			open, next = next, next+1
		}
		return nil
	}
	err := e.store.ExportSite(ctx, siteID, func(s parley.PortableSite) error {
		fmt.Fprintf(bw, "{\"format\":%q,\"version\":%d,\"exportedAt\":%q,\n\"site\":", parley.SiteFileFormat, parley.SiteFileVersion,
			e.now().UTC().Format(time.RFC3339))
		return put(s)
	}, func(section string, rec any) error {
		i := sectionIndex(section)
		if i < 0 {
			return fmt.Errorf("export: unknown section %q", section)
		}
		if err := advance(i); err != nil {
			return err
		}
		if counts[section] > 0 {
			bw.WriteString(",")
		}
		bw.WriteString("\n")
		counts[section]++
		if err := put(rec); err != nil {
			return err
		}
		if bw.Buffered() > 32<<10 {
			return bw.Flush()
		}
		return nil
	})
	if err != nil {
		_ = bw.Flush()
		return err
	}
	if len(parley.SiteSections) > 0 {
		if err := advance(len(parley.SiteSections) - 1); err != nil {
			return err
		}
		closeOpen()
	}
	bw.WriteString(",\n\"end\":")
	if err := put(end{Counts: counts}); err != nil {
		return err
	}
	bw.WriteString("}\n")
	return bw.Flush()
}

func sectionIndex(section string) int {
	for i, s := range parley.SiteSections {
		if s == section {
			return i
		}
	}
	return -1
}
