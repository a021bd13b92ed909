package wstransport_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/graph/wstransport"
)

// The transport is tested here on a schema of two fields, without a database; graph's tests
// drive it through Parley's own schema and server.

var tinySchema = gqlparser.MustLoadSchema(&ast.Source{Input: `
type Query { hello: String }
type Subscription { ticks: String }
`})

// ticker is an executable schema whose subscription streams deliver what the test sends.
type ticker struct {
	mu      sync.Mutex
	streams map[chan string]struct{}
}

func (t *ticker) Schema() *ast.Schema { return tinySchema }

func (t *ticker) Complexity(context.Context, string, string, int, map[string]any) (int, bool) {
	return 0, false
}

func (t *ticker) Exec(ctx context.Context) graphql.ResponseHandler {
	if graphql.GetOperationContext(ctx).Operation.Operation != ast.Subscription {
		return graphql.OneShot(&graphql.Response{Data: json.RawMessage(`{"hello":"world"}`)})
	}
	ch := make(chan string, 4)
	t.mu.Lock()
	t.streams[ch] = struct{}{}
	t.mu.Unlock()
	return func(ctx context.Context) *graphql.Response {
		select {
		case s := <-ch:
			b, _ := json.Marshal(map[string]string{"ticks": s})
			return &graphql.Response{Data: b}
		case <-ctx.Done():
			t.mu.Lock()
			delete(t.streams, ch)
			t.mu.Unlock()
			return nil
		}
	}
}

// tick sends s to every open stream.
func (t *ticker) tick(s string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for ch := range t.streams {
		ch <- s
	}
}

// MustServe serves the tiny schema over the transport with o, registering its metrics in
// the registry it returns. A payload {"user": "<id>"} signs the connection in.
func MustServe(tb testing.TB, o wstransport.Options) (url string, t *ticker, reg *prometheus.Registry) {
	tb.Helper()
	t = &ticker{streams: map[chan string]struct{}{}}
	reg = prometheus.NewRegistry()
	o.Metrics = reg
	o.Authenticate = func(ctx context.Context, p transport.InitPayload) (context.Context, error) {
		switch id := p.GetString("user"); id {
		case "":
			return ctx, nil
		case "banned":
			return ctx, errors.New("banned users may not subscribe")
		default:
			return parley.NewContextWithUser(ctx, &parley.User{ID: id}), nil
		}
	}
	srv := handler.New(t)
	srv.AddTransport(wstransport.New(o))
	hs := httptest.NewServer(srv)
	tb.Cleanup(hs.Close)
	return "ws" + strings.TrimPrefix(hs.URL, "http"), t, reg
}

type msg struct {
	ID      string          `json:"id"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload"`
}

type client struct {
	tb testing.TB
	c  *websocket.Conn
}

// MustDial opens a connection without sending connection_init.
func MustDial(tb testing.TB, url, subprotocol string) *client {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{Subprotocols: []string{subprotocol}})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = c.CloseNow() })
	return &client{tb: tb, c: c}
}

// MustInit opens a graphql-transport-ws connection as user ("" for anonymous).
func MustInit(tb testing.TB, url, user string) *client {
	tb.Helper()
	c := MustDial(tb, url, "graphql-transport-ws")
	c.send(map[string]any{"type": "connection_init", "payload": map[string]any{"user": user}})
	if m := c.next(); m.Type != "connection_ack" {
		tb.Fatalf("first message = %+v, want connection_ack", m)
	}
	return c
}

func (c *client) send(v any) {
	c.tb.Helper()
	if err := wsjson.Write(context.Background(), c.c, v); err != nil {
		c.tb.Fatal(err)
	}
}

// next reads the next message; a closed connection reads as type "closed" with the close
// code and reason as its ID.
func (c *client) next() msg {
	c.tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var m msg
	if err := wsjson.Read(ctx, c.c, &m); err != nil {
		var ce websocket.CloseError
		if errors.As(err, &ce) {
			return msg{Type: "closed", ID: ce.Code.String() + " " + ce.Reason}
		}
		c.tb.Fatalf("reading: %v", err)
	}
	return m
}

// sync waits until the server has handled every message sent before it: a connection's
// messages are handled in order, so its pong comes after them. It returns what came before.
func (c *client) sync() []msg {
	c.tb.Helper()
	c.send(map[string]any{"type": "ping"})
	var before []msg
	for m := c.next(); m.Type != "pong"; m = c.next() {
		before = append(before, m)
	}
	return before
}

