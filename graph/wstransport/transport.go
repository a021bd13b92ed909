// Package wstransport serves GraphQL over WebSocket for gqlgen's handler: the
// graphql-transport-ws subprotocol and the legacy graphql-ws, with the messages and close
// codes of gqlgen's own transport (which it replaces), but built for many idle subscribers.
// One goroutine per connection reads; every write goes through a small queue that a shared
// pool of writers drains (out.go); keep-alives come from one shared ticker; and subscribers
// with the same viewer and the same operation share one resolved stream (stream.go), so an
// event is resolved and encoded once, not once per subscriber.
//
// It knows nothing of Parley's schema: graph wires it into its handler with Options, and the
// server's middleware in front of both checks origins and fills the request's context.
package wstransport

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	coderws "github.com/coder/websocket"
	"github.com/prometheus/client_golang/prometheus"
)

// Options tune a Transport. The zero value is usable: every limit falls back to its default.
type Options struct {
	// Authenticate turns a connection_init payload into the context every operation of the
	// connection runs in; browsers cannot set an Authorization header on a WebSocket, so
	// credentials travel in that payload. The viewer it puts in the context
	// (parley.NewContextWithUser) decides which subscribers share a stream. An error refuses
	// the connection, and legacy clients are told its message. Nil admits every connection
	// as it came.
	Authenticate func(ctx context.Context, payload transport.InitPayload) (context.Context, error)
	// InitTimeout is how long a client has to send connection_init. Default
	// DefaultInitTimeout.
	InitTimeout time.Duration
	// MaxSubscriptions bounds what one connection may hold open: a client that opens
	// hundreds costs every other subscriber. The one past the limit is answered
	// RATE_LIMITED. Default DefaultMaxSubscriptions.
	MaxSubscriptions int
	// Writers is the number of goroutines that write to all connections. Default
	// DefaultWriters.
	Writers int
	// KeepAlive is how often legacy graphql-ws clients get a "ka" message. Default
	// DefaultKeepAlive.
	KeepAlive time.Duration
	// Metrics, when set, receives the gauges of connections, subscriptions and shared
	// streams, and the count of events dropped for slow subscribers.
	Metrics prometheus.Registerer
	// Logger receives the errors no client can be told of (a stream that panicked, an event
	// that would not encode); nil discards them.
	Logger *slog.Logger
}

// Defaults of Options.
const (
	DefaultInitTimeout      = 10 * time.Second
	DefaultKeepAlive        = 25 * time.Second
	DefaultMaxSubscriptions = 20
	// DefaultWriters is a few dozen: writes to sockets with room do not block, so a few
	// writers suffice; more of them bound how long a handful of stalled readers (each
	// holding one writer up to writeTimeout) can delay everyone else.
	DefaultWriters = 64
)

// Limits of one WebSocket connection.
const (
	subprotocol       = "graphql-transport-ws"
	legacySubprotocol = "graphql-ws"
	// readLimit bounds one client message, as gqlgen's transport did.
	readLimit = 1 << 20
	// readBuffer and writeBuffer replace net/http's 4 kB buffers of a hijacked
	// connection: a subscriber's messages are a few hundred bytes, and ten thousand idle
	// subscribers would otherwise hold 80 MB of buffers for nothing.
	readBuffer  = 512
	writeBuffer = 2048
)

// Transport is a gqlgen transport for WebSocket upgrades. All the connections it accepts
// share its writers, its keep-alive ticker and its streams.
type Transport struct {
	hub *hub
}

var _ graphql.Transport = (*Transport)(nil)

