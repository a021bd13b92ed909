package importer

import (
	"encoding/xml"
	"io"
	"strings"

	"github.com/parleyhq/parley"
)

// wxrComment is a WordPress export's <wp:comment>.
type wxrComment struct {
	ID          string `xml:"comment_id"`
	Author      string `xml:"comment_author"`
	AuthorEmail string `xml:"comment_author_email"`
	Date        string `xml:"comment_date"`
	DateGMT     string `xml:"comment_date_gmt"`
	Content     string `xml:"comment_content"`
	Approved    string `xml:"comment_approved"`
	Type        string `xml:"comment_type"`
	Parent      string `xml:"comment_parent"`
	UserID      string `xml:"comment_user_id"`
}

// wxr reads a WordPress eXtended RSS file: each <item> is a post (a thread) whose
// <wp:comment> elements are read one at a time, so a post with many comments is not held
// whole.
type wxr struct {
	*xmlStream
	depth  int
	inItem bool
	thread parley.ImportThread
	sent   bool // the item's thread was returned
	queued *comment
}

func newWXR(r io.Reader) *wxr { return &wxr{xmlStream: newXMLStream(r)} }

func (w *wxr) next() (item, error) {
	if c := w.queued; c != nil {
		w.queued = nil
		return item{comment: c}, nil
	}
	for {
		tok, err := w.token()
		if err != nil {
			return item{}, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if w.depth == 0 && t.Name.Local != "rss" {
				return item{}, parley.Errorf(parley.EINVALID, "This is not a WordPress export: its root element is <%s>, not <rss>.", t.Name.Local)
			}
			if w.depth == 2 && t.Name.Local == "item" {
				w.inItem, w.sent, w.thread = true, false, parley.ImportThread{}
			}
			if w.depth < 3 || !w.inItem {
				w.depth++
				continue
			}
			it, err := w.itemChild(t)
			if err != nil || it != nil {
				return deref(it), err
			}
		case xml.EndElement:
			w.depth--
			if w.depth == 2 && w.inItem {
				w.inItem = false
			}
		}
	}
}

func deref(it *item) item {
	if it == nil {
		return item{}
	}
	return *it
}

// itemChild reads one child element of an <item>, returning what it yields, if anything.
func (w *wxr) itemChild(t xml.StartElement) (*item, error) {
	var text string
	switch t.Name.Local {
	case "title", "link", "post_id", "post_date_gmt", "comment_status":
		if err := w.decode(&text, t); err != nil {
			return nil, err
		}
		text = strings.TrimSpace(text)
		switch t.Name.Local {
		case "title":
			w.thread.Title = text
		case "link":
			w.thread.URL = text
		case "post_id":
			w.thread.ExternalID = text
		case "post_date_gmt":
			w.thread.CreatedAt = parseTime(text)
		case "comment_status":
			w.thread.Closed = text == "closed"
		}
		return nil, nil
	case "comment":
		var wc wxrComment
		if err := w.decode(&wc, t); err != nil {
			return nil, err
		}
		if wc.Type == "pingback" || wc.Type == "trackback" {
			return &item{skip: &skipped{id: strings.TrimSpace(wc.ID), reason: "pingbacks and trackbacks are not comments"}}, nil
		}
		c := wc.comment(w.thread.ExternalID)
		if !w.sent {
			w.sent = true
			th := w.thread
			w.queued = c
			return &item{thread: &th}, nil
		}
		return &item{comment: c}, nil
	}
	return nil, w.skip()
}

func (wc wxrComment) comment(threadID string) *comment {
	c := &comment{id: strings.TrimSpace(wc.ID), threadID: threadID, html: autop(wc.Content), createdAt: parseTime(wc.DateGMT)}
	if c.createdAt.IsZero() {
		c.createdAt = parseTime(wc.Date)
	}
	if p := strings.TrimSpace(wc.Parent); p != "0" {
		c.parentID = p
	}
	switch strings.TrimSpace(wc.Approved) {
	case "1":
		c.status = parley.StatusPublished
	case "spam":
		c.status = parley.StatusRejected
	case "trash", "post-trashed":
		c.status = parley.StatusDeleted
	default:
		c.status = parley.StatusPending
	}
	c.author = parley.ImportAuthor{Name: strings.TrimSpace(wc.Author), Email: strings.TrimSpace(wc.AuthorEmail)}
	switch uid := strings.TrimSpace(wc.UserID); {
	case uid != "" && uid != "0":
		c.author.ExternalID = "user:" + uid
	case c.author.Email != "":
		c.author.ExternalID = "anon:" + strings.ToLower(c.author.Email)
	case c.author.Name != "":
		c.author.ExternalID = "anon-name:" + c.author.Name
	}
	return c
}

// autop gives WordPress's plain comment text its paragraphs, as WordPress shows it: blank
// lines part paragraphs, single line breaks stay. Text with its own paragraphs is kept. The
// text is HTML already (WordPress stores comments so); the sanitiser decides what stays.
func autop(s string) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	if strings.Contains(s, "<p>") || strings.Contains(s, "<p ") {
		return s
	}
	var b strings.Builder
	for _, para := range strings.Split(s, "\n\n") {
		if para = strings.TrimSpace(para); para != "" {
			b.WriteString("<p>" + strings.ReplaceAll(para, "\n", "<br>") + "</p>")
		}
	}
	return b.String()
}
