package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/graph"
)

// fakeLive is a live service whose events the test publishes. It counts the streams the
// transport opens, so tests see which subscribers share one.
type fakeLive struct {
	mu      sync.Mutex
	streams map[chan *parley.Comment]string // stream → viewer ("" for anonymous)
	opened  chan string
	closed  chan string // a stream's viewer once the stream has ended (never blocks)
}

func newFakeLive() *fakeLive {
	return &fakeLive{streams: map[chan *parley.Comment]string{}, opened: make(chan string, 64), closed: make(chan string, 64)}
}

func (f *fakeLive) CommentEvents(ctx context.Context, storyID string, created bool) (<-chan *parley.Comment, error) {
	if storyID == "forbidden" {
		return nil, parley.Errorf(parley.EFORBIDDEN, "Not yours.")
	}
	viewer := ""
	if u := parley.UserFromContext(ctx); u != nil {
		viewer = u.ID
	}
	ch := make(chan *parley.Comment, 4)
	f.mu.Lock()
	f.streams[ch] = viewer
	f.mu.Unlock()
	context.AfterFunc(ctx, func() {
		f.mu.Lock()
		delete(f.streams, ch)
		close(ch)
		f.mu.Unlock()
		select {
		case f.closed <- viewer:
		default:
		}
	})
	f.opened <- viewer
	return ch, nil
}

func (f *fakeLive) QueueEvents(context.Context, string) (<-chan *parley.CommentEvent, error) {
	return nil, parley.Errorf(parley.EFORBIDDEN, "No queues here.")
}

func (f *fakeLive) Notifications(context.Context) (<-chan *parley.Notification, error) {
	return nil, parley.Errorf(parley.EUNAUTHENTICATED, "No notifications here.")
}

// publish sends every open stream a comment whose ID names the stream's viewer, so that a
// subscriber shows which stream it was served from.
func (f *fakeLive) publish(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for ch, viewer := range f.streams {
		ch <- &parley.Comment{ID: id + "/" + viewer, Status: parley.StatusPublished}
	}
}

// send delivers c to every open stream, as the live service delivers a changed comment.
func (f *fakeLive) send(c *parley.Comment) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for ch := range f.streams {
		ch <- c
	}
}

func (f *fakeLive) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.streams)
}

// wsClient speaks graphql-transport-ws (or graphql-ws) to the test server.
type wsClient struct {
	tb testing.TB
	c  *websocket.Conn
}

func dialWS(tb testing.TB, s *stack, subprotocol, token string) *wsClient {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(s.Server.URL, "http")+"/graphql", &websocket.DialOptions{Subprotocols: []string{subprotocol}})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.CloseNow() })
	w := &wsClient{tb: tb, c: c}
	init := map[string]any{"type": "connection_init"}
	if token != "" {
		init["payload"] = map[string]any{"authorization": "Bearer " + token}
	}
	w.send(init)
	if m := w.next(); m.Type != "connection_ack" {
		tb.Fatalf("first message = %+v, want connection_ack", m)
	}
	return w
}

type wsMsg struct {
	ID      string
	Type    string
	Payload json.RawMessage
}

func (w *wsClient) send(v any) {
	w.tb.Helper()
	if err := wsjson.Write(context.Background(), w.c, v); err != nil {
		w.tb.Fatal(err)
	}
}

// next reads the next message, or returns one of type "closed" with the close status.
func (w *wsClient) next() wsMsg {
	w.tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var m wsMsg
	if err := wsjson.Read(ctx, w.c, &m); err != nil {
		if s := websocket.CloseStatus(err); s != -1 {
			return wsMsg{Type: "closed", Payload: json.RawMessage(fmt.Sprintf("%d", s))}
		}
		w.tb.Fatalf("reading: %v", err)
	}
	return m
}

// subscribe sends a subscribe message and waits until the server has handled it: the
// server reads a connection's messages in order, so its pong answers after the subscribe.
func (w *wsClient) subscribe(id, query string) {
	w.tb.Helper()
	w.send(map[string]any{"id": id, "type": "subscribe", "payload": map[string]any{"query": query}})
	w.send(map[string]any{"type": "ping"})
	for m := w.next(); m.Type != "pong"; m = w.next() {
		if m.Type != "next" && m.Type != "error" && m.Type != "complete" {
			w.tb.Fatalf("while subscribing: %+v", m)
		}
	}
}

func newLiveStack(tb testing.TB) (*stack, *fakeLive) {
	s := newServices(shared.DB)
	live := newFakeLive()
	s.Services.Live = live
	s.serve(graph.Options{})
	tb.Cleanup(s.Close)
	return s, live
}

const createdQuery = `subscription { commentCreated(storyID: "s1") { id status } }`

