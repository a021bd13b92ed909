package parley_test

import (
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

func TestDecodeCursorRefuses(t *testing.T) {
	good := parley.CursorFor(parley.OrderNewest, &parley.Comment{ID: "0190a0a0-0000-7000-8000-000000000001", CreatedAt: time.Now()}).Encode()
	for name, tc := range map[string]struct {
		s     string
		order parley.CommentOrder
	}{
		"another order's cursor": {good, parley.OrderOldest},
		"not base64":             {"!!!", parley.OrderNewest},
		"not JSON":               {"bm90IGpzb24", parley.OrderNewest},
		"bad ID":                 {"eyJvIjoiTkVXRVNUIiwidCI6IjIwMjYtMDEtMDFUMDA6MDA6MDBaIiwiaSI6IngifQ", parley.OrderNewest},
		"too long":               {strings.Repeat("A", parley.MaxCursorLength+1), parley.OrderNewest},
		"empty":                  {"", parley.OrderNewest},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := parley.DecodeCursor(tc.s, tc.order); parley.ErrorCode(err) != parley.EINVALID {
				t.Fatalf("err = %v, want EINVALID", err)
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
	f.Fuzz(func(t *testing.T, s string) {
		for _, o := range []parley.CommentOrder{parley.OrderNewest, parley.OrderMostReactions} {
			c, err := parley.DecodeCursor(s, o)
			if err != nil {
				if parley.ErrorCode(err) != parley.EINVALID {
					t.Fatalf("error code %q", parley.ErrorCode(err))
				}
				continue
			}
			if !parley.IsID(c.ID) || c.Count < 0 || c.Order != o {
				t.Fatalf("accepted a bad cursor: %+v", c)
			}
			again, err := parley.DecodeCursor(c.Encode(), o)
			if err != nil || again.ID != c.ID || again.Count != c.Count || !again.Time.Equal(c.Time) {
				t.Fatalf("round trip: %+v, %v", again, err)
			}
		}
	})
}
