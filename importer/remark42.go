package importer

import (
	"encoding/json"
	"errors"
	"io"
	"strings"

	"github.com/parleyhq/parley"
)

// remark42Comment is one line of a remark42 backup after its first (store.Comment).
type remark42Comment struct {
	ID     string `json:"id"`
	PID    string `json:"pid"`
	Text   string `json:"text"`
	Orig   string `json:"orig"`
	Time   string `json:"time"`
	Delete bool   `json:"delete"`
	Title  string `json:"title"`
	User   struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"user"`
	Locator struct {
		URL string `json:"url"`
	} `json:"locator"`
}

// remark42 reads a remark42 backup: a first JSON line with the version, users and posts
// (read-only ones are closed threads), then one comment per line. A thread is the comment's
// URL (locator.url).
type remark42 struct {
	b      *budget
	d      *json.Decoder
	queued []item
	begun  bool
}

func newRemark42(r io.Reader) *remark42 {
	b := &budget{r: r, left: MaxElementBytes}
	return &remark42{b: b, d: json.NewDecoder(b)}
}

func (r *remark42) offset() int64 { return r.d.InputOffset() }

func (r *remark42) next() (item, error) {
	if len(r.queued) > 0 {
		it := r.queued[0]
		r.queued = r.queued[1:]
		return it, nil
	}
	if !r.begun {
		r.begun = true
		var meta struct {
			Version *int `json:"version"`
			Posts   []struct {
				URL      string `json:"url"`
				ReadOnly bool   `json:"read_only"`
			} `json:"posts"`
		}
		if err := r.decode(&meta); err != nil {
			if errors.Is(err, io.EOF) {
				return item{}, parley.Errorf(parley.EINVALID, "The file is empty.")
			}
			return item{}, err
		}
		if meta.Version == nil || *meta.Version != 1 {
			return item{}, parley.Errorf(parley.EINVALID, "This is not a remark42 backup of version 1: its first line must be {\"version\":1,…}.")
		}
		for _, p := range meta.Posts {
			if p.ReadOnly {
				u := strings.TrimSpace(p.URL)
				r.queued = append(r.queued, item{thread: &parley.ImportThread{ExternalID: u, URL: u, Closed: true}})
			}
		}
		return r.next()
	}
	var c remark42Comment
	if err := r.decode(&c); err != nil {
		return item{}, err
	}
	u := strings.TrimSpace(c.Locator.URL)
	at := parseTime(c.Time)
	out := &comment{id: strings.TrimSpace(c.ID), threadID: u, parentID: strings.TrimSpace(c.PID), html: c.Text,
		status: parley.StatusPublished, createdAt: at,
		author: parley.ImportAuthor{Name: strings.TrimSpace(c.User.Name)}}
	if c.Delete {
		out.status = parley.StatusDeleted
	}
	if id := strings.TrimSpace(c.User.ID); id != "" {
		out.author.ExternalID = "user:" + id
	}
	r.queued = append(r.queued, item{comment: out})
	return item{thread: &parley.ImportThread{ExternalID: u, URL: u, Title: c.Title, CreatedAt: at}}, nil
}

// decode reads the next JSON value within the element budget, with errors said as where the
// file is broken.
func (r *remark42) decode(v any) error {
	r.b.left = MaxElementBytes
	err := r.d.Decode(v)
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case err == nil, errors.Is(err, io.EOF):
		return err
	case errors.Is(err, io.ErrUnexpectedEOF):
		return parley.Errorf(parley.EINVALID, "The file ends in the middle of a line (byte %d): it is truncated.", r.d.InputOffset())
	case errors.Is(err, errElementTooLarge):
		return parley.Errorf(parley.EINVALID, "The file has a line longer than %d MiB near byte %d.", MaxElementBytes>>20, r.d.InputOffset())
	case errors.As(err, &syn):
		return parley.Errorf(parley.EINVALID, "The file is not valid JSON near byte %d: %s.", syn.Offset, syn.Error())
	case errors.As(err, &typ):
		return parley.Errorf(parley.EINVALID, "The file has a %s where a %s belongs (field %q, byte %d).", typ.Value, typ.Type, typ.Field, typ.Offset)
	}
	return parley.Errorf(parley.EINVALID, "The file cannot be read near byte %d: %s.", r.d.InputOffset(), err.Error())
}
