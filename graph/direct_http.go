package graph

import (
	"bytes"
	"context"
	"net/http"
	"sync"
)

// directPrefix opens a direct answer's HTTP body; run writes the whole body, so that it is
// written once.
const directPrefix = `{"data":`

// directBody carries a direct answer's whole HTTP body from the response middleware to the
// writer: the transport would otherwise encode the answer again (encoding/json re-scans and
// re-escapes a json.RawMessage, which costs as much as writing it). The middleware leaves
// the transport a placeholder answer, {"data":null}, which directWriter swaps for the body.
type directBody struct{ b []byte }

type directBodyKey struct{}

// directPlaceholder is what the transport writes for the placeholder answer.
var directPlaceholder = []byte(`{"data":null}`)

// directWriter writes a direct answer's body in place of the transport's placeholder.
type directWriter struct {
	http.ResponseWriter
	body *directBody
}

func (w *directWriter) Write(p []byte) (int, error) {
	if b := w.body.b; b != nil && bytes.Equal(p, directPlaceholder) {
		w.body.b = nil
		_, err := w.ResponseWriter.Write(b)
		putDirectBuffer(b) // a writer does not keep what it is given
		if err != nil {
			return 0, err
		}
		return len(p), nil
	}
	return w.ResponseWriter.Write(p)
}

// Flush passes flushes on, for transports that stream.
func (w *directWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// directBuffers keeps the buffers of the answers written, for the next ones: a page is tens
// of kilobytes, written once.
var directBuffers sync.Pool

func getDirectBuffer() []byte {
	if p, ok := directBuffers.Get().(*[]byte); ok {
		return (*p)[:0]
	}
	return make([]byte, 0, 64<<10)
}

func putDirectBuffer(b []byte) {
	if cap(b) <= 4<<20 {
		directBuffers.Put(&b)
	}
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *directWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// withDirectBody makes the request's answer writable once by direct.
func withDirectBody(w http.ResponseWriter, r *http.Request) (http.ResponseWriter, *http.Request) {
	slot := &directBody{}
	return &directWriter{ResponseWriter: w, body: slot}, r.WithContext(context.WithValue(r.Context(), directBodyKey{}, slot))
}
