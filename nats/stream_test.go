package nats_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleyhq/parley/nats"
)

func TestEnsureStream(t *testing.T) {
	srv := MustEmbedded(t, "", "")
	js := MustJetStream(t, srv)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	t.Run("creates the stream with durable settings", func(t *testing.T) {
		s, err := nats.EnsureStream(ctx, js, nats.StreamConfig{})
		if err != nil {
			t.Fatal(err)
		}
		cfg := s.CachedInfo().Config
		if cfg.Name != "PARLEY_EVENTS" || cfg.Storage != jetstream.FileStorage || cfg.Retention != jetstream.LimitsPolicy ||
			cfg.Discard != jetstream.DiscardOld || cfg.Replicas != 1 || cfg.MaxAge != 7*24*time.Hour ||
			cfg.Duplicates != 2*time.Minute || strings.Join(cfg.Subjects, ",") != "parley.*.*.*.*.*" {
			t.Fatalf("stream config = %+v", cfg)
		}
	})
	t.Run("a second call with new settings updates the stream", func(t *testing.T) {
		if _, err := nats.EnsureStream(ctx, js, nats.StreamConfig{}); err != nil {
			t.Fatal(err)
		}
		s, err := nats.EnsureStream(ctx, js, nats.StreamConfig{MaxAge: 48 * time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		if got := s.CachedInfo().Config.MaxAge; got != 48*time.Hour {
			t.Fatalf("max age = %s after update", got)
		}
	})
	t.Run("replicas beyond the servers fail loudly", func(t *testing.T) {
		_, err := nats.EnsureStream(ctx, js, nats.StreamConfig{Replicas: 3})
		if err == nil {
			t.Fatal("three replicas accepted by a single server")
		}
		t.Log(err)
	})
	t.Run("a duplicate window longer than the age is refused", func(t *testing.T) {
		_, err := nats.EnsureStream(ctx, js, nats.StreamConfig{MaxAge: time.Minute, Duplicates: time.Hour})
		if err == nil {
			t.Fatal("accepted")
		}
	})
	t.Run("moderation plug-in requests are answered by the plug-in, not the stream", func(t *testing.T) {
		nc := js.Conn()
		// A plug-in takes a moment to decide; a stream bound to "parley.>" would answer
		// first with its publish ack, every time, and store the request.
		sub, err := nc.Subscribe("parley.moderation.spam", func(m *natsgo.Msg) {
			time.Sleep(time.Millisecond)
			_ = m.Respond([]byte("plug-in verdict"))
		})
		if err != nil {
			t.Fatal(err)
		}
		defer sub.Unsubscribe()
		for range 5 {
			reply, err := nc.Request("parley.moderation.spam", []byte("{}"), 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if string(reply.Data) != "plug-in verdict" {
				t.Fatalf("reply = %q: the stream captured a plug-in request", reply.Data)
			}
		}
		s, err := js.Stream(ctx, nats.DefaultStreamName)
		if err != nil {
			t.Fatal(err)
		}
		if info, err := s.Info(ctx); err != nil || info.State.Msgs != 0 {
			t.Fatalf("the stream stored plug-in requests: %+v, %v", info.State, err)
		}
	})
}

func TestEmbedded(t *testing.T) {
	t.Run("in-process only by default", func(t *testing.T) {
		srv := MustEmbedded(t, "", "")
		if u := srv.ClientURL(); u != "" {
			t.Fatalf("ClientURL = %q, want none", u)
		}
		nc, err := srv.Connect()
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		if err := nc.Flush(); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("listens on a loopback port when asked", func(t *testing.T) {
		srv := MustEmbedded(t, "", "127.0.0.1:0")
		u := srv.ClientURL()
		if !strings.HasPrefix(u, "nats://127.0.0.1:") || strings.HasSuffix(u, ":0") || strings.HasSuffix(u, ":-1") {
			t.Fatalf("ClientURL = %q", u)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		nc, err := nats.Connect(ctx, u, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		if !nc.IsConnected() {
			t.Fatal("Connect returned before connecting")
		}
	})
	t.Run("refuses a non-loopback listener", func(t *testing.T) {
		_, err := nats.StartEmbedded(nats.EmbeddedOptions{StoreDir: t.TempDir(), Listen: "0.0.0.0:0"})
		if err == nil {
			t.Fatal("started listening on every interface")
		}
	})
	t.Run("a restart on the same store keeps the stream and its events", func(t *testing.T) {
		dir := t.TempDir()
		srv := MustEmbedded(t, dir, "")
		js := MustJetStream(t, srv)
		MustStream(t, js)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := js.Publish(ctx, "parley.x.comment.created.-.-", []byte("{}")); err != nil {
			t.Fatal(err)
		}
		closed := js.Conn().StatusChanged(natsgo.CLOSED)
		srv.Shutdown()
		select {
		case <-closed:
		case <-ctx.Done():
			t.Fatal("the in-process connection outlived its server")
		}
		again := MustEmbedded(t, dir, "")
		s, err := MustJetStream(t, again).Stream(ctx, nats.DefaultStreamName)
		if err != nil {
			t.Fatal(err)
		}
		if info, err := s.Info(ctx); err != nil || info.State.Msgs != 1 {
			t.Fatalf("after restart: %+v, %v", info, err)
		}
	})
}

func TestConnect(t *testing.T) {
	t.Run("gives up when the context ends before a server answers", func(t *testing.T) {
		srv := MustEmbedded(t, "", "127.0.0.1:0")
		u := srv.ClientURL()
		srv.Shutdown() // the port is now closed
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := nats.Connect(ctx, u, nil)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want the deadline", err)
		}
		if time.Since(start) > 5*time.Second {
			t.Fatalf("took %s", time.Since(start))
		}
	})
	t.Run("hides the password of a URL in errors", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := nats.Connect(ctx, "nats://bob:hunter2@127.0.0.1:1,nats://s3cr3t@127.0.0.1:2", nil)
		if err == nil || strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "s3cr3t") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("reconnects to a server that comes back", func(t *testing.T) {
		dir := t.TempDir()
		srv := MustEmbedded(t, dir, "127.0.0.1:0")
		u := srv.ClientURL()
		logger, logs := NewTestLogger()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		nc, err := nats.Connect(ctx, u, logger)
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		back := nc.StatusChanged(natsgo.RECONNECTING, natsgo.CONNECTED)
		srv.Shutdown()
		if s := <-back; s != natsgo.RECONNECTING {
			t.Fatalf("status %s after the server stopped", s)
		}
		MustEmbedded(t, dir, strings.TrimPrefix(u, "nats://"))
		select {
		case s := <-back:
			if s != natsgo.CONNECTED {
				t.Fatalf("status %s", s)
			}
		case <-ctx.Done():
			t.Fatal("did not reconnect")
		}
		Eventually(t, 5*time.Second, "reconnect logged", func() bool { return logs.Count("NATS connection restored") == 1 })
		if n := logs.Count("NATS connection lost"); n != 1 {
			t.Fatalf("%d disconnect lines, want 1:\n%s", n, logs)
		}
	})
}
