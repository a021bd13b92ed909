package server_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/server"
)

// stallingAuth and stallingSites hold their lookups until the request ends, telling entered
// when they start, as a slow query does when its client hangs up.
type stallingAuth struct {
	parley.AuthService
	entered chan struct{}
}

func (a stallingAuth) Authenticate(ctx context.Context, token string) (*parley.User, error) {
	a.entered <- struct{}{}
	<-ctx.Done()
	return nil, ctx.Err()
}

type stallingSites struct {
	parley.SiteService
	entered chan struct{}
}

func (s stallingSites) IsAllowedOrigin(ctx context.Context, origin string) (bool, error) {
	s.entered <- struct{}{}
	<-ctx.Done()
	return false, ctx.Err()
}

// logLines is a log that says when a line with a given message was written.
type logLines struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	watch   string
	written chan struct{}
}

func (l *logLines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if bytes.Contains(p, []byte(l.watch)) {
		l.written <- struct{}{}
	}
	return l.buf.Write(p)
}

func (l *logLines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// TestClientThatHangsUp checks every step in front of GraphQL that waits on storage: when
// the client hangs up during it, the request is recorded as 499, in the access log and in
// the metrics, and nothing is logged as an error.
func TestClientThatHangsUp(t *testing.T) {
	for _, tc := range []struct {
		name   string
		header http.Header
		stall  func(cfg *server.Config, entered chan struct{})
	}{
		{"while its token is looked up", http.Header{"Authorization": {"Bearer some-token"}}, func(cfg *server.Config, entered chan struct{}) {
			cfg.Auth = stallingAuth{AuthService: cfg.Auth, entered: entered}
		}},
		{"while its origin is looked up", http.Header{"Origin": {"https://unknown.example.org"}}, func(cfg *server.Config, entered chan struct{}) {
			cfg.Sites = stallingSites{SiteService: cfg.Sites, entered: entered}
		}},
	} {
		t.Run(tc.name+" is a 499 and no error", func(t *testing.T) {
			entered := make(chan struct{}, 1)
			logs := &logLines{watch: `"msg":"http request"`, written: make(chan struct{}, 1)}
			reg := prometheus.NewRegistry()
			e := newEnv(t, func(cfg *server.Config) {
				cfg.Logger = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
				cfg.Metrics = reg
				tc.stall(cfg, entered)
			})
			ctx, cancel := context.WithCancel(context.Background())
			// A GET: a server notices a closed connection only once it has read the request's
			// body, and the origin is checked before that.
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, e.Server.URL+"/graphql?query=%7Bviewer%7Bid%7D%7D", nil)
			req.Header = tc.header
			errc := make(chan error, 1)
			go func() {
				res, err := e.Server.Client().Do(req)
				if err == nil {
					res.Body.Close()
				}
				errc <- err
			}()
			<-entered
			cancel()
			if err := <-errc; !errors.Is(err, context.Canceled) {
				t.Fatalf("client: %v", err)
			}
			<-logs.written
			if out := logs.String(); !strings.Contains(out, `"status":499`) || strings.Contains(out, `"level":"ERROR"`) {
				t.Errorf("log:\n%s", out)
			}
			mfs, err := reg.Gather()
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, mf := range mfs {
				if mf.GetName() != "parley_http_requests_total" {
					continue
				}
				for _, m := range mf.GetMetric() {
					for _, l := range m.GetLabel() {
						if l.GetName() == "code" {
							found = found || l.GetValue() == "499"
							if l.GetValue() != "499" {
								t.Errorf("counted as %s", l.GetValue())
							}
						}
					}
				}
			}
			if !found {
				t.Error("the request was not counted")
			}
		})
	}
}
