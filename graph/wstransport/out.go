package wstransport

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	coderws "github.com/coder/websocket"
)

// What the server writes to a WebSocket client.
const (
	outNext = iota // payload for one subscription ("next", or "data" in graphql-ws)
	outError
	outComplete
	outAck
	outKeepAlive
	outPong
	outConnectionError
	outClose // not a message: close the connection once everything before it is written
)

// outgoing is one queued message. Payloads of events are shared by every subscriber of a
// stream; only the frame around them is written per subscriber.
type outgoing struct {
	kind    int
	id      []byte // the subscription's ID as a JSON string
	payload []byte
	code    coderws.StatusCode
	reason  string
}

// Bounds of a connection's queue. A subscriber that falls maxPending events behind is
// closed with 1013 (try again later) after what is queued, so that it reconnects and reads
// again rather than miss events without knowing; one whose queue still grows (a client that
// sends pings and never reads) is disconnected; one whose socket accepts nothing for
// writeTimeout is disconnected too. None of them holds up the others. maxPending covers the
// burst of a story's events that ends a NATS outage.
const (
	maxPending   = 64
	maxQueue     = 96
	fellBehind   = "fell behind; reconnect and read again"
	writeTimeout = 5 * time.Second
)

// hub is what all connections of one transport share: the writers, the keep-alive ticker,
// the streams, and the counts for metrics.
type hub struct {
	opts         Options
	startWriters sync.Once
	ready        chan *conn

	mu      sync.Mutex
	legacy  map[*conn]struct{} // connections that get keep-alives
	ticking bool
	streams map[string]*stream
	// open holds every upgraded connection until its socket is closed, registered or not,
	// so Shutdown can close each and wait for it.
	open map[*conn]struct{}
	// shutdown is set by Transport.Shutdown; idle is closed when open empties after it.
	shutdown bool
	idle     chan struct{}

	connections   atomic.Int64
	subscriptions atomic.Int64
	dropped       atomic.Int64
}

func newHub(o Options) *hub {
	return &hub{opts: o, ready: make(chan *conn, 4096), legacy: map[*conn]struct{}{}, streams: map[string]*stream{},
		open: map[*conn]struct{}{}, idle: make(chan struct{})}
}

// streamCount is how many streams are open, for metrics.
func (h *hub) streamCount() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.streams)
}

// register counts a connection that completed connection_init.
func (h *hub) register(c *conn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	c.mu.Lock()
	done := c.done
	c.mu.Unlock()
	if done {
		return
	}
	c.registered = true
	h.connections.Add(1)
	if !c.legacy {
		return
	}
	h.legacy[c] = struct{}{}
	if !h.ticking {
		h.ticking = true
		go h.keepAlive()
	}
}

// keepAlive sends every legacy client a "ka" message on one shared ticker, rather than a
// goroutine and a ticker per connection; it stops when no legacy client is left.
func (h *hub) keepAlive() {
	t := time.NewTicker(h.opts.KeepAlive)
	defer t.Stop()
	var conns []*conn
	for range t.C {
		h.mu.Lock()
		if len(h.legacy) == 0 {
			h.ticking = false
			h.mu.Unlock()
			return
		}
		conns = conns[:0]
		for c := range h.legacy {
			conns = append(conns, c)
		}
		h.mu.Unlock()
		for _, c := range conns {
			c.enqueue(outgoing{kind: outKeepAlive})
		}
	}
}

// schedule hands a connection with queued messages to the writers.
func (h *hub) schedule(c *conn) {
	h.startWriters.Do(func() {
		for range h.opts.Writers {
			go h.write()
		}
	})
	h.ready <- c
}

// write is one writer: it drains the queues of connections as they become ready.
func (h *hub) write() {
	var buf []byte
	for c := range h.ready {
		buf = c.flush(buf)
		if cap(buf) > 64<<10 {
			buf = nil // keep no large event's buffer for ever
		}
	}
}

// enqueue queues a message, reporting whether it was; a full queue loses "next" messages
// and closes the connection on anything else.
func (c *conn) enqueue(o outgoing) bool {
	c.mu.Lock()
	if c.closing {
		c.mu.Unlock()
		return false
	}
	switch {
	case o.kind == outNext && c.pending >= maxPending:
		c.mu.Unlock()
		// The client would miss an event without knowing: it is told to reconnect instead,
		// and reads what it missed as it does after any reconnection.
		c.hub.dropped.Add(1)
		c.closeAfterQueue(coderws.StatusTryAgainLater, fellBehind)
		return false
	case len(c.queue) >= maxQueue:
		c.closing = true
		c.mu.Unlock()
		c.abort()
		return false
	}
	c.queue = append(c.queue, o)
	if o.kind == outNext {
		c.pending++
	}
	schedule := !c.scheduled
	c.scheduled = true
	c.mu.Unlock()
	if schedule {
		c.hub.schedule(c)
	}
	return true
}

