// Package importer brings discussions from other comment systems into a site: Disqus XML
// exports, WordPress WXR files, remark42 backups and Coral Talk's collections. It streams the file token by token (memory does not grow
// with the file), keeps every comment's thread, author, time, status and place in its
// thread, sanitises bodies with the site's renderer, and is idempotent: every row is keyed
// by its ID in the source, so a second run adds nothing. What it cannot import it skips and
// reports, with the reason.
package importer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/parleyhq/parley"
)

// Formats the importer reads.
const (
	FormatDisqus = "disqus"
	FormatWXR    = "wxr"
	FormatRemark = "remark42"
	FormatCoral  = "coral"
)

// Formats lists the formats Open accepts.
func Formats() []string { return []string{FormatDisqus, FormatWXR, FormatRemark, FormatCoral} }

// Sanitizer is the comment renderer's HTML policy (markup.Renderer.Sanitize), so an
// imported body allows exactly what a body written here does.
type Sanitizer interface {
	Sanitize(html string) string
}

// item is one thing a reader found in the file: a thread, a comment, or something skipped
// while reading.
type item struct {
	thread   *parley.ImportThread
	comment  *comment
	reaction *reaction
	skip     *skipped
}

// reaction is a reader's reaction to a comment, as read (only Coral's exports keep them).
type reaction struct {
	id, commentID string
	user          parley.ImportAuthor
	createdAt     time.Time
}

// comment is a comment as read, before its thread is resolved and its body sanitised.
type comment struct {
	id, threadID, parentID string
	author                 parley.ImportAuthor
	html                   string
	status                 parley.CommentStatus
	createdAt              time.Time
}

type skipped struct{ id, reason string }

// reader yields a file's items in order; io.EOF ends it.
type reader interface {
	next() (item, error)
	// offset is how many bytes of the file were read, for progress.
	offset() int64
}

// newReader opens a reader of format on r.
func newReader(format string, r io.Reader) (reader, error) {
	switch format {
	case FormatDisqus:
		return newDisqus(r), nil
	case FormatWXR:
		return newWXR(r), nil
	case FormatRemark:
		return newRemark42(r), nil
	case FormatCoral:
		return newCoral(r), nil
	}
	return nil, parley.FieldErrorf("format", "The format is one of %s, not %q.", strings.Join(Formats(), ", "), format)
}

// Progress is where an import stands, reported every few seconds.
type Progress struct {
	Pass      int   `json:"pass"`
	BytesRead int64 `json:"bytesRead"`
	Comments  int   `json:"comments"`
	Imported  int   `json:"imported"`
	Skipped   int   `json:"skipped"`
}

// Options configure an import.
type Options struct {
	// BatchSize is how many comments go to the store per transaction: 500 by default.
	BatchSize int
	// Progress, when set, is called every ProgressEvery (2 s by default) and at the end of
	// each pass.
	Progress      func(Progress)
	ProgressEvery time.Duration
	// ReactionKind is the site's reaction kind that imported reactions become: "respect" by
	// default, Parley's first default kind, which is also Coral's default reaction.
	ReactionKind string
}

// Report says what an import did.
type Report struct {
	Threads    int
	Comments   int
	Imported   int
	Duplicates int
	// Reactions were imported (Coral only); a reaction imported before is not counted.
	Reactions int
	// Stories counts, by story ID, the comments imported into each: what the
	// import.completed event tells consumers.
	Stories map[string]int
	// Skipped counts skipped items by reason; Examples gives up to five IDs per reason.
	Skipped  map[string]int
	Examples map[string][]string
	Passes   int
	Elapsed  time.Duration
}

// SkippedTotal is the number of items skipped for any reason.
func (r *Report) SkippedTotal() int {
	n := 0
	for _, k := range r.Skipped {
		n += k
	}
	return n
}

// Reasons lists the skip reasons, most frequent first.
func (r *Report) Reasons() []string {
	out := make([]string, 0, len(r.Skipped))
	for k := range r.Skipped {
		out = append(out, k)
	}
	slices.SortFunc(out, func(a, b string) int { return r.Skipped[b] - r.Skipped[a] })
	return out
}

func (r *Report) skip(id, reason string) {
	r.Skipped[reason]++
	if len(r.Examples[reason]) < 5 && id != "" {
		r.Examples[reason] = append(r.Examples[reason], id)
	}
}

// Importer imports files of one site.
type Importer struct {
	store    parley.ImportStore
	sanitize Sanitizer
	o        Options
}

// New returns an importer writing to store, sanitising bodies with s.
func New(store parley.ImportStore, s Sanitizer, o Options) *Importer {
	if o.BatchSize <= 0 {
		o.BatchSize = 500
	}
	if o.ProgressEvery <= 0 {
		o.ProgressEvery = 2 * time.Second
	}
	if o.ReactionKind == "" {
		o.ReactionKind = "respect"
	}
	return &Importer{store: store, sanitize: s, o: o}
}

