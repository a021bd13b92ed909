package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/nats"
	"github.com/parleyhq/parley/postgres"
)

// bus is the event bus of one running server: the relay that drains the outbox to
// JetStream, on an external NATS (NATS_URL) or an embedded one.
type bus struct {
	relay *nats.Relay
	// conn carries live subscriptions and the requests to NATS moderation plug-ins.
	conn  *natsgo.Conn
	close func()
	// consume runs a durable consumer of the event stream until the bus closes.
	consume func(name string, handle nats.Handler)
	// consumeBatch runs one whose handler takes runs of up to max events.
	consumeBatch func(name string, max int, handle nats.BatchHandler)
	// js is the JetStream handle of the bus, for federation's streams.
	js jetstream.JetStream
	// embedded is the embedded server, nil with NATS_URL; it keeps the federation leaf
	// connections when PARLEY_FEDERATION_ADDR is set.
	embedded *nats.Embedded
	// runCtx ends when the bus closes; background work on the bus runs under it.
	runCtx context.Context
}

// onReconnect calls f each time the live connection is back after being lost: the live
// feeds' core NATS subscriptions missed what was published meanwhile.
func (b *bus) onReconnect(f func()) {
	ch := b.conn.StatusChanged(natsgo.CONNECTED, natsgo.CLOSED)
	go func() {
		defer b.conn.RemoveStatusListener(ch)
		for s := range ch {
			if s == natsgo.CLOSED {
				return
			}
			f()
		}
	}()
}

// liveConn is the connection for live subscriptions, in the form nats.NewFeed takes.
func (b *bus) liveConn() *natsgo.Conn { return b.conn }

// startBus connects to NATS (or starts the embedded server), makes sure the stream exists
// and starts the relay. Requests never wait for any of it: a NATS outage only delays events.
func startBus(ctx context.Context, cfg *Config, db *postgres.DB, logger *slog.Logger) (*bus, error) {
	if err := nats.ValidateInstance(cfg.Instance); err != nil {
		return nil, fmt.Errorf("PARLEY_INSTANCE: %w", err)
	}
	var emb *nats.Embedded
	var js jetstream.JetStream
	var connect func(context.Context) (jetstream.JetStream, error)
	var live *natsgo.Conn
	closers := []func(){}
	closeAll := func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	if cfg.NATSURL == "" {
		eo := nats.EmbeddedOptions{StoreDir: filepath.Join(cfg.DataDir, "nats"), Logger: logger}
		if cfg.FederationAddr != "" {
			// No peer yet: the federation runtime lets them in, with their credentials,
			// as soon as it starts (federationRuntime.reconcile).
			eo.Federation = &nats.FederationOptions{Instance: cfg.Instance, Listen: cfg.FederationAddr}
			// Peers tell leaf connections apart by server name: two peers' servers both
			// named "parley" would take turns evicting each other's connection to a third.
			eo.ServerName = nats.ClientName + "-" + cfg.Instance
		}
		var err error
		emb, err = nats.StartEmbedded(eo)
		if err != nil {
			return nil, fmt.Errorf("embedded NATS: %w", err)
		}
		closers = append(closers, emb.Shutdown)
		// The relay may reconnect at any time; every connection it was given is closed
		// before the server stops, so a clean shutdown reports no lost connection.
		var mu sync.Mutex
		var relayConns []*natsgo.Conn
		closers = append(closers, func() {
			mu.Lock()
			defer mu.Unlock()
			for _, nc := range relayConns {
				nc.Close()
			}
		})
		connect = func(context.Context) (jetstream.JetStream, error) {
			nc, err := emb.Connect()
			if err != nil {
				return nil, err
			}
			mu.Lock()
			relayConns = append(relayConns, nc)
			mu.Unlock()
			return nats.NewJetStream(nc)
		}
		if js, err = connect(ctx); err != nil {
			closeAll()
			return nil, err
		}
		if live, err = emb.Connect(); err != nil {
			closeAll()
			return nil, err
		}
		closers = append(closers, live.Close)
	} else {
		dialCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
		nc, err := nats.Connect(dialCtx, cfg.NATSURL, logger)
		cancel()
		if err != nil {
			return nil, err
		}
		closers = append(closers, nc.Close)
		live = nc
		if js, err = nats.NewJetStream(nc); err != nil {
			closeAll()
			return nil, err
		}
	}
	if err := ensureStream(ctx, js, cfg.NATSReplicas, logger); err != nil {
		closeAll()
		return nil, fmt.Errorf("event stream: %w", err)
	}
	relay, err := nats.NewRelay(postgres.NewOutboxStore(db), js, nats.RelayOptions{Instance: cfg.Instance, Logger: logger, Connect: connect,
		// A stream leader that dies takes the acks of the batch in flight with it; the soak
		// saw the relay wait out the 10 s default although a new leader was elected in 4.
		// Publishing again sooner is safe: the stream and the live feeds drop repeats.
		AckTimeout: relayAckTimeout})
	if err != nil {
		closeAll()
		return nil, err
	}
	runCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := relay.Run(runCtx); err != nil && runCtx.Err() == nil {
			logger.Error("outbox relay stopped", "error", err)
		}
	}()
	var consumers sync.WaitGroup
	consumeBatch := func(name string, max int, handle nats.BatchHandler) {
		consumers.Go(func() {
			o := nats.DurableOptions{Name: "parley-" + name + "-" + cfg.Instance, Instance: cfg.Instance, Logger: logger}
			if max > 1 {
				o.Linger = consumerLinger
			}
			if err := nats.RunDurableBatch(runCtx, js, o, max, handle); err != nil {
				logger.Error("event consumer stopped", "consumer", name, "error", err)
			}
		})
	}
	consume := func(name string, handle nats.Handler) {
		consumeBatch(name, 1, func(ctx context.Context, es []parley.OutboxEvent) error { return handle(ctx, es[0]) })
	}
	return &bus{relay: relay, conn: live, consume: consume, consumeBatch: consumeBatch, js: js, embedded: emb, runCtx: runCtx, close: func() {
		stop()
		<-done
		consumers.Wait()
		closeAll()
	}}, nil
}

