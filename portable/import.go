package portable

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/importer"
)

// Options configure an import.
type Options struct {
	// BatchSize is how many records go to the store per transaction: 500 by default.
	BatchSize int
	// Progress, when set, is called every ProgressEvery (2 s by default) and at the end of
	// each pass: the first pass checks the whole file, the second writes it.
	Progress      func(importer.Progress)
	ProgressEvery time.Duration
}

// Report says what an import did.
type Report struct {
	// SiteID is the site the file went into.
	SiteID string
	// Read counts the file's records by section.
	Read map[string]int
	// Written counts the records written (accounts aside): a second run writes none.
	Written int
	// Merged counts the accounts joined to an existing account with the same verified email.
	Merged int
	// Skipped counts the records left out by reason; Examples gives up to five IDs each.
	Skipped  map[string]int
	Examples map[string][]string
	Elapsed  time.Duration
}

func (r *Report) skip(id, reason string) {
	r.Skipped[reason]++
	if len(r.Examples[reason]) < 5 {
		r.Examples[reason] = append(r.Examples[reason], id)
	}
}

// Importer reads site files into this instance.
type Importer struct {
	store parley.SiteImportStore
	o     Options
}

// NewImporter returns an importer writing to store.
func NewImporter(store parley.SiteImportStore, o Options) *Importer {
	if o.BatchSize <= 0 {
		o.BatchSize = 500
	}
	if o.ProgressEvery <= 0 {
		o.ProgressEvery = 2 * time.Second
	}
	return &Importer{store: store, o: o}
}

// Import reads the file that open opens twice: once to check all of it (its version, its
// shape, its text, every record), so a bad file writes nothing, then to write it in batches
// of one transaction each. The site keeps the file's site ID, made when this instance has no
// such site; into, when set, names an empty site to fill instead. Every record gets an ID
// derived from the site and its ID in the file, so running the import again (after a crash,
// or with a newer export of the same site) writes only what is missing.
func (im *Importer) Import(ctx context.Context, into string, open func() (io.ReadCloser, error)) (*Report, error) {
	if into != "" && !parley.IsID(into) {
		return nil, parley.FieldErrorf("site", "The site must be a site's ID.")
	}
	start := time.Now()
	rep := &Report{Read: map[string]int{}, Skipped: map[string]int{}, Examples: map[string][]string{}}
	var site parley.PortableSite
	err := im.pass(ctx, 1, open, rep, visitor{
		site: func(s parley.PortableSite, _ int64) error { site = s; return nil },
		record: func(section string, rec any, offset int64) error {
			if p := check(rec); p != "" {
				return invalid(offset, "record %d of %s: %s", rep.Read[section]+1, section, p)
			}
			rep.Read[section]++
			return nil
		},
	})
	if err != nil {
		return nil, err
	}
	source := "parley-site:" + site.ID
	if into != "" {
		site.ID = into
	}
	rep.SiteID = site.ID
	if err := im.store.PrepareSiteImport(ctx, site, source, into == ""); err != nil {
		return nil, err
	}
	w := &writer{im: im, ctx: context.WithoutCancel(ctx), site: site.ID, source: source, rep: rep, merged: map[string]string{}}
	err = im.pass(ctx, 2, open, rep, visitor{
		site:   func(parley.PortableSite, int64) error { return nil },
		record: func(section string, rec any, _ int64) error { return w.add(section, rec) },
	})
	if err == nil {
		err = w.flush()
	}
	// What was written is consistent whatever stopped the run: its counters are made right.
	if ferr := im.store.FinishImport(context.WithoutCancel(ctx), site.ID, source); ferr != nil && err == nil {
		err = ferr
	}
	rep.Elapsed = time.Since(start)
	return rep, err
}

// pass walks the file once, reporting progress.
func (im *Importer) pass(ctx context.Context, n int, open func() (io.ReadCloser, error), rep *Report, v visitor) error {
	f, err := open()
	if err != nil {
		return err
	}
	defer f.Close()
	cr := &countingReader{r: f}
	last := time.Now()
	progress := func() {
		if im.o.Progress != nil {
			skipped := 0
			for _, k := range rep.Skipped {
				skipped += k
			}
			im.o.Progress(importer.Progress{Pass: n, BytesRead: cr.n.Load(), Comments: rep.Read["comments"], Imported: rep.Written, Skipped: skipped})
		}
	}
	record := v.record
	v.record = func(section string, rec any, offset int64) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if time.Since(last) >= im.o.ProgressEvery {
			last = time.Now()
			progress()
		}
		return record(section, rec, offset)
	}
	err = walk(cr, v)
	progress()
	return err
}

type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// writer maps a file's records to this site's IDs and writes them in batches.
type writer struct {
	im           *Importer
	ctx          context.Context
	site, source string
	rep          *Report
	users        []parley.PortableUser
	batch        parley.PortableBatch
	// merged maps the derived ID of an account joined to an existing one to that account.
	merged map[string]string
}