// Import reads the file that open opens (once per pass) in format into site. A comment
// whose parent comes later in the file is set aside and tried again in another pass over
// the file, until a pass places none; those left are skipped. A malformed file stops the
// import with an error naming where: what was read before it is imported and counted, and
// running the import again on the fixed file adds only the rest.
func (im *Importer) Import(ctx context.Context, siteID, format string, open func() (io.ReadCloser, error)) (*Report, error) {
	if !parley.IsID(siteID) {
		return nil, parley.FieldErrorf("site", "The site must be a site's ID.")
	}
	if _, err := newReader(format, strings.NewReader("")); err != nil {
		return nil, err
	}
	start := time.Now()
	rep := &Report{Skipped: map[string]int{}, Examples: map[string][]string{}, Stories: map[string]int{}}
	run := &pass{im: im, ctx: ctx, siteID: siteID, source: format, rep: rep, threads: map[string]string{},
		authors: map[string]parley.AuthorComments{}}
	var deferred map[string]bool
	var err error
	for n := 1; ; n++ {
		rep.Passes = n
		var orphans map[string]bool
		orphans, err = run.run(n, open, deferred)
		if err != nil || len(orphans) == 0 || len(orphans) == len(deferred) {
			for id := range orphans {
				if err != nil {
					break
				}
				if r, ok := strings.CutPrefix(id, reactionKey); ok {
					rep.skip(r, "its comment is not in the file (or was skipped)")
				} else {
					rep.skip(id, "its parent comment is not in the file (or was skipped)")
				}
			}
			break
		}
		deferred = orphans
	}
	// Counters are made right even when the file broke off: what was written is consistent,
	// and consumers are told of it.
	done := parley.ImportDone{Imported: rep.Imported, Duplicates: rep.Duplicates, Reactions: rep.Reactions,
		Skipped: rep.SkippedTotal(), Stories: rep.Stories, Authors: run.authors}
	if ferr := im.store.FinishImport(context.WithoutCancel(ctx), siteID, format, done); ferr != nil && err == nil {
		err = ferr
	}
	rep.Elapsed = time.Since(start)
	return rep, err
}

// pass is the state of an import across passes over the file.
type pass struct {
	im      *Importer
	ctx     context.Context
	siteID  string
	source  string
	rep     *Report
	threads map[string]string // external ID -> story ID, "" for a thread skipped, pending for one not yet stored
	// newThreads wait to be stored together, before the first comment that needs one.
	newThreads []parley.ImportThread
	batch      []parley.ImportComment
	reactions  []parley.ImportReaction
	orphans    map[string]bool
	// authors counts what the run wrote per account, for trust (one entry per author).
	authors map[string]parley.AuthorComments
}

// reactionKey prefixes a reaction's ID among the orphans, which are otherwise comments'.
const reactionKey = "reaction:"

// pending marks a thread read but not yet stored.
const pending = "pending"

// run reads the file once. In the first pass (only == nil) it takes everything; later ones
// take only the comments in only.
func (p *pass) run(n int, open func() (io.ReadCloser, error), only map[string]bool) (map[string]bool, error) {
	f, err := open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, _ := newReader(p.source, f)
	p.orphans = map[string]bool{}
	last := time.Now()
	progress := func() {
		if p.im.o.Progress != nil {
			p.im.o.Progress(Progress{Pass: n, BytesRead: r.offset(), Comments: p.rep.Comments, Imported: p.rep.Imported, Skipped: p.rep.SkippedTotal()})
		}
	}
	for {
		if err := p.ctx.Err(); err != nil {
			return nil, err
		}
		it, err := r.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if ferr := p.flush(); ferr != nil {
				return nil, ferr
			}
			return nil, err
		}
		switch {
		case it.skip != nil && only == nil:
			p.rep.skip(it.skip.id, it.skip.reason)
		case it.thread != nil:
			if err := p.thread(*it.thread, only == nil); err != nil {
				return nil, err
			}
		case it.comment != nil && (only == nil || only[it.comment.id]):
			if err := p.comment(*it.comment, only == nil); err != nil {
				return nil, err
			}
		case it.reaction != nil && (only == nil || only[reactionKey+it.reaction.id]):
			if err := p.reaction(*it.reaction); err != nil {
				return nil, err
			}
		}
		if time.Since(last) >= p.im.o.ProgressEvery {
			last = time.Now()
			progress()
		}
	}
	if err := p.flush(); err != nil {
		return nil, err
	}
	progress()
	return p.orphans, nil
}

