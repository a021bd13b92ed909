package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/parleyhq/parley/postgres/postgrestest"
)

// TestServeDrains follows a replica's shutdown as a balancer and a subscriber see it.
func TestServeDrains(t *testing.T) {
	ctx := context.Background()
	dsn, drop, err := postgrestest.CreateDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = drop() })
	// The drain delay is the window in which the test must see /readyz answer "draining";
	// it is generous so that a busy machine does not miss it.
	env := map[string]string{"DATABASE_URL": dsn, "PARLEY_ADDR": "127.0.0.1:0", "PARLEY_DATA_DIR": t.TempDir(),
		"PARLEY_DRAIN_DELAY": "3s"}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	out, w := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(runCtx, []string{"serve"}, func(k string) string { return env[k] }, w, io.Discard)
		w.Close()
	}()
	var base string
	for lines := bufio.NewScanner(out); base == "" && lines.Scan(); {
		if m := regexp.MustCompile(`listening on (http://\S+)`).FindStringSubmatch(lines.Text()); m != nil {
			base = m[1]
		}
	}
	go io.Copy(io.Discard, out)
	if base == "" {
		t.Fatalf("server did not start: %v", <-done)
	}
	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/graphql", &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	if err := wsjson.Write(ctx, ws, map[string]any{"type": "connection_init"}); err != nil {
		t.Fatal(err)
	}
	var ack struct{ Type string }
	if err := wsjson.Read(ctx, ws, &ack); err != nil || ack.Type != "connection_ack" {
		t.Fatalf("connection_ack: %+v, %v", ack, err)
	}

	stop()
	t.Run("readyz answers draining while the listener still serves", func(t *testing.T) {
		for {
			resp, err := http.Get(base + "/readyz")
			if err != nil {
				t.Fatalf("readyz before it drained: %v", err)
			}
			var body struct{ Status string }
			_ = json.NewDecoder(resp.Body).Decode(&body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusServiceUnavailable && body.Status == "draining" {
				return
			}
		}
	})
	t.Run("the subscriber is told the service restarts", func(t *testing.T) {
		readCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		var m map[string]any
		err := wsjson.Read(readCtx, ws, &m)
		var ce websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != websocket.StatusServiceRestart {
			t.Fatalf("read %v, %v; want a close frame 1012", m, err)
		}
	})
	t.Run("serve returns without error", func(t *testing.T) {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})
}
