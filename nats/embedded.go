package nats

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	natsgo "github.com/nats-io/nats.go"
)

// DefaultStoreDir is where the embedded server keeps JetStream data when EmbeddedOptions
// names no directory: <PARLEY_DATA_DIR>/nats with the default data directory.
const DefaultStoreDir = "data/nats"

// EmbeddedOptions configures the in-process NATS server that Parley runs when no NATS_URL
// is set. It serves one replica only: other processes cannot reach it unless Listen is set.
type EmbeddedOptions struct {
	// StoreDir holds the JetStream files; cmd/parley passes <PARLEY_DATA_DIR>/nats. The
	// same directory after a restart brings the stream back with its events.
	StoreDir string
	// Listen, when set, also opens a client port on this loopback address (such as
	// "127.0.0.1:4222", or port 0 for a free one) for tests and the nats CLI. Empty (the
	// default) means in-process connections only: no client, route or leaf-node listener.
	// Non-loopback addresses are refused: the embedded server has no authentication.
	Listen string
	// ServerName names the server in logs and JetStream metadata, "parley" by default.
	ServerName string
	// Logger receives the server's warnings and errors; its routine notices go to debug.
	Logger *slog.Logger
	// ReadyTimeout bounds start-up, 10 seconds by default.
	ReadyTimeout time.Duration
	// MaxStore caps JetStream's disk use in bytes; 0 lets the server pick (a share of the
	// free disk).
	MaxStore int64
	// Federation, when set, opens the leaf-node listener for peers (PARLEY_FEDERATION_ADDR)
	// and connects to the active peers, each in an account of its own (see AppAccount).
	// Parley's own connections then live in AppAccount rather than the global account, so
	// the event stream of an instance that turns federation on starts anew (the outbox in
	// PostgreSQL, not the stream, is the record).
	Federation *FederationOptions
}

// Embedded is a NATS server with JetStream running inside the Parley process, so that a
// single-replica install needs no NATS of its own and still gets durable, replayable events.
type Embedded struct {
	srv      *server.Server
	log      *slog.Logger
	listens  bool
	shutdown sync.Once
	// baseOptions rebuilds the options the server started with, before federation, for
	// the reloads of SetFederationPeers.
	baseOptions func() *server.Options
	mu          sync.Mutex
	fed         *FederationOptions
	appPassword string
}

// StartEmbedded starts the server and returns once it accepts connections with JetStream
// enabled.
func StartEmbedded(opts EmbeddedOptions) (*Embedded, error) {
	log := orDiscard(opts.Logger)
	if opts.StoreDir == "" {
		opts.StoreDir = filepath.FromSlash(DefaultStoreDir)
	}
	if opts.ServerName == "" {
		opts.ServerName = ClientName
	}
	if opts.ReadyTimeout <= 0 {
		opts.ReadyTimeout = 10 * time.Second
	}
	dir, err := filepath.Abs(opts.StoreDir)
	if err != nil {
		return nil, fmt.Errorf("embedded NATS store directory: %w", err)
	}
	var host string
	var port int
	if opts.Listen != "" {
		if host, port, err = loopback(opts.Listen); err != nil {
			return nil, err
		}
	}
	base := func() *server.Options {
		sopts := &server.Options{
			ServerName:        opts.ServerName,
			JetStream:         true,
			StoreDir:          dir,
			JetStreamMaxStore: opts.MaxStore,
			DontListen:        opts.Listen == "",
			NoSigs:            true, // the process's signals belong to cmd/parley
			// With federation the configuration names its own accounts; the system
			// account would be one more that nothing here uses.
			NoSystemAccount: opts.Federation != nil,
		}
		if opts.Listen != "" {
			sopts.Host, sopts.Port = host, port
		}
		return sopts
	}
	sopts := base()
	var appPassword string
	if opts.Federation != nil {
		appPassword = randomPassword()
		if err := applyFederation(sopts, *opts.Federation, appPassword); err != nil {
			return nil, err
		}
	}
	srv, err := server.NewServer(sopts)
	if err != nil {
		return nil, fmt.Errorf("embedded NATS: %w", err)
	}
	srv.SetLoggerV2(serverLogger{log: log}, false, false, false)
	go srv.Start()
	if !srv.ReadyForConnections(opts.ReadyTimeout) {
		srv.Shutdown()
		srv.WaitForShutdown()
		return nil, fmt.Errorf("embedded NATS: not ready within %s (store %s)", opts.ReadyTimeout, dir)
	}
	if !srv.JetStreamEnabled() {
		srv.Shutdown()
		srv.WaitForShutdown()
		return nil, fmt.Errorf("embedded NATS: JetStream did not start (store %s); see the log", dir)
	}
	e := &Embedded{srv: srv, log: log, listens: opts.Listen != "", baseOptions: base, appPassword: appPassword}
	if opts.Federation != nil {
		fed := *opts.Federation
		e.fed = &fed
		log.Info("embedded NATS accepts federation leaf connections", "address", fed.Listen, "peers", len(fed.Peers))
	}
	log.Info("embedded NATS started", "store", dir, "listen", opts.Listen)
	return e, nil
}

