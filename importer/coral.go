package importer

import (
	"encoding/json"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/parleyhq/parley"
)

// Coral Talk (v5 and later) keeps its data in MongoDB collections and has no single export
// file; what a newsroom leaving Coral can produce is `mongoexport --jsonArray` of each
// collection. The coral format is those arrays under one object, named as Coral names the
// collections and in this order:
//
//	{"users": [...], "stories": [...], "comments": [...], "commentActions": [...]}
//
// Each document is Coral's own (the fields read are in coralUser, coralStory, coralComment
// and coralAction), with dates as ISO strings or MongoDB extended JSON ({"$date": ...}).
// Other top-level keys (tenants, sites, …) are skipped. Users must come before the comments
// that name them: the reader keeps each user's name and email (a few dozen bytes per user, the
// only thing that grows with the file) and nothing of stories or comments.

type coralUser struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	Email    string `json:"email"`
	Profiles []struct {
		Type string `json:"type"`
		ID   string `json:"id"`
	} `json:"profiles"`
}

type coralStory struct {
	ID       string `json:"id"`
	URL      string `json:"url"`
	Metadata struct {
		Title string `json:"title"`
	} `json:"metadata"`
	ClosedAt  coralDate `json:"closedAt"`
	CreatedAt coralDate `json:"createdAt"`
}

type coralComment struct {
	ID        string  `json:"id"`
	StoryID   string  `json:"storyID"`
	ParentID  *string `json:"parentID"`
	AuthorID  *string `json:"authorID"`
	Status    string  `json:"status"`
	Revisions []struct {
		Body string `json:"body"`
	} `json:"revisions"`
	CreatedAt coralDate `json:"createdAt"`
	DeletedAt coralDate `json:"deletedAt"`
}

type coralAction struct {
	ID         string    `json:"id"`
	ActionType string    `json:"actionType"`
	CommentID  string    `json:"commentID"`
	UserID     string    `json:"userID"`
	CreatedAt  coralDate `json:"createdAt"`
}

// coralDate is a date as mongoexport writes it ({"$date": "…"} or {"$date": {"$numberLong":
// "ms"}}) or as a plain ISO string; the zero time when absent, null or unreadable.
type coralDate struct{ time.Time }

func (d *coralDate) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	d.Time = coralTime(v)
	return nil
}

func coralTime(v any) time.Time {
	switch v := v.(type) {
	case string:
		return parseTime(v)
	case float64:
		if v > 0 && v < 1e15 {
			return time.UnixMilli(int64(v)).UTC()
		}
	case map[string]any:
		if d, ok := v["$date"]; ok {
			return coralTime(d)
		}
		if n, ok := v["$numberLong"].(string); ok {
			var ms float64
			if json.Unmarshal([]byte(n), &ms) == nil {
				return coralTime(ms)
			}
		}
	}
	return time.Time{}
}

// coralStatus maps Coral's comment statuses to Parley's: NONE (no moderation needed) and
// APPROVED are published, PREMOD and SYSTEM_WITHHELD wait for a moderator, REJECTED stays
// rejected.
var coralStatus = map[string]parley.CommentStatus{
	"NONE":            parley.StatusPublished,
	"APPROVED":        parley.StatusPublished,
	"PREMOD":          parley.StatusPending,
	"SYSTEM_WITHHELD": parley.StatusPending,
	"REJECTED":        parley.StatusRejected,
}

// coral reads the coral format with the JSON decoder's tokens: one document at a time, so
// memory does not grow with the number of comments.
type coral struct {
	b       *budget
	d       *json.Decoder
	state   int // 0 before the object, 1 between keys, 2 inside an array, 3 after the object
	section string
	users   map[string]parley.ImportAuthor
}

func newCoral(r io.Reader) *coral {
	b := &budget{r: r, left: MaxElementBytes}
	return &coral{b: b, d: json.NewDecoder(b), users: map[string]parley.ImportAuthor{}}
}

func (c *coral) offset() int64 { return c.d.InputOffset() }

func (c *coral) next() (item, error) {
	for {
		switch c.state {
		case 0:
			tok, err := c.token()
			if errors.Is(err, io.EOF) {
				return item{}, parley.Errorf(parley.EINVALID, "The file is empty.")
			}
			if err != nil {
				return item{}, err
			}
			if tok != json.Delim('{') {
				return item{}, parley.Errorf(parley.EINVALID, `This is not a Coral export: it must be one JSON object, {"users": [...], "stories": [...], "comments": [...]}.`)
			}
			c.state = 1
		case 1:
			if !c.d.More() {
				if _, err := c.token(); err != nil { // the closing brace
					return item{}, err
				}
				c.state = 3
				continue
			}
			tok, err := c.token()
			if err != nil {
				return item{}, err
			}
			key, _ := tok.(string)
			switch key {
			case "users", "stories", "comments", "commentActions":
				tok, err := c.token()
				if err != nil {
					return item{}, err
				}
				if tok != json.Delim('[') {
					return item{}, parley.Errorf(parley.EINVALID, "The file's %q must be an array (byte %d).", key, c.d.InputOffset())
				}
				c.section, c.state = key, 2
			default:
				var skip json.RawMessage
				if err := c.decode(&skip); err != nil {
					return item{}, err
				}
			}
		case 2:
			if !c.d.More() {
				if _, err := c.token(); err != nil { // the closing bracket
					return item{}, err
				}
				c.state = 1
				continue
			}
			it, ok, err := c.element()
			if err != nil || ok {
				return it, err
			}
		case 3:
			if _, err := c.token(); !errors.Is(err, io.EOF) {
				if err == nil {
					err = parley.Errorf(parley.EINVALID, "The file goes on after its object (byte %d).", c.d.InputOffset())
				}
				return item{}, err
			}
			return item{}, io.EOF
		}
	}
}

