package parley_test

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley"
)

// TestCursorRoundTrip also checks that a MOST_REPLIES cursor carries the count the order sorts
// by, the one every reader shares, not the caller's own (which adds their hidden replies).
func TestCursorRoundTrip(t *testing.T) {
	c := &parley.Comment{ID: "0190a0a0-0000-7000-8000-000000000001", CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 123456000, time.UTC),
		ReplyCount: 9, SharedReplyCount: 7}
	cur := parley.CursorFor(parley.OrderMostReplies, c)
	got, err := parley.DecodeCursor(cur.Encode(), parley.OrderMostReplies)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != c.ID || got.Count != 7 || !got.Time.Equal(c.CreatedAt) {
		t.Fatalf("decoded %+v", got)
	}
}

// rawCursor encodes a hand-written cursor, as a client crafting one would.
func rawCursor(json string) string { return base64.RawURLEncoding.EncodeToString([]byte(json)) }

// craftedCursors are cursors a client made by hand, one per field out of its range, each
// meant for the order it names: the cases the fuzz target starts from too.
var craftedCursors = map[string]struct {
	s     string
	order parley.CommentOrder
}{
	"a count beyond int4":         {rawCursor(`{"o":"MOST_REPLIES","c":9999999999,"t":"2026-01-01T00:00:00Z","i":"0190a0a0-0000-7000-8000-000000000001"}`), parley.OrderMostReplies},
	"a count one beyond int4":     {rawCursor(`{"o":"MOST_REACTIONS","c":2147483648,"t":"2026-01-01T00:00:00Z","i":"0190a0a0-0000-7000-8000-000000000001"}`), parley.OrderMostReactions},
	"a count beyond int64":        {rawCursor(`{"o":"MOST_REPLIES","c":99999999999999999999,"t":"2026-01-01T00:00:00Z","i":"0190a0a0-0000-7000-8000-000000000001"}`), parley.OrderMostReplies},
	"a negative count":            {rawCursor(`{"o":"MOST_REPLIES","c":-1,"t":"2026-01-01T00:00:00Z","i":"0190a0a0-0000-7000-8000-000000000001"}`), parley.OrderMostReplies},
	"a fractional count":          {rawCursor(`{"o":"MOST_REPLIES","c":1.5,"t":"2026-01-01T00:00:00Z","i":"0190a0a0-0000-7000-8000-000000000001"}`), parley.OrderMostReplies},
	"a count in an order without": {rawCursor(`{"o":"NEWEST","c":3,"t":"2026-01-01T00:00:00Z","i":"0190a0a0-0000-7000-8000-000000000001"}`), parley.OrderNewest},
	"a time in year 1":            {rawCursor(`{"o":"OLDEST","t":"0001-01-01T00:00:01Z","i":"0190a0a0-0000-7000-8000-000000000001"}`), parley.OrderOldest},
	"a time before 1970":          {rawCursor(`{"o":"NEWEST","t":"1969-12-31T23:59:59Z","i":"0190a0a0-0000-7000-8000-000000000001"}`), parley.OrderNewest},
	"a time with a huge offset":   {rawCursor(`{"o":"NEWEST","t":"9999-12-31T23:59:59-23:59","i":"0190a0a0-0000-7000-8000-000000000001"}`), parley.OrderNewest},
	"no time":                     {rawCursor(`{"o":"NEWEST","i":"0190a0a0-0000-7000-8000-000000000001"}`), parley.OrderNewest},
	"an uppercase ID":             {rawCursor(`{"o":"NEWEST","t":"2026-01-01T00:00:00Z","i":"0190A0A0-0000-7000-8000-000000000001"}`), parley.OrderNewest},
	"an unknown order":            {rawCursor(`{"o":"RANDOM","t":"2026-01-01T00:00:00Z","i":"0190a0a0-0000-7000-8000-000000000001"}`), parley.CommentOrder("RANDOM")},
	"JSON null":                   {rawCursor(`null`), parley.OrderNewest},
	"a JSON array":                {rawCursor(`[1,2,3]`), parley.OrderNewest},
}

func TestDecodeCursorRefuses(t *testing.T) {
	good := parley.CursorFor(parley.OrderNewest, &parley.Comment{ID: "0190a0a0-0000-7000-8000-000000000001", CreatedAt: time.Now()}).Encode()
	cases := map[string]struct {
		s     string
		order parley.CommentOrder
	}{
		"another order's cursor": {good, parley.OrderOldest},
		"not base64":             {"!!!", parley.OrderNewest},
		"not JSON":               {"bm90IGpzb24", parley.OrderNewest},
		"bad ID":                 {"eyJvIjoiTkVXRVNUIiwidCI6IjIwMjYtMDEtMDFUMDA6MDA6MDBaIiwiaSI6IngifQ", parley.OrderNewest},
		"too long":               {strings.Repeat("A", parley.MaxCursorLength+1), parley.OrderNewest},
		"empty":                  {"", parley.OrderNewest},
	}
	for name, tc := range craftedCursors {
		cases[name] = tc
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := parley.DecodeCursor(tc.s, tc.order); parley.ErrorCode(err) != parley.EINVALID {
				t.Fatalf("err = %v, want EINVALID", err)
			}
		})
	}
}