// closeAfterQueue closes the connection with code and reason once what is queued is
// written; nothing more is queued after it.
func (c *conn) closeAfterQueue(code coderws.StatusCode, reason string) {
	c.mu.Lock()
	if c.closing {
		c.mu.Unlock()
		return
	}
	c.queue = append(c.queue, outgoing{kind: outClose, code: code, reason: reason})
	c.closing = true
	schedule := !c.scheduled
	c.scheduled = true
	c.mu.Unlock()
	if schedule {
		c.hub.schedule(c)
	}
}

// flush writes the connection's queue; buf is the writer's scratch space for frames.
func (c *conn) flush(buf []byte) []byte {
	for {
		c.mu.Lock()
		q := c.queue
		if len(q) == 0 || c.done {
			c.queue = nil
			c.scheduled = false
			c.mu.Unlock()
			return buf
		}
		c.queue, c.pending = nil, 0
		c.mu.Unlock()
		for _, o := range q {
			if o.kind == outClose {
				c.mu.Lock()
				c.graceful = true
				c.mu.Unlock()
				c.teardown()
				_ = c.nc.SetWriteDeadline(time.Now().Add(writeTimeout)) // not an old write's
				// The close handshake waits for the client's answer; no writer waits with it.
				go func() {
					_ = c.ws.Close(o.code, o.reason)
					c.hub.forget(c)
				}()
				return buf
			}
			buf = c.frame(buf[:0], o)
			// A deadline on the socket rather than a context with a timeout: no timer and no
			// context per message, which ten thousand subscribers per event notice.
			err := c.nc.SetWriteDeadline(time.Now().Add(writeTimeout))
			if err == nil {
				err = c.ws.Write(context.Background(), coderws.MessageText, buf)
			}
			if err != nil {
				c.abort()
				return buf
			}
		}
	}
}

// frame appends o as the subprotocol's JSON message, fields in gqlgen's order.
func (c *conn) frame(b []byte, o outgoing) []byte {
	var t string
	switch o.kind {
	case outNext:
		t = "next"
		if c.legacy {
			t = "data"
		}
	case outError:
		t = "error"
	case outComplete:
		t = "complete"
	case outAck:
		t = "connection_ack"
	case outKeepAlive:
		t = "ka"
	case outPong:
		t = "pong"
	case outConnectionError:
		t = "connection_error"
	}
	b = append(b, '{')
	if len(o.payload) > 0 {
		b = append(b, `"payload":`...)
		b = append(b, o.payload...)
		b = append(b, ',')
	}
	if len(o.id) > 2 { // omitempty: "" is two bytes
		b = append(b, `"id":`...)
		b = append(b, o.id...)
		b = append(b, ',')
	}
	b = append(b, `"type":`...)
	b = strconv.AppendQuote(b, t)
	return append(b, '}')
}

// abort drops the connection at once: its client is gone or does not read.
func (c *conn) abort() {
	c.teardown()
	_ = c.ws.CloseNow()
	c.hub.forget(c)
}

// track counts an upgraded connection as open, reporting false once shutdown has begun.
func (h *hub) track(c *conn) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.shutdown {
		return false
	}
	h.open[c] = struct{}{}
	return true
}

// forget ends what track began, once the connection's socket is closed; it is harmless to
// call twice.
func (h *hub) forget(c *conn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.open[c]; !ok {
		return
	}
	delete(h.open, c)
	if h.shutdown && len(h.open) == 0 {
		close(h.idle)
	}
}

// teardown ends the connection's subscriptions and forgets it; it runs once.
func (c *conn) teardown() {
	c.mu.Lock()
	if c.done {
		c.mu.Unlock()
		return
	}
	c.done, c.closing = true, true
	subs := c.subs
	c.subs, c.queue = nil, nil
	c.mu.Unlock()
	for _, m := range subs {
		c.hub.leave(m)
	}
	c.hub.unregister(c)
}

// unregister forgets a connection that register counted; it is harmless for others.
func (h *hub) unregister(c *conn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if c.registered {
		h.connections.Add(-1)
		delete(h.legacy, c)
		c.registered = false
	}
}