// randomPassword is the password of the app's account user: in-process connections sign in
// with it (Connect) and nothing else ever has it.
func randomPassword() string {
	var b [18]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// loopback splits a listen address and refuses anything but a loopback host. Port 0 becomes
// the server's "any free port".
func loopback(addr string) (string, int, error) {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, fmt.Errorf("embedded NATS listen address %q: %w", addr, err)
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 0 || port > 65535 {
		return "", 0, fmt.Errorf("embedded NATS listen address %q: bad port", addr)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return "", 0, fmt.Errorf("embedded NATS listen address %q: only loopback addresses may be used, the embedded server has no authentication", addr)
	}
	if port == 0 {
		port = server.RANDOM_PORT
	}
	return host, port, nil
}

// Connect returns a connection to the server through an in-process pipe (no socket). The
// connection does not try to reconnect: the in-process server cannot come back under the
// same pipe, so when the server stops the connection closes and its owner (such as the
// Relay, through RelayOptions.Connect) asks for a new one. opts are applied last.
func (e *Embedded) Connect(opts ...natsgo.Option) (*natsgo.Conn, error) {
	all := append([]natsgo.Option{
		natsgo.InProcessServer(e.srv),
		natsgo.Name(ClientName),
		natsgo.NoReconnect(),
		natsgo.ReconnectBufSize(-1),
	}, connLogging(e.log)...)
	if e.appPassword != "" {
		all = append(all, natsgo.UserInfo("app", e.appPassword))
	}
	all = append(all, opts...)
	nc, err := natsgo.Connect(e.srv.ClientURL(), all...)
	if err != nil {
		return nil, fmt.Errorf("connect to embedded NATS: %w", err)
	}
	return nc, nil
}

// ClientURL is the address of the loopback listener for other processes, or "" when the
// server listens in-process only.
func (e *Embedded) ClientURL() string {
	if !e.listens {
		return ""
	}
	return e.srv.ClientURL()
}

// Shutdown stops the server, closing every connection, and returns once JetStream has
// flushed and closed its files, so that a new server may open the same store directory.
// Calling it again does nothing.
func (e *Embedded) Shutdown() {
	e.shutdown.Do(func() {
		e.srv.Shutdown()
		e.srv.WaitForShutdown()
		e.log.Info("embedded NATS stopped")
	})
}

// serverLogger sends the server's log lines to slog. Notices (the start-up banner, routine
// JetStream messages) are debug lines for Parley's operators; warnings and errors stay.
type serverLogger struct{ log *slog.Logger }

func (l serverLogger) Noticef(format string, v ...any) { l.emit(slog.LevelDebug, format, v) }
func (l serverLogger) Warnf(format string, v ...any)   { l.emit(slog.LevelWarn, format, v) }
func (l serverLogger) Fatalf(format string, v ...any)  { l.emit(slog.LevelError, format, v) }
func (l serverLogger) Errorf(format string, v ...any)  { l.emit(slog.LevelError, format, v) }
func (l serverLogger) Debugf(format string, v ...any)  { l.emit(slog.LevelDebug, format, v) }
func (l serverLogger) Tracef(format string, v ...any)  { l.emit(slog.LevelDebug, format, v) }

func (l serverLogger) emit(level slog.Level, format string, v []any) {
	ctx := context.Background()
	if l.log.Enabled(ctx, level) {
		l.log.Log(ctx, level, fmt.Sprintf(format, v...), "component", "nats-server")
	}
}
