package parley

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"strconv"
	"time"
)

// Cursor marks a position in a sorted list of comments (or of stories, newest first): the
// sort key of the last item seen and its ID as the tie-breaker, so the next page is a range
// scan on an index.
type Cursor struct {
	Order CommentOrder `json:"o"`
	// Count is the reply or reaction count for the MOST_* orders.
	Count int       `json:"c,omitempty"`
	Time  time.Time `json:"t"`
	ID    string    `json:"i"`
}

// CursorFor returns the cursor that follows c in order o.
func CursorFor(o CommentOrder, c *Comment) Cursor {
	cur := Cursor{Order: o, Time: c.CreatedAt, ID: c.ID}
	switch o {
	case OrderMostReplies:
		cur.Count = c.SharedReplyCount
	case OrderMostReactions:
		cur.Count = c.ReactionCount
	}
	return cur
}

// CursorForStory returns the cursor that follows st in a list of stories, newest first.
func CursorForStory(st *Story) Cursor {
	return Cursor{Order: OrderNewest, Time: st.CreatedAt, ID: st.ID}
}

// Encode returns the cursor as an opaque string.
func (c Cursor) Encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// AppendEncode appends what Encode returns to dst, without allocating: a page writes a
// hundred cursors. A cursor that JSON would write with escapes, or whose time it refuses,
// is encoded by Encode.
func (c Cursor) AppendEncode(dst []byte) []byte {
	_, offset := c.Time.Zone()
	if y := c.Time.Year(); y < 0 || y > 9999 || offset <= -24*3600 || offset >= 24*3600 ||
		len(c.Order)+len(c.ID) > 64 || !plainJSON(string(c.Order)) || !plainJSON(c.ID) {
		return append(dst, c.Encode()...)
	}
	var scratch [160]byte
	b := append(scratch[:0], `{"o":"`...)
	b = append(b, c.Order...)
	b = append(b, '"')
	if c.Count != 0 {
		b = append(b, `,"c":`...)
		b = strconv.AppendInt(b, int64(c.Count), 10)
	}
	b = append(b, `,"t":"`...)
	b = c.Time.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","i":"`...)
	b = append(b, c.ID...)
	b = append(b, `"}`...)
	return base64.RawURLEncoding.AppendEncode(dst, b)
}

// plainJSON tells whether encoding/json writes s between quotes as it is: printable ASCII
// without the quote, the backslash and the characters it escapes for HTML.
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}

// MaxCursorLength bounds what DecodeCursor will look at.
const MaxCursorLength = 256

// The range of every field a cursor may carry. A cursor comes back from the client, so it is
// input like any other: each field is checked against what a cursor we made could hold, and
// so against what the column it is compared with can store (counts are int4; times are
// timestamps the database and JSON both write with four-digit years).
var (
	MinCursorTime = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	MaxCursorTime = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
)

// MaxCursorCount is the largest reply or reaction count a cursor may carry: the largest
// value of the int4 column it is compared with.
const MaxCursorCount = math.MaxInt32

// DecodeCursor parses a cursor from a client, which must have been made for order o. Every
// field must be in range (see MinCursorTime, MaxCursorCount); a count is allowed only for
// the MOST_* orders, which sort by it.
func DecodeCursor(s string, o CommentOrder) (*Cursor, error) {
	bad := FieldErrorf("after", "The cursor is not valid; start again from the first page.")
	if len(s) > MaxCursorLength {
		return nil, bad
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, bad
	}
	var c Cursor
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, bad
	}
	if c.Order != o || !o.Valid() || !IsID(c.ID) || !c.inRange() {
		return nil, bad
	}
	return &c, nil
}

// inRange reports whether every field holds a value a cursor of its order could hold.
func (c Cursor) inRange() bool {
	if c.Time.Before(MinCursorTime) || c.Time.After(MaxCursorTime) {
		return false
	}
	switch c.Order {
	case OrderMostReplies, OrderMostReactions:
		return c.Count >= 0 && c.Count <= MaxCursorCount
	default:
		return c.Count == 0
	}
}

// IsID reports whether s has the shape of an ID (a UUID in canonical form).
func IsID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
				return false
			}
		}
	}
	return true
}
