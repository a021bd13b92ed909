package importer

import (
	"encoding/xml"
	"io"
	"strings"
	"time"

	"github.com/parleyhq/parley"
)

// disqusThread and disqusPost are the parts of a Disqus export's <thread> and <post> the
// import keeps (https://help.disqus.com/en/articles/1717164-comments-export).
type disqusThread struct {
	ID        string       `xml:"id,attr"`
	Link      string       `xml:"link"`
	Title     string       `xml:"title"`
	CreatedAt string       `xml:"createdAt"`
	IsClosed  bool         `xml:"isClosed"`
	Author    disqusAuthor `xml:"author"`
}

type disqusPost struct {
	ID        string       `xml:"id,attr"`
	Message   string       `xml:"message"`
	CreatedAt string       `xml:"createdAt"`
	IsDeleted bool         `xml:"isDeleted"`
	IsSpam    bool         `xml:"isSpam"`
	Author    disqusAuthor `xml:"author"`
	Thread    disqusRef    `xml:"thread"`
	Parent    disqusRef    `xml:"parent"`
}

type disqusAuthor struct {
	Name        string `xml:"name"`
	Email       string `xml:"email"`
	Username    string `xml:"username"`
	IsAnonymous bool   `xml:"isAnonymous"`
}

type disqusRef struct {
	ID string `xml:"id,attr"`
}

// disqus reads a Disqus XML export: categories (ignored), threads, then posts.
type disqus struct {
	*xmlStream
	depth int
}

func newDisqus(r io.Reader) *disqus { return &disqus{xmlStream: newXMLStream(r)} }

func (d *disqus) next() (item, error) {
	for {
		tok, err := d.token()
		if err != nil {
			return item{}, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if d.depth == 0 {
				if t.Name.Local != "disqus" {
					return item{}, parley.Errorf(parley.EINVALID, "This is not a Disqus export: its root element is <%s>, not <disqus>.", t.Name.Local)
				}
				d.depth++
				continue
			}
			switch t.Name.Local {
			case "thread":
				var th disqusThread
				if err := d.decode(&th, t); err != nil {
					return item{}, err
				}
				return item{thread: &parley.ImportThread{ExternalID: strings.TrimSpace(th.ID), URL: strings.TrimSpace(th.Link),
					Title: th.Title, Closed: th.IsClosed, CreatedAt: parseTime(th.CreatedAt)}}, nil
			case "post":
				var p disqusPost
				if err := d.decode(&p, t); err != nil {
					return item{}, err
				}
				return item{comment: p.comment()}, nil
			default:
				if err := d.skip(); err != nil {
					return item{}, err
				}
			}
		case xml.EndElement:
			d.depth--
		}
	}
}

func (p disqusPost) comment() *comment {
	c := &comment{id: strings.TrimSpace(p.ID), threadID: strings.TrimSpace(p.Thread.ID), parentID: strings.TrimSpace(p.Parent.ID),
		html: p.Message, status: parley.StatusPublished, createdAt: parseTime(p.CreatedAt)}
	switch {
	case p.IsSpam:
		c.status = parley.StatusRejected
	case p.IsDeleted:
		c.status = parley.StatusDeleted
	}
	a := p.Author
	c.author = parley.ImportAuthor{Name: strings.TrimSpace(a.Name), Email: strings.TrimSpace(a.Email)}
	switch {
	case a.Username != "" && !a.IsAnonymous:
		c.author.ExternalID = "user:" + strings.TrimSpace(a.Username)
	case a.Email != "":
		c.author.ExternalID = "anon:" + strings.ToLower(strings.TrimSpace(a.Email))
	case a.Name != "":
		c.author.ExternalID = "anon-name:" + strings.TrimSpace(a.Name)
	}
	return c
}

// parseTime reads the times exports write: RFC 3339, or WordPress's "2006-01-02 15:04:05"
// (UTC); the zero time when it is neither.
func parseTime(s string) time.Time {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil && t.Year() > 1970 {
			return t.UTC()
		}
	}
	return time.Time{}
}
