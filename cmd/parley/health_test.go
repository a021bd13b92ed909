package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestHealth(t *testing.T) {
	serving := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" || r.Method != http.MethodGet {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write([]byte("ok"))
	}))
	defer serving.Close()
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer failing.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closedAddr := closed.Listener.Addr().String()
	closed.Close()
	_, servingPort, _ := net.SplitHostPort(serving.Listener.Addr().String())

	check := func(t *testing.T, args []string, env map[string]string, wantOK bool) {
		t.Helper()
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), args, func(k string) string { return env[k] }, &stdout, &stderr)
		if wantOK && err != nil {
			t.Fatalf("health failed: %v (stderr %q)", err, stderr.String())
		}
		if !wantOK && err == nil {
			t.Fatalf("health succeeded against a server that should fail it (stdout %q)", stdout.String())
		}
	}
	t.Run("a serving server passes through PARLEY_ADDR", func(t *testing.T) {
		check(t, []string{"health"}, map[string]string{"PARLEY_ADDR": serving.Listener.Addr().String()}, true)
	})
	t.Run("a server on every interface is asked on loopback", func(t *testing.T) {
		check(t, []string{"health"}, map[string]string{"PARLEY_ADDR": ":" + servingPort}, true)
		check(t, []string{"health"}, map[string]string{"PARLEY_ADDR": "0.0.0.0:" + servingPort}, true)
	})
	t.Run("the flag overrides PARLEY_ADDR", func(t *testing.T) {
		check(t, []string{"health", "--addr", serving.Listener.Addr().String()}, map[string]string{"PARLEY_ADDR": closedAddr}, true)
	})
	t.Run("a server answering 503 fails", func(t *testing.T) {
		check(t, []string{"health"}, map[string]string{"PARLEY_ADDR": failing.Listener.Addr().String()}, false)
	})
	t.Run("no server fails", func(t *testing.T) {
		check(t, []string{"health"}, map[string]string{"PARLEY_ADDR": closedAddr}, false)
	})
	t.Run("an address without a port fails", func(t *testing.T) {
		check(t, []string{"health"}, map[string]string{"PARLEY_ADDR": "localhost"}, false)
		check(t, []string{"health"}, map[string]string{"PARLEY_ADDR": "127.0.0.1:0"}, false)
	})
}
