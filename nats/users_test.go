package nats_test

import (
	"context"
	"encoding/json"
	"net/url"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/nats"
)

// MustPublishUserEvent publishes a user event as the relay would, on a connection of srv.
func MustPublishUserEvent(tb testing.TB, srv *nats.Embedded, instance string, p parley.EventPayload) {
	tb.Helper()
	payload, err := parley.EncodeEvent(p)
	if err != nil {
		tb.Fatal(err)
	}
	e := parley.OutboxEvent{ID: "e-" + time.Now().Format(time.RFC3339Nano), Kind: p.Kind(), Payload: payload, CreatedAt: time.Now()}
	body, err := json.Marshal(nats.NewEnvelope(e))
	if err != nil {
		tb.Fatal(err)
	}
	nc, err := srv.Connect()
	if err != nil {
		tb.Fatal(err)
	}
	defer nc.Close()
	if err := nc.Publish(nats.Subject(instance, e), body); err != nil {
		tb.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		tb.Fatal(err)
	}
}

func TestWatchUsers(t *testing.T) {
	instance := MustInstance(t)
	first := MustEmbedded(t, "", "127.0.0.1:0")
	u, err := url.Parse(first.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	nc, err := nats.Connect(ctx, first.ClientURL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	events := make(chan parley.Event, 16)
	live := make(chan bool, 16)
	if err := nats.WatchUsers(ctx, nc, instance, func(e parley.Event) { events <- e }, func(l bool) { live <- l }); err != nil {
		t.Fatal(err)
	}
	wantLive := func(t *testing.T, want bool, what string) {
		t.Helper()
		select {
		case got := <-live:
			if got != want {
				t.Fatalf("%s: live(%v), want live(%v)", what, got, want)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("%s: no live(%v)", what, want)
		}
	}
	wantEvent := func(t *testing.T, userID string) {
		t.Helper()
		select {
		case e := <-events:
			if p, ok := e.Payload.(parley.TokensRevoked); !ok || p.UserID != userID {
				t.Fatalf("event %+v, want the revocation of %s", e, userID)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("the revocation did not arrive")
		}
	}

	wantLive(t, true, "once subscribed")
	MustPublishUserEvent(t, first, instance, parley.TokensRevoked{UserID: "u1", TokenID: "t1"})
	wantEvent(t, "u1")

	t.Run("a lost connection is reported at once, and its return once the subscription is back", func(t *testing.T) {
		first.Shutdown()
		wantLive(t, false, "after the server stopped")
		second := MustEmbedded(t, "", u.Host)
		wantLive(t, true, "after the server came back")
		MustPublishUserEvent(t, second, instance, parley.TokensRevoked{UserID: "u2"})
		wantEvent(t, "u2")
	})

	t.Run("the end of the watch is reported", func(t *testing.T) {
		cancel()
		wantLive(t, false, "after the context ended")
	})
}
