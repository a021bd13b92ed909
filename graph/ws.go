package graph

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	coderws "github.com/coder/websocket"

	"github.com/parleyhq/parley"
)

// wsTransport serves GraphQL over WebSocket, graphql-transport-ws and the legacy graphql-ws,
// with the messages and close codes of gqlgen's own transport (which it replaces), but built
// for many idle subscribers: one goroutine per connection reads; every write goes through a
// small queue that a shared pool of writers drains (wsout.go); keep-alives come from one
// shared ticker; and subscribers with the same viewer and the same operation share one
// resolved stream (wsstream.go), so an event is resolved and encoded once, not once per
// subscriber.
type wsTransport struct {
	hub  *wsHub
	init transport.WebsocketInitFunc
}

var _ graphql.Transport = (*wsTransport)(nil)

// Limits of one WebSocket connection.
const (
	wsSubprotocol       = "graphql-transport-ws"
	wsLegacySubprotocol = "graphql-ws"
	// wsReadLimit bounds one client message, as gqlgen's transport did.
	wsReadLimit = 1 << 20
	// wsInitTimeout is how long a client has to send connection_init.
	wsInitTimeout = 10 * time.Second
	// wsKeepAlive is how often legacy graphql-ws clients get a "ka" message.
	wsKeepAlive = 25 * time.Second
	// wsReadBuffer and wsWriteBuffer replace net/http's 4 kB buffers of a hijacked
	// connection: a subscriber's messages are a few hundred bytes, and ten thousand idle
	// subscribers would otherwise hold 80 MB of buffers for nothing.
	wsReadBuffer  = 512
	wsWriteBuffer = 2048
)

func (t *wsTransport) Supports(r *http.Request) bool { return r.Header.Get("Upgrade") != "" }

// Do upgrades the request and returns at once: the connection's reader runs in a goroutine
// of its own, whose stack is shallow, rather than in the request's, whose stack holds every
// middleware frame for as long as the connection lives.
func (t *wsTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	// The server's origin policy has refused disallowed cross-origin upgrades before they
	// get here, so the library's own same-origin check is off.
	hj := &leanHijacker{ResponseWriter: w}
	ws, err := coderws.Accept(hj, r, &coderws.AcceptOptions{
		Subprotocols:       []string{wsLegacySubprotocol, wsSubprotocol},
		InsecureSkipVerify: true,
	})
	if err != nil {
		return // Accept has answered the request
	}
	ws.SetReadLimit(wsReadLimit)
	c := &wsConn{
		hub:    t.hub,
		ws:     ws,
		nc:     hj.conn,
		exec:   exec,
		legacy: ws.Subprotocol() != wsSubprotocol,
		// The request ends when Do returns; the connection's values (identity, request ID)
		// live on.
		ctx: context.WithoutCancel(r.Context()),
	}
	go c.serve(t.init)
}

// leanHijacker hands the WebSocket library small buffers instead of net/http's 4 kB ones,
// and keeps the socket so that writes can have deadlines without a timer per write.
type leanHijacker struct {
	http.ResponseWriter
	conn net.Conn
}

func (w *leanHijacker) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	nc, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	w.conn = nc
	br := bufio.NewReaderSize(nc, wsReadBuffer)
	// net/http may have read ahead (its background read takes a byte); the library takes
	// over what the reader has buffered, so those bytes must be in the new buffer.
	if n := brw.Reader.Buffered(); n > 0 {
		b, _ := brw.Reader.Peek(n)
		br = bufio.NewReaderSize(io.MultiReader(bytes.NewReader(bytes.Clone(b)), nc), wsReadBuffer)
		if _, err := br.Peek(n); err != nil {
			br = brw.Reader // more than the small buffer holds: keep net/http's
		}
	}
	return nc, bufio.NewReadWriter(br, bufio.NewWriterSize(nc, wsWriteBuffer)), nil
}

// wsConn is one client connection.
type wsConn struct {
	hub    *wsHub
	ws     *coderws.Conn
	nc     net.Conn // the socket under ws, for write deadlines
	exec   graphql.GraphExecutor
	legacy bool
	ctx    context.Context
	viewer string // the stream key's viewer part, set by connection_init

	mu        sync.Mutex
	queue     []wsOut
	pending   int // "next" messages in queue
	scheduled bool
	closing   bool // nothing more may be queued
	graceful  bool // a close handshake owns the socket
	done      bool // torn down
	subs      map[string]*wsMember
	// registered is guarded by hub.mu: register counted the connection.
	registered bool
}

// wsMessage is a client message of either subprotocol.
type wsMessage struct {
	Payload json.RawMessage `json:"payload,omitempty"`
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
}

// Message kinds, as gqlgen names them in its "unexpected message" errors.
const (
	msgInvalid   = ""
	msgInit      = "init"
	msgStart     = "start"
	msgStop      = "stop subscription"
	msgTerminate = "connection close"
	msgPing      = "ping"
	msgPong      = "pong"
)

