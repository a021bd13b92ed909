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
	// js is the JetStream handle of the bus, for federation's streams.
	js jetstream.JetStream
	// embedded is the embedded server, nil with NATS_URL; it keeps the federation leaf
	// connections when PARLEY_FEDERATION_ADDR is set.
	embedded *nats.Embedded
	// runCtx ends when the bus closes; background work on the bus runs under it.
	runCtx context.Context
}

// liveConn is the connection for live subscriptions, in the form nats.NewFeed takes.
func (b *bus) liveConn() *natsgo.Conn { return b.conn }

// startBus connects to NATS (or starts the embedded server), makes sure the stream exists
// and starts the relay. Requests never wait for any of it: a NATS outage only delays events.
func startBus(ctx context.Context, cfg *Config, db *postgres.DB, logger *slog.Logger) (*bus, error) {
	if err := nats.ValidateInstance(cfg.Instance); err != nil {
		return nil, fmt.Errorf("PARLEY_INSTANCE: %w", err)
	}
	if cfg.FederationAddr != "" && cfg.NATSURL != "" {
		return nil, fmt.Errorf("PARLEY_FEDERATION_ADDR opens a listener of the embedded NATS server, and NATS_URL is set: configure leaf nodes on your NATS instead (see the README's Federation section) and unset PARLEY_FEDERATION_ADDR")
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
			peers, err := activePeerAddresses(ctx, postgres.NewFederationStore(db))
			if err != nil {
				return nil, err
			}
			eo.Federation = &nats.FederationOptions{Instance: cfg.Instance, Listen: cfg.FederationAddr, Peers: peers}
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
	if _, err := nats.EnsureStream(ctx, js, nats.StreamConfig{Replicas: cfg.NATSReplicas}); err != nil {
		closeAll()
		return nil, fmt.Errorf("event stream: %w", err)
	}
	relay, err := nats.NewRelay(postgres.NewOutboxStore(db), js, nats.RelayOptions{Instance: cfg.Instance, Logger: logger, Connect: connect})
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
	consume := func(name string, handle nats.Handler) {
		consumers.Go(func() {
			o := nats.DurableOptions{Name: "parley-" + name + "-" + cfg.Instance, Instance: cfg.Instance, Logger: logger}
			if err := nats.RunDurable(runCtx, js, o, handle); err != nil {
				logger.Error("event consumer stopped", "consumer", name, "error", err)
			}
		})
	}
	return &bus{relay: relay, conn: live, consume: consume, js: js, embedded: emb, runCtx: runCtx, close: func() {
		stop()
		<-done
		consumers.Wait()
		closeAll()
	}}, nil
}

// activePeerAddresses maps each active peer that has a federation address to it: the peers
// the embedded server keeps leaf connections to.
func activePeerAddresses(ctx context.Context, store *postgres.FederationStore) (map[string]string, error) {
	peers, err := store.ListPeers(ctx)
	if err != nil {
		return nil, fmt.Errorf("federation peers: %w", err)
	}
	out := map[string]string{}
	for _, p := range peers {
		if p.State == parley.PeerActive && p.FederationAddress != "" {
			out[p.Name] = p.FederationAddress
		}
	}
	return out, nil
}

// natsJetStream is the JetStream handle of a connection, as the relay makes it.
func natsJetStream(nc *natsgo.Conn) (jetstream.JetStream, error) { return nats.NewJetStream(nc) }