func TestDecodeCursorAcceptsTheEdgesOfItsRanges(t *testing.T) {
	for name, c := range map[string]parley.Cursor{
		"the largest count": {Order: parley.OrderMostReplies, Count: parley.MaxCursorCount, Time: time.Unix(1700000000, 0), ID: "0190a0a0-0000-7000-8000-000000000001"},
		"the earliest time": {Order: parley.OrderOldest, Time: parley.MinCursorTime, ID: "0190a0a0-0000-7000-8000-000000000001"},
		"the latest time":   {Order: parley.OrderNewest, Time: parley.MaxCursorTime, ID: "0190a0a0-0000-7000-8000-000000000001"},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := parley.DecodeCursor(c.Encode(), c.Order); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// FuzzDecodeCursor checks that any string either decodes to a cursor that survives a round
// trip or is refused as EINVALID, and never panics.
func FuzzDecodeCursor(f *testing.F) {
	f.Add(parley.CursorFor(parley.OrderNewest, &parley.Comment{ID: "0190a0a0-0000-7000-8000-000000000001", CreatedAt: time.Unix(1700000000, 0)}).Encode())
	f.Add(parley.CursorFor(parley.OrderMostReactions, &parley.Comment{ID: "0190a0a0-0000-7000-8000-00000000000f", CreatedAt: time.Unix(1, 5), ReactionCount: 3}).Encode())
	f.Add("")
	f.Add("eyJvIjoiTkVXRVNUIn0")
	f.Add("eyJvIjoiTkVXRVNUIiwiYyI6LTEsInQiOiIyMDI2LTAxLTAxVDAwOjAwOjAwWiIsImkiOiIwMTkwYTBhMC0wMDAwLTcwMDAtODAwMC0wMDAwMDAwMDAwMDEifQ")
	f.Add(parley.Cursor{Order: parley.OrderMostReplies, Count: parley.MaxCursorCount, Time: parley.MaxCursorTime, ID: "0190a0a0-0000-7000-8000-000000000001"}.Encode())
	f.Add(parley.Cursor{Order: parley.OrderOldest, Time: parley.MinCursorTime, ID: "0190a0a0-0000-7000-8000-000000000001"}.Encode())
	for _, tc := range craftedCursors {
		f.Add(tc.s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, o := range []parley.CommentOrder{parley.OrderNewest, parley.OrderOldest, parley.OrderMostReplies, parley.OrderMostReactions} {
			c, err := parley.DecodeCursor(s, o)
			if err != nil {
				if parley.ErrorCode(err) != parley.EINVALID {
					t.Fatalf("error code %q", parley.ErrorCode(err))
				}
				continue
			}
			counted := o == parley.OrderMostReplies || o == parley.OrderMostReactions
			if !parley.IsID(c.ID) || c.Order != o || c.Count < 0 || c.Count > parley.MaxCursorCount || (!counted && c.Count != 0) ||
				c.Time.Before(parley.MinCursorTime) || c.Time.After(parley.MaxCursorTime) {
				t.Fatalf("accepted a bad cursor: %+v", c)
			}
			again, err := parley.DecodeCursor(c.Encode(), o)
			if err != nil || again.ID != c.ID || again.Count != c.Count || !again.Time.Equal(c.Time) {
				t.Fatalf("round trip: %+v, %v", again, err)
			}
		}
	})
}

// TestCursorAppendEncodeIsEncode checks the allocation-free encoding against Encode, for
// every order and for the times and strings it leaves to Encode.
func TestCursorAppendEncodeIsEncode(t *testing.T) {
	id := "0190a0a0-0000-7000-8000-000000000001"
	at := time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.UTC)
	for name, c := range map[string]parley.Cursor{
		"newest":                   {Order: parley.OrderNewest, Time: at, ID: id},
		"oldest, whole seconds":    {Order: parley.OrderOldest, Time: at.Truncate(time.Second), ID: id},
		"most replies":             {Order: parley.OrderMostReplies, Count: 12, Time: at, ID: id},
		"most reactions, negative": {Order: parley.OrderMostReactions, Count: -3, Time: at, ID: id},
		"a zone east of UTC":       {Order: parley.OrderNewest, Time: at.In(time.FixedZone("", 5*3600+1800)), ID: id},
		"the zero time":            {Order: parley.OrderNewest, ID: id},
		"year 10000":               {Order: parley.OrderNewest, Time: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), ID: id},
		"an ID JSON escapes":       {Order: parley.OrderNewest, Time: at, ID: `<a href="x">&</a>`},
		"a non-ASCII ID":           {Order: parley.OrderNewest, Time: at, ID: "é\u2028"},
		"a long ID":                {Order: parley.OrderNewest, Time: at, ID: strings.Repeat("x", 200)},
	} {
		t.Run(name, func(t *testing.T) {
			if got, want := string(c.AppendEncode([]byte("prefix:"))), "prefix:"+c.Encode(); got != want {
				t.Errorf("AppendEncode = %q, Encode = %q", got, want)
			}
		})
	}
}