// kind maps a client message type to what it asks. Types of the subprotocol that only a
// server sends are "unexpected" (the connection is closed with a protocol error); unknown
// types are undecodable.
func (c *wsConn) kind(t string) string {
	if !c.legacy {
		switch t {
		case "connection_init":
			return msgInit
		case "subscribe":
			return msgStart
		case "complete":
			return msgStop
		case "ping":
			return msgPing
		case "pong":
			return msgPong
		}
		return msgInvalid
	}
	switch t {
	case "connection_init":
		return msgInit
	case "start":
		return msgStart
	case "stop":
		return msgStop
	case "connection_terminate":
		return msgTerminate
	case "connection_ack":
		return "connection ack"
	case "connection_error":
		return "connection error"
	case "data":
		return "data"
	case "error":
		return "error"
	case "complete":
		return "complete"
	case "ka":
		return "keep alive"
	}
	return msgInvalid
}

// read returns the next message, or ok false when the connection is gone.
func (c *wsConn) read() (m wsMessage, decoded, ok bool) {
	_, data, err := c.ws.Read(context.Background())
	if err != nil {
		return m, false, false
	}
	return m, decodeJSON(data, &m) == nil, true
}

// serve is the connection's one goroutine: it reads, and never writes.
func (c *wsConn) serve(init transport.WebsocketInitFunc) {
	defer func() {
		c.mu.Lock()
		// A close after the queue is the writers' to do; a close handshake owns the socket.
		pending, graceful := c.closing && !c.done, c.graceful
		c.mu.Unlock()
		if !pending && !graceful {
			c.abort()
		}
	}()
	timer := time.AfterFunc(wsInitTimeout, func() { c.closeAfterQueue(coderws.StatusProtocolError, "connection initialisation timeout") })
	ok := c.handshake(init)
	timer.Stop()
	if !ok {
		return
	}
	c.hub.register(c)
	for {
		m, decoded, ok := c.read()
		if !ok {
			return
		}
		if !decoded {
			c.closeAfterQueue(coderws.StatusNormalClosure, "terminated")
			return
		}
		switch k := c.kind(m.Type); k {
		case msgStart:
			c.subscribe(m.ID, m.Payload)
		case msgStop:
			c.unsubscribe(m.ID)
		case msgTerminate:
			c.closeAfterQueue(coderws.StatusNormalClosure, "terminated")
			return
		case msgPing:
			c.enqueue(wsOut{kind: outPong, payload: m.Payload})
		case msgPong:
		case msgInvalid:
			c.closeAfterQueue(coderws.StatusNormalClosure, "terminated")
			return
		default:
			c.connectionError("unexpected message " + k)
			c.closeAfterQueue(coderws.StatusProtocolError, "unexpected message")
			return
		}
	}
}

// handshake waits for connection_init and resolves the viewer from its payload.
func (c *wsConn) handshake(init transport.WebsocketInitFunc) bool {
	m, decoded, ok := c.read()
	if !ok {
		return false
	}
	if !decoded {
		c.connectionError("invalid json")
		c.closeAfterQueue(coderws.StatusProtocolError, "decoding error")
		return false
	}
	switch k := c.kind(m.Type); k {
	case msgInit:
	case msgInvalid:
		c.closeAfterQueue(coderws.StatusProtocolError, "decoding error")
		return false
	case msgTerminate:
		c.closeAfterQueue(coderws.StatusNormalClosure, "terminated")
		return false
	default:
		c.connectionError("unexpected message " + k)
		c.closeAfterQueue(coderws.StatusProtocolError, "unexpected message")
		return false
	}
	var payload transport.InitPayload
	if len(m.Payload) > 0 {
		if err := json.Unmarshal(m.Payload, &payload); err != nil {
			c.closeAfterQueue(coderws.StatusProtocolError, "decoding error")
			return false
		}
	}
	ctx, _, err := init(c.ctx, payload)
	if err != nil {
		c.connectionError(err.Error())
		c.closeAfterQueue(coderws.StatusNormalClosure, "terminated")
		return false
	}
	c.ctx = ctx
	if u := parley.UserFromContext(ctx); u != nil {
		c.viewer = "user:" + u.ID
	}
	c.enqueue(wsOut{kind: outAck})
	if c.legacy {
		c.enqueue(wsOut{kind: outKeepAlive})
	}
	return true
}

// connectionError tells a legacy client why its connection ends; graphql-transport-ws has
// no such message, and gqlgen sent none.
func (c *wsConn) connectionError(msg string) {
	if c.legacy {
		b, _ := json.Marshal(map[string]string{"message": msg})
		c.enqueue(wsOut{kind: outConnectionError, payload: b})
	}
}

// decodeJSON decodes the first JSON value of data with numbers kept as json.Number, as
// gqlgen decodes requests.
func decodeJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return dec.Decode(v)
}
