package plugin

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Judge decides on one request; it is what a plug-in author writes.
type Judge func(ctx context.Context, r Request) (Response, error)

// MaxRequestBytes bounds a request a plug-in accepts.
const MaxRequestBytes = 1 << 20

// Handle verifies a signed request, runs judge and returns the signed reply: the whole
// protocol for a plug-in written in Go, whatever carries the bytes.
func Handle(ctx context.Context, secret []byte, judge Judge, body []byte, header map[string]string) ([]byte, map[string]string, error) {
	if err := Verify(secret, time.Now(), header[HeaderTimestamp], header[HeaderSignature], body); err != nil {
		return nil, nil, err
	}
	var req Request
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, nil, err
	}
	resp, err := judge(ctx, req)
	if err != nil {
		return nil, nil, err
	}
	reply, err := json.Marshal(resp)
	if err != nil {
		return nil, nil, err
	}
	now := time.Now()
	return reply, map[string]string{
		HeaderTimestamp: strconv.FormatInt(now.Unix(), 10),
		HeaderSignature: Sign(secret, now, reply),
	}, nil
}

// NewHandler serves the plug-in protocol over HTTP: 401 for a request that is not signed
// with the secret, 500 when judge fails, the signed reply otherwise.
func NewHandler(secret []byte, judge Judge) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "POST a signed request", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, MaxRequestBytes))
		if err != nil {
			http.Error(w, "unreadable request", http.StatusBadRequest)
			return
		}
		if Verify(secret, time.Now(), r.Header.Get(HeaderTimestamp), r.Header.Get(HeaderSignature), body) != nil {
			http.Error(w, "request is not signed with this plug-in's secret", http.StatusUnauthorized)
			return
		}
		reply, header, err := Handle(r.Context(), secret, judge, body, map[string]string{
			HeaderTimestamp: r.Header.Get(HeaderTimestamp), HeaderSignature: r.Header.Get(HeaderSignature)})
		if err != nil {
			http.Error(w, "the plug-in failed", http.StatusInternalServerError)
			return
		}
		for k, v := range header {
			w.Header().Set(k, v)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(reply)
	})
}