// gauge reads one of the transport's metrics.
func gauge(tb testing.TB, reg *prometheus.Registry, name string) float64 {
	tb.Helper()
	families, err := reg.Gather()
	if err != nil {
		tb.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == name {
			m := f.GetMetric()[0]
			if m.GetGauge() != nil {
				return m.GetGauge().GetValue()
			}
			return m.GetCounter().GetValue()
		}
	}
	tb.Fatalf("no metric %s", name)
	return 0
}

const ticks = `subscription { ticks }`

func TestInitTimeout(t *testing.T) {
	url, _, reg := MustServe(t, wstransport.Options{InitTimeout: time.Millisecond})
	t.Run("a client that never sends connection_init is closed with a protocol error", func(t *testing.T) {
		c := MustDial(t, url, "graphql-transport-ws")
		if m := c.next(); m.Type != "closed" || m.ID != "StatusProtocolError connection initialisation timeout" {
			t.Fatalf("got %+v", m)
		}
	})
	t.Run("it was never counted as a connection", func(t *testing.T) {
		if n := gauge(t, reg, "parley_websocket_connections"); n != 0 {
			t.Fatalf("%v connections", n)
		}
	})
}

func TestSharedStreams(t *testing.T) {
	url, tk, reg := MustServe(t, wstransport.Options{})
	anon1, anon2, ann := MustInit(t, url, ""), MustInit(t, url, ""), MustInit(t, url, "ann")
	for i, c := range []*client{anon1, anon2, ann} {
		c.send(map[string]any{"id": string(rune('a' + i)), "type": "subscribe", "payload": map[string]any{"query": ticks}})
		c.sync()
	}
	t.Run("anonymous subscribers share a stream; a signed-in one has their own", func(t *testing.T) {
		for name, want := range map[string]float64{"parley_websocket_connections": 3, "parley_live_subscribers": 3, "parley_live_shared_streams": 2} {
			if got := gauge(t, reg, name); got != want {
				t.Errorf("%s = %v, want %v", name, got, want)
			}
		}
	})
	t.Run("every subscriber receives each event under its own ID", func(t *testing.T) {
		tk.tick("one")
		for i, c := range []*client{anon1, anon2, ann} {
			if m := c.next(); m.Type != "next" || m.ID != string(rune('a'+i)) || string(m.Payload) != `{"data":{"ticks":"one"}}` {
				t.Errorf("subscriber %d got %+v %s", i, m, m.Payload)
			}
		}
	})
	t.Run("a stream ends with its last subscriber", func(t *testing.T) {
		anon1.send(map[string]any{"id": "a", "type": "complete"})
		anon2.send(map[string]any{"id": "b", "type": "complete"})
		anon1.sync()
		anon2.sync()
		if got := gauge(t, reg, "parley_live_shared_streams"); got != 1 {
			t.Fatalf("%v streams open, want 1", got)
		}
	})
}

func TestOptions(t *testing.T) {
	url, _, _ := MustServe(t, wstransport.Options{MaxSubscriptions: 2})
	t.Run("the subscription past MaxSubscriptions is refused as rate-limited", func(t *testing.T) {
		c := MustInit(t, url, "")
		for _, id := range []string{"1", "2", "3"} {
			c.send(map[string]any{"id": id, "type": "subscribe", "payload": map[string]any{"query": ticks}})
		}
		got := c.sync()
		if len(got) != 2 || got[0].ID != "3" || !strings.Contains(string(got[0].Payload), "at most 2 subscriptions") || got[1].Type != "complete" {
			t.Fatalf("got %+v", got)
		}
	})
	t.Run("a query is answered at once and completed", func(t *testing.T) {
		c := MustInit(t, url, "")
		c.send(map[string]any{"id": "q", "type": "subscribe", "payload": map[string]any{"query": `{ hello }`}})
		got := c.sync()
		if len(got) != 2 || string(got[0].Payload) != `{"data":{"hello":"world"}}` || got[1].Type != "complete" {
			t.Fatalf("got %+v", got)
		}
	})
	t.Run("Authenticate's refusal is told to a legacy client, which is then closed", func(t *testing.T) {
		c := MustDial(t, url, "graphql-ws")
		c.send(map[string]any{"type": "connection_init", "payload": map[string]any{"user": "banned"}})
		if m := c.next(); m.Type != "connection_error" || !strings.Contains(string(m.Payload), "banned users may not subscribe") {
			t.Fatalf("got %+v", m)
		}
		if m := c.next(); m.Type != "closed" {
			t.Fatalf("got %+v", m)
		}
	})
}
