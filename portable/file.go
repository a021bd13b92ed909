// Package portable moves a whole site between instances: it writes a site, with everything
// its community made (stories, threads, statuses, revisions, reactions, reports, the
// accounts that took part, sanctions, moderators' notes, word lists, rules and trust levels),
// as one streaming JSON file, and reads such a file into a new or empty site on another
// instance, in bounded batches, idempotently: every record is keyed by its ID in the source,
// so a run that stopped half-way is finished by running it again.
package portable

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/parleyhq/parley"
)

// newRecord makes the value a record of each section decodes into.
var newRecord = map[string]func() any{
	"users":       func() any { return new(parley.PortableUser) },
	"stories":     func() any { return new(parley.PortableStory) },
	"comments":    func() any { return new(parley.PortableComment) },
	"revisions":   func() any { return new(parley.PortableRevision) },
	"reactions":   func() any { return new(parley.PortableReaction) },
	"reports":     func() any { return new(parley.PortableReport) },
	"sanctions":   func() any { return new(parley.PortableSanction) },
	"notes":       func() any { return new(parley.PortableNote) },
	"wordLists":   func() any { return new(parley.PortableWordList) },
	"rules":       func() any { return new(parley.PortableRule) },
	"trustLevels": func() any { return new(parley.PortableTrustLevel) },
}

// end is the file's last member: the number of records of each section, so a reader can
// tell a complete file from one cut short.
type end struct {
	Counts map[string]int `json:"counts"`
}

// invalid is the error for a file that cannot be read, saying where.
func invalid(offset int64, format string, args ...any) error {
	return parley.FieldErrorf("file", "The site file is not valid at byte %d: %s.", offset, fmt.Sprintf(format, args...))
}

// badUTF8 is what utf8Reader returns at the first byte that is not UTF-8.
type badUTF8 struct{ offset int64 }

func (e *badUTF8) Error() string { return fmt.Sprintf("invalid UTF-8 at byte %d", e.offset) }

// utf8Reader passes a stream through unchanged and fails at its first invalid UTF-8
// sequence: encoding/json would otherwise turn it silently into U+FFFD.
type utf8Reader struct {
	r     io.Reader
	base  int64 // the stream offset of carry[0]
	carry []byte
	buf   []byte
	// readErr is the reader's own failure (a disk error), which is not the file's fault.
	readErr error
}

func (u *utf8Reader) Read(p []byte) (int, error) {
	n, err := u.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		u.readErr = err
	}
	u.buf = append(append(u.buf[:0], u.carry...), p[:n]...)
	i := 0
	for i < len(u.buf) {
		if u.buf[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(u.buf[i:])
		if r == utf8.RuneError && size <= 1 {
			if !utf8.FullRune(u.buf[i:]) && err == nil {
				break // the rest of the sequence comes with the next read
			}
			return 0, &badUTF8{offset: u.base + int64(i)}
		}
		i += size
	}
	u.carry = append(u.carry[:0], u.buf[i:]...)
	u.base += int64(i)
	return n, err
}

// visitor receives what a walk reads.
type visitor struct {
	site   func(parley.PortableSite, int64) error
	record func(section string, rec any, offset int64) error
}

// walk reads a site file from r, checking its shape, version, order and counts, and calls v
// for the site and every record in order. Any fault is an EINVALID error naming its byte.
func walk(r io.Reader, v visitor) error {
	ur := &utf8Reader{r: bufio.NewReaderSize(r, 64<<10)}
	dec := json.NewDecoder(ur)
	fail := func(err error) error {
		var bad *badUTF8
		var syntax *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &bad):
			return invalid(bad.offset, "the text is not UTF-8")
		case errors.As(err, &syntax):
			return invalid(syntax.Offset, "%s", syntax.Error())
		case errors.As(err, &typ):
			return invalid(typ.Offset, "%s has the wrong type", orDefault(typ.Field, "a value"))
		case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
			return invalid(dec.InputOffset(), "the file ends too soon (is it truncated?)")
		case ur.readErr != nil || parley.ErrorCode(err) == parley.EINVALID:
			return err
		}
		// Any other decoding failure is a value the file got wrong (a time that is not one).
		return invalid(dec.InputOffset(), "%v", err)
	}
	if err := expectDelim(dec, '{'); err != nil {
		return fail(err)
	}
	var format string
	version := -1
	haveSite, haveEnd := false, false
	counts := map[string]int{}
	next := 0 // the index in SiteSections of the first section that may still come
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fail(err)
		}
		key, _ := tok.(string)
		at := dec.InputOffset()
		if haveEnd {
			return invalid(at, "%q comes after the end", key)
		}
		if key != "format" && key != "version" && key != "exportedAt" && (format != parley.SiteFileFormat || version < 0) {
			return invalid(at, "the file must start with \"format\": %q and \"version\"", parley.SiteFileFormat)
		}
		switch key {
		case "format":
			if err := dec.Decode(&format); err != nil {
				return fail(err)
			}
			if format != parley.SiteFileFormat {
				return invalid(at, "the format is %q, not %q", format, parley.SiteFileFormat)
			}
		case "version":
			if err := dec.Decode(&version); err != nil {
				return fail(err)
			}
			if version != parley.SiteFileVersion {
				return invalid(at, "the file is version %d; this Parley reads version %d", version, parley.SiteFileVersion)
			}
		case "site":
			var s parley.PortableSite
			if err := dec.Decode(&s); err != nil {
				return fail(err)
			}
			if !parley.IsID(s.ID) || strings.TrimSpace(s.Name) == "" {
				return invalid(at, "the site needs an id and a name")
			}
			haveSite = true
			if err := v.site(s, at); err != nil {
				return err
			}
		case "end":
			var e end
			if err := dec.Decode(&e); err != nil {
				return fail(err)
			}
			for _, s := range parley.SiteSections {
				if e.Counts[s] != counts[s] {
					return invalid(at, "the end counts %d %s but the file holds %d", e.Counts[s], s, counts[s])
				}
			}
			haveEnd = true
		default:
			i := slices.Index(parley.SiteSections, key)
			if i < 0 {
				var skip json.RawMessage // a member of a later minor version: not ours to read
				if err := dec.Decode(&skip); err != nil {
					return fail(err)
				}
				continue
			}
			if !haveSite || i < next {
				return invalid(at, "the section %q is out of order (the order is site, %s)", key, strings.Join(parley.SiteSections, ", "))
			}
			next = i + 1
			if err := expectDelim(dec, '['); err != nil {
				return fail(err)
			}
			for dec.More() {
				rec := newRecord[key]()
				if err := dec.Decode(rec); err != nil {
					return fail(err)
				}
				counts[key]++
				if err := v.record(key, rec, dec.InputOffset()); err != nil {
					return err
				}
			}
			if err := expectDelim(dec, ']'); err != nil {
				return fail(err)
			}
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return fail(err)
	}
	if !haveEnd {
		return invalid(dec.InputOffset(), "the file has no \"end\" (is it truncated?)")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if err == nil {
			return invalid(dec.InputOffset(), "something follows the end of the file")
		}
		return fail(err)
	}
	return nil
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return invalid(dec.InputOffset(), "expected %q", string(want))
	}
	return nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