func TestWebSocketSharedStreams(t *testing.T) {
	s, live := newLiveStack(t)
	reader1 := dialWS(t, s, "graphql-transport-ws", "")
	reader2 := dialWS(t, s, "graphql-transport-ws", "")
	user := s.MustSignUp(t)
	signedIn := dialWS(t, s, "graphql-transport-ws", user.token)
	reader1.subscribe("a", createdQuery)
	reader2.subscribe("b", createdQuery)
	signedIn.subscribe("c", createdQuery)

	t.Run("anonymous readers of one operation share one stream; a signed-in viewer has their own", func(t *testing.T) {
		if n := live.count(); n != 2 {
			t.Fatalf("%d streams open, want 2", n)
		}
	})
	live.publish("c1")
	t.Run("each subscriber receives the event of its own viewer under its own ID", func(t *testing.T) {
		for _, tc := range []struct {
			c      *wsClient
			id, cm string
		}{{reader1, "a", "c1/"}, {reader2, "b", "c1/"}, {signedIn, "c", "c1/" + user.User.ID}} {
			m := tc.c.next()
			if m.Type != "next" || m.ID != tc.id || !strings.Contains(string(m.Payload), `"id":"`+tc.cm+`"`) {
				t.Errorf("subscriber %s got %+v %s", tc.id, m, m.Payload)
			}
		}
	})
	t.Run("complete ends one subscription; the stream ends with its last subscriber", func(t *testing.T) {
		reader1.send(map[string]any{"id": "a", "type": "complete"})
		if m := reader1.next(); m.Type != "complete" || m.ID != "a" {
			t.Fatalf("after complete: %+v", m)
		}
		live.publish("c2")
		if m := reader2.next(); m.Type != "next" || !strings.Contains(string(m.Payload), `"c2/"`) {
			t.Fatalf("the other reader got %+v", m)
		}
		reader2.send(map[string]any{"id": "b", "type": "complete"})
		if m := reader2.next(); m.Type != "complete" {
			t.Fatalf("after complete: %+v", m)
		}
		// The stream ends after its context is cancelled, on a goroutine of its own.
		select {
		case <-live.closed:
		case <-time.After(10 * time.Second):
			t.Fatal("the shared stream did not end with its last subscriber")
		}
		if n := live.count(); n != 1 {
			t.Fatalf("%d streams open, want 1", n)
		}
	})
}

func TestWebSocketRefusals(t *testing.T) {
	s, live := newLiveStack(t)
	t.Run("a refused subscription answers its error and completes", func(t *testing.T) {
		c := dialWS(t, s, "graphql-transport-ws", "")
		c.send(map[string]any{"id": "x", "type": "subscribe", "payload": map[string]any{"query": `subscription { commentCreated(storyID: "forbidden") { id } }`}})
		if m := c.next(); m.Type != "next" || !strings.Contains(string(m.Payload), "FORBIDDEN") {
			t.Fatalf("got %+v %s", m, m.Payload)
		}
		if m := c.next(); m.Type != "complete" || m.ID != "x" {
			t.Fatalf("got %+v", m)
		}
	})
	t.Run("the subscription past the limit is refused as RATE_LIMITED", func(t *testing.T) {
		c := dialWS(t, s, "graphql-transport-ws", "")
		for i := range graph.MaxSubscriptionsPerConnection {
			c.subscribe(fmt.Sprint(i), createdQuery)
		}
		c.send(map[string]any{"id": "over", "type": "subscribe", "payload": map[string]any{"query": createdQuery}})
		if m := c.next(); m.Type != "next" || m.ID != "over" || !strings.Contains(string(m.Payload), "RATE_LIMITED") {
			t.Fatalf("got %+v %s", m, m.Payload)
		}
	})
	t.Run("a garbage frame closes only its own connection", func(t *testing.T) {
		good := dialWS(t, s, "graphql-transport-ws", "")
		good.subscribe("g", createdQuery)
		bad := dialWS(t, s, "graphql-transport-ws", "")
		if err := bad.c.Write(context.Background(), websocket.MessageText, []byte("{not json")); err != nil {
			t.Fatal(err)
		}
		if m := bad.next(); m.Type != "closed" {
			t.Fatalf("garbage answered with %+v", m)
		}
		live.publish("after-garbage")
		for m := good.next(); ; m = good.next() {
			if strings.Contains(string(m.Payload), "after-garbage") {
				break
			}
		}
	})
	t.Run("a message out of place closes the connection with a protocol error", func(t *testing.T) {
		c := dialWS(t, s, "graphql-transport-ws", "")
		c.send(map[string]any{"type": "connection_init"})
		if m := c.next(); m.Type != "closed" || string(m.Payload) != fmt.Sprint(int(websocket.StatusProtocolError)) {
			t.Fatalf("got %+v %s", m, m.Payload)
		}
	})
	t.Run("a bad token is refused at connection_init", func(t *testing.T) {
		ctx := context.Background()
		c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(s.Server.URL, "http")+"/graphql", &websocket.DialOptions{Subprotocols: []string{"graphql-ws"}})
		if err != nil {
			t.Fatal(err)
		}
		defer c.CloseNow()
		w := &wsClient{tb: t, c: c}
		w.send(map[string]any{"type": "connection_init", "payload": map[string]any{"authorization": "Bearer nonsense"}})
		if m := w.next(); m.Type != "connection_error" {
			t.Fatalf("got %+v", m)
		}
		if m := w.next(); m.Type != "closed" {
			t.Fatalf("got %+v", m)
		}
	})
}

func TestWebSocketLegacyProtocol(t *testing.T) {
	s, live := newLiveStack(t)
	c := dialWS(t, s, "graphql-ws", "")
	if m := c.next(); m.Type != "ka" {
		t.Fatalf("after the ack: %+v", m)
	}
	c.send(map[string]any{"id": "1", "type": "start", "payload": map[string]any{"query": createdQuery}})
	<-live.opened
	live.publish("legacy")
	if m := c.next(); m.Type != "data" || m.ID != "1" || !strings.Contains(string(m.Payload), "legacy/") {
		t.Fatalf("got %+v %s", m, m.Payload)
	}
	c.send(map[string]any{"id": "1", "type": "stop"})
	if m := c.next(); m.Type != "complete" || m.ID != "1" {
		t.Fatalf("got %+v", m)
	}
	c.send(map[string]any{"type": "connection_terminate"})
	if m := c.next(); m.Type != "closed" {
		t.Fatalf("got %+v", m)
	}
}