// consumerLinger is how long the consumers that take runs (trust, webhooks, notifications)
// wait after an event for more: under a steady flow of comments each run then holds many
// events, with one transaction and one acknowledgement, where it would hold one or two; what
// they do comes at most this much later, which no reader notices of a trust signal, a bell
// or a webhook.
const consumerLinger = 50 * time.Millisecond

// streamSetupTimeout bounds how long a starting replica retries creating the event stream:
// a NATS cluster that has just started takes a few seconds to elect the leaders that create
// a replicated stream, and replicas starting together ask at once.
const streamSetupTimeout = time.Minute

// ensureStream creates or updates the event stream, retrying within streamSetupTimeout.
func ensureStream(ctx context.Context, js jetstream.JetStream, replicas int, logger *slog.Logger) error {
	ctx, cancel := context.WithTimeout(ctx, streamSetupTimeout)
	defer cancel()
	wait := 250 * time.Millisecond
	for {
		// Each attempt has its own deadline: a request sent before the cluster has a leader
		// is never answered, and must not use up the whole wait.
		attempt, cancelAttempt := context.WithTimeout(ctx, 5*time.Second)
		_, err := nats.EnsureStream(attempt, js, nats.StreamConfig{Replicas: replicas})
		cancelAttempt()
		if err == nil {
			return nil
		}
		logger.Warn("event stream not ready; retrying", "error", err, "after", wait)
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		wait = min(2*wait, 5*time.Second)
	}
}

// relayAckTimeout is how long the relay waits for a batch's acks before it publishes the
// rest again; acks take milliseconds on a healthy cluster.
const relayAckTimeout = 3 * time.Second

// natsJetStream is the JetStream handle of a connection, as the relay makes it.
func natsJetStream(nc *natsgo.Conn) (jetstream.JetStream, error) { return nats.NewJetStream(nc) }