// id derives this site's ID for a record of kind whose ID in the file is src: the same on
// every run, and distinct for each site it is imported into.
func (w *writer) id(kind, src string) string {
	if src == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(w.site + "\x00" + kind + "\x00" + src))
	b := sum[:16]
	b[6] = b[6]&0x0f | 0x80 // version 8: a name-based UUID of our own making
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// user is the account of a user ID in the file.
func (w *writer) user(src string) string {
	id := w.id("user", src)
	if m, ok := w.merged[id]; ok {
		return m
	}
	return id
}

// add maps a record and adds it to the batch, writing the batch when it is full.
func (w *writer) add(section string, rec any) error {
	b := &w.batch
	switch r := rec.(type) {
	case *parley.PortableUser:
		u := *r
		u.ID = w.id("user", r.ID)
		// Only an address the old instance verified may join an existing account (whose own
		// address storage checks is verified too): otherwise anyone could claim one by email.
		u.MergeByEmail = r.EmailVerified && r.Email != "" && !r.Guest
		w.users = append(w.users, u)
		if len(w.users) >= w.im.o.BatchSize {
			return w.flushUsers()
		}
		return nil
	case *parley.PortableStory:
		s := *r
		s.ID = w.id("story", r.ID)
		b.Stories = append(b.Stories, s)
	case *parley.PortableComment:
		c := *r
		c.ID, c.StoryID, c.ParentID, c.AuthorID = w.id("comment", r.ID), w.id("story", r.StoryID), w.id("comment", r.ParentID), w.user(r.AuthorID)
		b.Comments = append(b.Comments, c)
	case *parley.PortableRevision:
		v := *r
		v.ID, v.CommentID = w.id("revision", r.ID), w.id("comment", r.CommentID)
		b.Revisions = append(b.Revisions, v)
	case *parley.PortableReaction:
		v := *r
		v.CommentID, v.UserID = w.id("comment", r.CommentID), w.user(r.UserID)
		b.Reactions = append(b.Reactions, v)
	case *parley.PortableReport:
		v := *r
		v.ID, v.CommentID, v.UserID = w.id("report", r.ID), w.id("comment", r.CommentID), w.user(r.UserID)
		b.Reports = append(b.Reports, v)
	case *parley.PortableSanction:
		v := *r
		v.ID, v.UserID, v.ModeratorID = w.id("sanction", r.ID), w.user(r.UserID), w.user(r.ModeratorID)
		b.Sanctions = append(b.Sanctions, v)
	case *parley.PortableNote:
		v := *r
		v.ID, v.UserID, v.ModeratorID = w.id("note", r.ID), w.user(r.UserID), w.user(r.ModeratorID)
		b.Notes = append(b.Notes, v)
	case *parley.PortableWordList:
		b.WordLists = append(b.WordLists, *r)
	case *parley.PortableRule:
		v := *r
		v.ID = w.id("rule", r.ID)
		v.Versions = append([]parley.PortableRuleVersion(nil), r.Versions...)
		for i := range v.Versions {
			v.Versions[i].ProposalID = w.id("proposal", r.Versions[i].ProposalID)
		}
		b.Rules = append(b.Rules, v)
	case *parley.PortableTrustLevel:
		v := *r
		v.UserID = w.user(r.UserID)
		b.TrustLevels = append(b.TrustLevels, v)
	default:
		return fmt.Errorf("portable: no mapping for %s", section)
	}
	if err := w.flushUsers(); err != nil {
		return err
	}
	if b.Len() >= w.im.o.BatchSize {
		return w.flush()
	}
	return nil
}

// flushUsers writes the accounts read since the last flush and notes the merged ones.
func (w *writer) flushUsers() error {
	if len(w.users) == 0 {
		return nil
	}
	got, err := w.im.store.ImportSiteUsers(w.ctx, w.site, w.users)
	if err != nil {
		return err
	}
	for _, u := range w.users {
		if id := got[u.ID]; id != "" && id != u.ID {
			w.merged[u.ID] = id
			w.rep.Merged++
		}
	}
	w.users = w.users[:0]
	return nil
}

// flush writes the accounts and records read since the last flush.
func (w *writer) flush() error {
	if err := w.flushUsers(); err != nil {
		return err
	}
	if w.batch.Len() == 0 {
		return nil
	}
	n, orphans, err := w.im.store.ImportSiteRecords(w.ctx, w.site, w.source, w.batch)
	if err != nil {
		return err
	}
	w.rep.Written += n
	for _, id := range orphans {
		w.rep.skip(id, "its parent comment is not in the file")
	}
	w.batch = parley.PortableBatch{}
	return nil
}