// thread maps a thread to its story once.
func (p *pass) thread(t parley.ImportThread, first bool) error {
	if _, ok := p.threads[t.ExternalID]; ok || !first {
		return nil
	}
	u, err := parley.CanonicalStoryURL(t.URL)
	if err != nil || t.ExternalID == "" {
		p.threads[t.ExternalID] = ""
		p.rep.skip(t.ExternalID, "the thread has no usable URL")
		return nil
	}
	t.URL = u
	t.Title = truncate(strings.TrimSpace(t.Title), 300)
	p.threads[t.ExternalID] = pending
	p.newThreads = append(p.newThreads, t)
	if len(p.newThreads) >= p.im.o.BatchSize {
		return p.flushThreads()
	}
	return nil
}

// flushThreads stores the threads read since the last flush.
func (p *pass) flushThreads() error {
	if len(p.newThreads) == 0 {
		return nil
	}
	ids, err := p.im.store.ImportThreads(context.WithoutCancel(p.ctx), p.siteID, p.source, p.newThreads)
	if err != nil {
		return err
	}
	for _, t := range p.newThreads {
		p.threads[t.ExternalID] = ids[t.ExternalID]
		p.rep.Threads++
	}
	p.newThreads = p.newThreads[:0]
	return nil
}

// MaxBodyBytes bounds an imported comment's body; longer ones are skipped.
const MaxBodyBytes = 100 << 10

// comment checks and sanitises a comment and adds it to the batch.
func (p *pass) comment(c comment, first bool) error {
	if first {
		p.rep.Comments++
	}
	storyID, known := p.threads[c.threadID]
	if storyID == pending {
		if err := p.flushThreads(); err != nil {
			return err
		}
		storyID = p.threads[c.threadID]
	}
	switch {
	case c.id == "":
		p.rep.skip("", "the comment has no ID")
		return nil
	case !known:
		p.rep.skip(c.id, "its thread is not in the file")
		return nil
	case storyID == "":
		p.rep.skip(c.id, "its thread was skipped")
		return nil
	case c.createdAt.IsZero():
		p.rep.skip(c.id, "its date is missing or unreadable")
		return nil
	case len(c.html) > MaxBodyBytes:
		p.rep.skip(c.id, fmt.Sprintf("its body is over %d KiB", MaxBodyBytes>>10))
		return nil
	}
	body, source := "", ""
	if c.status != parley.StatusDeleted {
		body = p.im.sanitize.Sanitize(c.html)
		source = c.html
		if strings.TrimSpace(body) == "" {
			p.rep.skip(c.id, "its body is empty once sanitised")
			return nil
		}
	}
	p.batch = append(p.batch, parley.ImportComment{ExternalID: c.id, StoryID: storyID, ParentID: c.parentID,
		Author: c.author, Body: body, BodySource: source, Status: c.status, CreatedAt: c.createdAt})
	if len(p.batch) >= p.im.o.BatchSize {
		return p.flush()
	}
	return nil
}

// reaction adds a reaction to its batch, written after the comments read before it.
func (p *pass) reaction(r reaction) error {
	if r.createdAt.IsZero() {
		r.createdAt = time.Now()
	}
	p.reactions = append(p.reactions, parley.ImportReaction{ExternalID: r.id, CommentID: r.commentID, User: r.user,
		Kind: p.im.o.ReactionKind, CreatedAt: r.createdAt})
	if len(p.reactions) >= p.im.o.BatchSize {
		return p.flush()
	}
	return nil
}

// flush writes the threads, comments and reactions read and not yet stored.
func (p *pass) flush() error {
	if err := p.flushThreads(); err != nil {
		return err
	}
	if err := p.flushComments(); err != nil {
		return err
	}
	if len(p.reactions) == 0 {
		return nil
	}
	res, err := p.im.store.ImportReactions(context.WithoutCancel(p.ctx), p.siteID, p.source, p.reactions)
	if err != nil {
		return err
	}
	p.reactions = p.reactions[:0]
	p.rep.Reactions += res.Imported
	for _, id := range res.Orphans {
		p.orphans[reactionKey+id] = true
	}
	return nil
}

func (p *pass) flushComments() error {
	if len(p.batch) == 0 {
		return nil
	}
	res, err := p.im.store.ImportComments(context.WithoutCancel(p.ctx), p.siteID, p.source, p.batch)
	if err != nil {
		return err
	}
	p.batch = p.batch[:0]
	p.rep.Imported += res.Imported
	for story, n := range res.Stories {
		p.rep.Stories[story] += n
	}
	for id, n := range res.Authors {
		a := p.authors[id]
		a.UserID, a.Published, a.Rejected = id, a.Published+n.Published, a.Rejected+n.Rejected
		p.authors[id] = a
	}
	p.rep.Duplicates += res.Duplicates
	for _, id := range res.Orphans {
		p.orphans[id] = true
	}
	return nil
}

func truncate(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}
