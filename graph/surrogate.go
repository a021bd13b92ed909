package graph

import (
	"context"
	"net/http"
	"strings"
	"sync"

	"github.com/parleyhq/parley"
)

// An answer says what it was read from, in the headers caches in front of an origin use for
// purging by tag: Surrogate-Key lists the IDs of the stories and sites whose comments,
// counts or settings it shows (an event about any of them makes the answer stale), and
// Surrogate-Control: no-store marks an answer that depends on something with no ID yet (a
// story that does not exist, which a later read or comment may create). Without these, an
// answer read by a comment's ID or a story's URL would name no ID a change could invalidate,
// and a cache would serve its old counts until it expired. The server's read cache
// (pagecache) reads and removes both.
const (
	surrogateKeyHeader     = "Surrogate-Key"
	surrogateControlHeader = "Surrogate-Control"
)

// answerSources collects, while one operation executes, what its answer was read from.
type answerSources struct {
	mu       sync.Mutex
	ids      map[string]bool
	unstable bool
}

type sourcesKey struct{}

func (s *answerSources) note(ids ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		if id != "" {
			s.ids[id] = true
		}
	}
}

func (s *answerSources) noteUnstable() {
	s.mu.Lock()
	s.unstable = true
	s.mu.Unlock()
}

// sourced notes what a root field's answer was read from, and passes the answer on: each
// story, comment or site adds its story and site to the answer's sources; a story or comment
// not found, or a URL that has no story yet, makes the answer one no cache may keep. Comment
// pages note theirs in connection; every other comment or story an answer holds (a parent,
// a comment's story) belongs to a story already noted.
func sourced[T any](ctx context.Context, v T, err error) (T, error) {
	src, _ := ctx.Value(sourcesKey{}).(*answerSources)
	if src == nil || err != nil {
		return v, err
	}
	switch x := any(v).(type) {
	case *parley.Comment:
		if x == nil {
			src.noteUnstable()
		} else {
			src.note(x.StoryID, x.SiteID)
		}
	case *parley.Story:
		if x == nil {
			src.noteUnstable()
		} else {
			src.note(x.ID, x.SiteID)
		}
	case *parley.Site:
		if x != nil {
			src.note(x.ID)
		}
	case []*parley.StoryCount:
		for _, sc := range x {
			if sc.Story == nil {
				src.noteUnstable()
			} else {
				src.note(sc.Story.ID, sc.Story.SiteID)
			}
		}
	}
	return v, err
}

// noteComments adds the stories and sites of a page of comments to the answer's sources.
func noteComments(ctx context.Context, comments []*parley.Comment) {
	src, _ := ctx.Value(sourcesKey{}).(*answerSources)
	if src == nil {
		return
	}
	for _, c := range comments {
		src.note(c.StoryID, c.SiteID)
	}
}

// withSources collects the sources of the operation that next executes and writes them in
// the answer's headers before its first byte.
func withSources(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		src := &answerSources{ids: map[string]bool{}}
		sw := &sourcesWriter{ResponseWriter: w, src: src}
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), sourcesKey{}, src)))
	})
}

// sourcesWriter sets the source headers when the answer starts.
type sourcesWriter struct {
	http.ResponseWriter
	src     *answerSources
	started bool
}

func (w *sourcesWriter) start() {
	if w.started {
		return
	}
	w.started = true
	w.src.mu.Lock()
	defer w.src.mu.Unlock()
	h := w.Header()
	if w.src.unstable {
		h.Set(surrogateControlHeader, "no-store")
	}
	if len(w.src.ids) > 0 {
		ids := make([]string, 0, len(w.src.ids))
		for id := range w.src.ids {
			ids = append(ids, id)
		}
		h.Set(surrogateKeyHeader, strings.Join(ids, " "))
	}
}

func (w *sourcesWriter) WriteHeader(code int) {
	w.start()
	w.ResponseWriter.WriteHeader(code)
}

func (w *sourcesWriter) Write(b []byte) (int, error) {
	w.start()
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (the WebSocket upgrade, flushes).
func (w *sourcesWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush passes flushes on, for transports that stream.
func (w *sourcesWriter) Flush() {
	w.start()
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
