package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/graph"
	"github.com/parleyhq/parley/server"
)

// stallingUsers holds FindUserByID until its request ends, telling entered when it starts,
// as a slow query does when its client hangs up.
type stallingUsers struct {
	parley.UserService
	entered chan struct{}
}

func (u stallingUsers) FindUserByID(ctx context.Context, id string) (*parley.User, error) {
	u.entered <- struct{}{}
	<-ctx.Done()
	return nil, fmt.Errorf("postgres: find user: %w", ctx.Err())
}

// TestClientThatHangsUp checks that a request whose client goes away mid-query is its own
// outcome: logged at debug and never as an error, counted as CANCELED (not INTERNAL) in the
// GraphQL metrics and as 499 (not 500) in the HTTP metrics and the access log.
func TestClientThatHangsUp(t *testing.T) {
	t.Parallel()
	s := newServices(shared.DB)
	entered := make(chan struct{}, 1)
	s.Services.Users = stallingUsers{UserService: s.Services.Users, entered: entered}
	logs := &syncBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	reg := prometheus.NewRegistry()
	h := server.New(server.Config{Logger: logger, Auth: s.Services.Auth, Sites: s.Services.Sites, Metrics: reg,
		GraphQL: graph.NewHandler(s.Services, graph.Options{Logger: logger, Metrics: reg})})
	handled := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r)
		handled <- struct{}{}
	}))
	defer srv.Close()
	in := parley.SignUpInput{Email: unique("gone") + "@example.org", Username: unique("gone"), Password: "correct horse battery"}
	p, err := s.Auth.SignUp(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	body, _ := json.Marshal(map[string]any{"query": `query($id: ID!) { user(id: $id) { id } }`, "variables": map[string]any{"id": p.User.ID}})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+p.Token)
	errc := make(chan error, 1)
	go func() {
		res, err := srv.Client().Do(req)
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
	<-handled

	t.Run("it is logged at debug, not as an error", func(t *testing.T) {
		out := logs.String()
		if !contains(out, `"level":"DEBUG","msg":"graphql: client went away"`) || contains(out, `"level":"ERROR"`) {
			t.Errorf("log:\n%s", out)
		}
	})
	t.Run("the access log records 499", func(t *testing.T) {
		if !contains(logs.String(), `"status":499`) {
			t.Errorf("log:\n%s", logs.String())
		}
	})
	t.Run("the metrics count it apart", func(t *testing.T) {
		got := counts(t, reg)
		want := map[string]float64{`parley_graphql_errors_total{code="CANCELED"}`: 1,
			`parley_http_requests_total{code="499",method="POST",route="/graphql"}`: 1}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s = %v, want %v", k, got[k], v)
			}
		}
		for k := range got {
			if contains(k, "INTERNAL") || contains(k, `code="500"`) {
				t.Errorf("counted %s", k)
			}
		}
	})
}

// counts gathers reg's counters as name{label="value",…} → value.
func counts(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			if m.GetCounter() == nil {
				continue
			}
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
			}
			out[mf.GetName()+"{"+strings.Join(labels, ",")+"}"] = m.GetCounter().GetValue()
		}
	}
	return out
}