// element reads one document of the current section; ok is false for a user, which yields
// no item.
func (c *coral) element() (item, bool, error) {
	switch c.section {
	case "users":
		var u coralUser
		if err := c.decode(&u); err != nil {
			return item{}, false, err
		}
		email := u.Email
		for _, p := range u.Profiles {
			if email == "" && p.Type == "local" {
				email = p.ID
			}
		}
		if id := strings.TrimSpace(u.ID); id != "" {
			c.users[id] = parley.ImportAuthor{ExternalID: "user:" + id, Name: strings.TrimSpace(u.Username), Email: strings.TrimSpace(email)}
		}
		return item{}, false, nil
	case "stories":
		var s coralStory
		if err := c.decode(&s); err != nil {
			return item{}, false, err
		}
		closed := !s.ClosedAt.IsZero() && s.ClosedAt.Before(time.Now())
		return item{thread: &parley.ImportThread{ExternalID: strings.TrimSpace(s.ID), URL: strings.TrimSpace(s.URL),
			Title: s.Metadata.Title, Closed: closed, CreatedAt: s.CreatedAt.Time}}, true, nil
	case "comments":
		var cc coralComment
		if err := c.decode(&cc); err != nil {
			return item{}, false, err
		}
		id := strings.TrimSpace(cc.ID)
		status, known := coralStatus[cc.Status]
		if !known {
			return item{skip: &skipped{id: id, reason: "its status is not one Coral writes"}}, true, nil
		}
		out := &comment{id: id, threadID: strings.TrimSpace(cc.StoryID), status: status, createdAt: cc.CreatedAt.Time}
		if cc.ParentID != nil {
			out.parentID = strings.TrimSpace(*cc.ParentID)
		}
		if n := len(cc.Revisions); n > 0 {
			out.html = cc.Revisions[n-1].Body // the last revision is the comment as shown
		}
		if !cc.DeletedAt.IsZero() {
			out.status = parley.StatusDeleted
		}
		if cc.AuthorID != nil && strings.TrimSpace(*cc.AuthorID) != "" {
			out.author = c.author(strings.TrimSpace(*cc.AuthorID))
		}
		return item{comment: out}, true, nil
	default: // commentActions
		var a coralAction
		if err := c.decode(&a); err != nil {
			return item{}, false, err
		}
		id := strings.TrimSpace(a.ID)
		switch {
		case a.ActionType != "REACTION":
			return item{skip: &skipped{id: id, reason: "flags and other actions than reactions are not imported"}}, true, nil
		case id == "" || strings.TrimSpace(a.CommentID) == "" || strings.TrimSpace(a.UserID) == "":
			return item{skip: &skipped{id: id, reason: "the reaction names no comment or user"}}, true, nil
		}
		return item{reaction: &reaction{id: id, commentID: strings.TrimSpace(a.CommentID), user: c.author(strings.TrimSpace(a.UserID)),
			createdAt: a.CreatedAt.Time}}, true, nil
	}
}

// author is a user read before, or one known only by ID (whose account gets a made-up name).
func (c *coral) author(id string) parley.ImportAuthor {
	if a, ok := c.users[id]; ok {
		return a
	}
	return parley.ImportAuthor{ExternalID: "user:" + id}
}

func (c *coral) token() (json.Token, error) {
	c.b.left = MaxElementBytes
	tok, err := c.d.Token()
	return tok, c.explain(err)
}

func (c *coral) decode(v any) error {
	c.b.left = MaxElementBytes
	return c.explain(c.d.Decode(v))
}

// explain says where and how the file is broken.
func (c *coral) explain(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case err == nil, errors.Is(err, io.EOF) && c.state == 3:
		return err
	case errors.Is(err, io.EOF) && c.state == 0:
		return err
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return parley.Errorf(parley.EINVALID, "The file ends at byte %d in the middle of its %s: it is truncated.", c.d.InputOffset(), or(c.section, "object"))
	case errors.Is(err, errElementTooLarge):
		return parley.Errorf(parley.EINVALID, "The file has a document longer than %d MiB near byte %d.", MaxElementBytes>>20, c.d.InputOffset())
	case errors.As(err, &syn):
		return parley.Errorf(parley.EINVALID, "The file is not valid JSON near byte %d: %s.", syn.Offset, syn.Error())
	case errors.As(err, &typ):
		return parley.Errorf(parley.EINVALID, "The file has a %s where a %s belongs (field %q of %s, byte %d).", typ.Value, typ.Type, typ.Field, or(c.section, "the object"), typ.Offset)
	}
	return parley.Errorf(parley.EINVALID, "The file cannot be read near byte %d: %s.", c.d.InputOffset(), err.Error())
}

func or(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}