// New returns a transport; add it to gqlgen's handler before the GET transport, which
// would otherwise take the upgrade requests.
func New(o Options) *Transport {
	if o.InitTimeout <= 0 {
		o.InitTimeout = DefaultInitTimeout
	}
	if o.MaxSubscriptions <= 0 {
		o.MaxSubscriptions = DefaultMaxSubscriptions
	}
	if o.Writers <= 0 {
		o.Writers = DefaultWriters
	}
	if o.KeepAlive <= 0 {
		o.KeepAlive = DefaultKeepAlive
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Authenticate == nil {
		o.Authenticate = func(ctx context.Context, _ transport.InitPayload) (context.Context, error) { return ctx, nil }
	}
	h := newHub(o)
	if o.Metrics != nil {
		h.registerMetrics(o.Metrics)
	}
	return &Transport{hub: h}
}

// Supports tells gqlgen which requests are this transport's: WebSocket upgrades.
func (t *Transport) Supports(r *http.Request) bool { return r.Header.Get("Upgrade") != "" }

// Do upgrades the request and returns at once: the connection's reader runs in a goroutine
// of its own, whose stack is shallow, rather than in the request's, whose stack holds every
// middleware frame for as long as the connection lives.
func (t *Transport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	// The server's origin policy has refused disallowed cross-origin upgrades before they
	// get here, so the library's own same-origin check is off.
	var c *conn
	hj := &leanHijacker{ResponseWriter: w}
	ws, err := coderws.Accept(hj, r, &coderws.AcceptOptions{
		Subprotocols:       []string{legacySubprotocol, subprotocol},
		InsecureSkipVerify: true,
	})
	if err != nil {
		return // Accept has answered the request
	}
	ws.SetReadLimit(readLimit)
	c = &conn{
		hub:    t.hub,
		ws:     ws,
		nc:     hj.conn,
		exec:   exec,
		legacy: ws.Subprotocol() != subprotocol,
		// The request ends when Do returns; the connection's values (identity, request ID)
		// live on.
		ctx: context.WithoutCancel(r.Context()),
	}
	if !t.hub.track(c) {
		// Shutdown has begun; the client is told so, as every other one was.
		_ = ws.Close(coderws.StatusServiceRestart, shutdownReason)
		return
	}
	go c.serve()
}

// Reset closes every connection with 1013 (try again later) after what is queued to it,
// for when this replica may have missed events (its NATS connection was lost and is back):
// its subscribers reconnect and read what they missed, as after any reconnection, instead
// of waiting on subscriptions with a hole in them.
func (t *Transport) Reset(reason string) {
	h := t.hub
	h.mu.Lock()
	conns := make([]*conn, 0, len(h.open))
	for c := range h.open {
		conns = append(conns, c)
	}
	h.mu.Unlock()
	for _, c := range conns {
		c.closeAfterQueue(coderws.StatusTryAgainLater, reason)
	}
}

// shutdownReason is the close reason of the connections Shutdown ends.
const shutdownReason = "server restarting"

// Shutdown closes every connection with the close code for a service restart (1012),
// after what is already queued to it; clients such as graphql-ws reconnect at once on that
// code, and through a balancer they reach a replica that stays. Connections upgraded after
// it are closed the same way. It returns when every close handshake has ended, or drops
// what is left when ctx ends first and returns ctx's error.
func (t *Transport) Shutdown(ctx context.Context) error {
	h := t.hub
	h.mu.Lock()
	if !h.shutdown {
		h.shutdown = true
		if len(h.open) == 0 {
			close(h.idle)
		}
	}
	conns := make([]*conn, 0, len(h.open))
	for c := range h.open {
		conns = append(conns, c)
	}
	h.mu.Unlock()
	for _, c := range conns {
		c.closeAfterQueue(coderws.StatusServiceRestart, shutdownReason)
	}
	select {
	case <-h.idle:
		return nil
	case <-ctx.Done():
	}
	h.mu.Lock()
	conns = conns[:0]
	for c := range h.open {
		conns = append(conns, c)
	}
	h.mu.Unlock()
	for _, c := range conns {
		c.abort()
	}
	return ctx.Err()
}

// registerMetrics gives the hub's counts to a metrics registry.
func (h *hub) registerMetrics(reg prometheus.Registerer) {
	reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "parley_live_subscribers", Help: "Live subscriptions this replica's WebSocket clients hold."},
			func() float64 { return float64(h.subscriptions.Load()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "parley_websocket_connections", Help: "WebSocket connections past connection_init."},
			func() float64 { return float64(h.connections.Load()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "parley_live_shared_streams", Help: "Resolved subscription streams, each shared by the subscribers with the same viewer and operation."},
			func() float64 { return float64(h.streamCount()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "parley_live_dropped_total", Help: "Events a slow subscriber lost because its queue was full."},
			func() float64 { return float64(h.dropped.Load()) }),
	)
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
	br := bufio.NewReaderSize(nc, readBuffer)
	// net/http may have read ahead (its background read takes a byte); the library takes
	// over what the reader has buffered, so those bytes must be in the new buffer.
	if n := brw.Reader.Buffered(); n > 0 {
		b, _ := brw.Reader.Peek(n)
		br = bufio.NewReaderSize(io.MultiReader(bytes.NewReader(bytes.Clone(b)), nc), readBuffer)
		if _, err := br.Peek(n); err != nil {
			br = brw.Reader // more than the small buffer holds: keep net/http's
		}
	}
	return nc, bufio.NewReadWriter(br, bufio.NewWriterSize(nc, writeBuffer)), nil
}
