package wstransport

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	coderws "github.com/coder/websocket"

	"github.com/parleyhq/parley"
)

// conn is one client connection.
type conn struct {
	hub    *hub
	ws     *coderws.Conn
	nc     net.Conn // the socket under ws, for write deadlines
	exec   graphql.GraphExecutor
	legacy bool
	ctx    context.Context
	viewer string // the stream key's viewer part, set by connection_init

	mu        sync.Mutex
	queue     []outgoing
	pending   int // "next" messages in queue
	scheduled bool
	closing   bool // nothing more may be queued
	graceful  bool // a close handshake owns the socket
	done      bool // torn down
	subs      map[string]*member
	// registered is guarded by hub.mu: register counted the connection.
	registered bool
}

// message is a client message of either subprotocol.
type message struct {
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
func (c *conn) kind(t string) string {
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
func (c *conn) read() (m message, decoded, ok bool) {
	_, data, err := c.ws.Read(context.Background())
	if err != nil {
		return m, false, false
	}
	return m, decodeJSON(data, &m) == nil, true
}

// serve is the connection's one goroutine: it reads, and never writes.
func (c *conn) serve() {
	defer func() {
		c.mu.Lock()
		// A close after the queue is the writers' to do; a close handshake owns the socket.
		pending, graceful := c.closing && !c.done, c.graceful
		c.mu.Unlock()
		if !pending && !graceful {
			c.abort()
		}
	}()
	timer := time.AfterFunc(c.hub.opts.InitTimeout, func() { c.closeAfterQueue(coderws.StatusProtocolError, "connection initialisation timeout") })
	ok := c.handshake()
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
			c.enqueue(outgoing{kind: outPong, payload: m.Payload})
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
func (c *conn) handshake() bool {
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
	ctx, err := c.hub.opts.Authenticate(c.ctx, payload)
	if err != nil {
		c.connectionError(err.Error())
		c.closeAfterQueue(coderws.StatusNormalClosure, "terminated")
		return false
	}
	c.ctx = ctx
	if u := parley.UserFromContext(ctx); u != nil {
		c.viewer = "user:" + u.ID
	}
	c.enqueue(outgoing{kind: outAck})
	if c.legacy {
		c.enqueue(outgoing{kind: outKeepAlive})
	}
	return true
}

// connectionError tells a legacy client why its connection ends; graphql-transport-ws has
// no such message, and gqlgen sent none.
func (c *conn) connectionError(msg string) {
	if c.legacy {
		b, _ := json.Marshal(map[string]string{"message": msg})
		c.enqueue(outgoing{kind: outConnectionError, payload: b})
	}
}

// decodeJSON decodes the first JSON value of data with numbers kept as json.Number, as
// gqlgen decodes requests.
func decodeJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return dec.Decode(v)
}
