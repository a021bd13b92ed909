package wstransport_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/parleyhq/parley/graph/wstransport"
)

// MustServeTransport serves the tiny schema like MustServe and also returns the transport,
// for tests of its Shutdown.
func MustServeTransport(tb testing.TB) (string, *ticker, *prometheus.Registry, *wstransport.Transport) {
	tb.Helper()
	tk := &ticker{streams: map[chan string]struct{}{}}
	reg := prometheus.NewRegistry()
	ws := wstransport.New(wstransport.Options{Metrics: reg})
	srv := handler.New(tk)
	srv.AddTransport(ws)
	hs := httptest.NewServer(srv)
	tb.Cleanup(hs.Close)
	return "ws" + strings.TrimPrefix(hs.URL, "http"), tk, reg, ws
}

func TestShutdown(t *testing.T) {
	url, tk, reg, ws := MustServeTransport(t)
	sub := MustInit(t, url, "")
	sub.send(map[string]any{"id": "s", "type": "subscribe", "payload": map[string]any{"query": ticks}})
	sub.sync()
	legacy := MustDial(t, url, "graphql-ws")
	legacy.send(map[string]any{"type": "connection_init"})
	for m := legacy.next(); m.Type != "ka"; m = legacy.next() {
	}
	fresh := MustDial(t, url, "graphql-transport-ws") // upgraded, no connection_init yet
	tk.tick("before")
	if m := sub.next(); m.Type != "next" {
		t.Fatalf("subscriber got %+v, want the event", m)
	}

	done := make(chan error, 1)
	go func() { done <- ws.Shutdown(context.Background()) }()
	t.Run("every client is told the service restarts", func(t *testing.T) {
		for name, c := range map[string]*client{"subscriber": sub, "legacy": legacy, "uninitialised": fresh} {
			if m := c.next(); m.Type != "closed" || m.ID != "StatusServiceRestart server restarting" {
				t.Errorf("%s got %+v, want a close frame 1012", name, m)
			}
		}
	})
	t.Run("Shutdown returns once the close handshakes end", func(t *testing.T) {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"parley_websocket_connections", "parley_live_subscribers", "parley_live_shared_streams"} {
			if n := gauge(t, reg, name); n != 0 {
				t.Errorf("%s = %v after shutdown", name, n)
			}
		}
	})
	t.Run("a connection upgraded after it is closed the same way", func(t *testing.T) {
		late := MustDial(t, url, "graphql-transport-ws")
		if m := late.next(); m.Type != "closed" || m.ID != "StatusServiceRestart server restarting" {
			t.Fatalf("got %+v", m)
		}
	})
}

func TestShutdownDeadline(t *testing.T) {
	url, _, reg, ws := MustServeTransport(t)
	MustInit(t, url, "") // never reads again, so never answers the close
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	t.Run("a client that does not answer is dropped when the context ends", func(t *testing.T) {
		if err := ws.Shutdown(ctx); !errors.Is(err, context.Canceled) {
			t.Fatalf("Shutdown = %v, want the context's error", err)
		}
		if n := gauge(t, reg, "parley_websocket_connections"); n != 0 {
			t.Fatalf("%v connections left", n)
		}
	})
}

func TestReset(t *testing.T) {
	url, _, reg, ws := MustServeTransport(t)
	sub := MustInit(t, url, "")
	sub.send(map[string]any{"id": "s", "type": "subscribe", "payload": map[string]any{"query": ticks}})
	sub.sync()
	ws.Reset("events may have been missed")
	t.Run("every client is told to try again", func(t *testing.T) {
		if m := sub.next(); m.Type != "closed" || m.ID != "StatusTryAgainLater events may have been missed" {
			t.Fatalf("got %+v, want a close frame 1013", m)
		}
	})
	t.Run("new connections are welcome", func(t *testing.T) {
		MustInit(t, url, "")
		if n := gauge(t, reg, "parley_websocket_connections"); n != 1 {
			t.Fatalf("%v connections, want the new one", n)
		}
	})
}
