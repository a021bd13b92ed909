package pagecache_test

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleyhq/parley/pagecache"
)

// fakeOverlay plans every read, takes "anonymous" out of the request's context, and adds the
// viewer's name to the anonymous answer, unless refuse is set.
type fakeOverlay struct {
	plan, refuse bool
	memos        atomic.Int64
}

type anonKey struct{}

func (o *fakeOverlay) Plan(r *http.Request, body []byte) bool { return o.plan }
func (o *fakeOverlay) Anonymous(r *http.Request) context.Context {
	return context.WithValue(r.Context(), anonKey{}, true)
}
func (o *fakeOverlay) Personalize(r *http.Request, body []byte, a pagecache.Answer) ([][]byte, bool, error) {
	a.Memo(func() any { o.memos.Add(1); return nil })
	if o.refuse {
		return nil, false, nil
	}
	b := strings.TrimSuffix(string(a.Body), "}")
	return [][]byte{[]byte(b), []byte(`,"viewer":"` + r.Header.Get("Authorization") + `"}`)}, true, nil
}

func TestOverlay(t *testing.T) {
	read := `{"query":"query($id: ID!) { story(id: $id) { id } }","variables":{"id":"` + storyID + `"}}`
	// answer tells whether it ran as anonymous.
	answer := func(n *atomic.Int64) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n.Add(1)
			anon, _ := r.Context().Value(anonKey{}).(bool)
			if r.Header.Get("Authorization") == "" {
				anon = true
			}
			if anon {
				_, _ = w.Write([]byte(`{"data":{}}`))
				return
			}
			_, _ = w.Write([]byte(`{"data":{"uncached":true}}`))
		})
	}
	t.Run("signed-in readers share the anonymous answer with their overlay", func(t *testing.T) {
		var n atomic.Int64
		o := &fakeOverlay{plan: true}
		h := pagecache.New(1<<20, time.Minute).MiddlewareWithOverlay(answer(&n), o)
		do(h, read)
		a := do(h, read, "Authorization", "Bearer a")
		b := do(h, read, "Authorization", "Bearer b")
		if n.Load() != 1 || a.Body.String() != `{"data":{},"viewer":"Bearer a"}` || b.Body.String() != `{"data":{},"viewer":"Bearer b"}` {
			t.Fatalf("ran %d times; answers %q and %q", n.Load(), a.Body.String(), b.Body.String())
		}
		if a.Header().Get("X-Cache") != "overlay-hit" || o.memos.Load() != 1 {
			t.Fatalf("X-Cache %q, memo computed %d times", a.Header().Get("X-Cache"), o.memos.Load())
		}
	})
	for name, o := range map[string]*fakeOverlay{
		"a read the overlay does not plan runs uncached":      {plan: false},
		"a read the overlay cannot personalize runs uncached": {plan: true, refuse: true},
	} {
		t.Run(name, func(t *testing.T) {
			var n atomic.Int64
			h := pagecache.New(1<<20, time.Minute).MiddlewareWithOverlay(answer(&n), o)
			if rec := do(h, read, "Authorization", "Bearer a"); rec.Body.String() != `{"data":{"uncached":true}}` {
				t.Fatalf("answer %q", rec.Body.String())
			}
		})
	}
}
