package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	natsgo "github.com/nats-io/nats.go"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/federation"
	"github.com/parleyhq/parley/nats"
	"github.com/parleyhq/parley/postgres"
)

// federationRuntime runs the federation transport of a server with PARLEY_FEDERATION_ADDR:
// it keeps the embedded server's leaf connections (an external NATS keeps its own) and the inbound consumers in step with the
// peers in the database, on every change through the API and every 15 seconds (for changes
// made by `parley peer` from another process).
type federationRuntime struct {
	store  *postgres.FederationStore
	labels *postgres.LabelStore
	// tombstones tracks deletions sent until peers acknowledge them.
	tombstones *postgres.TombstoneStore
	logger     *slog.Logger
	wake       chan struct{}
	mu         sync.Mutex
	transport  *federation.Transport
	events     *bus
	identity   *federation.Identity
	// accounts erases the local records of remote users their home instance erased.
	accounts federation.UserEraser
	// monitorURL, with an external NATS, is its monitoring endpoint (PARLEY_NATS_MONITOR_URL):
	// its /leafz says which leaf connections are up.
	monitorURL string
	// leafs names the active peers a leaf connection is wanted to, as of the last reconcile.
	leafs []string
}

func newFederationRuntime(store *postgres.FederationStore, labels *postgres.LabelStore, tombstones *postgres.TombstoneStore, logger *slog.Logger) *federationRuntime {
	return &federationRuntime{store: store, labels: labels, tombstones: tombstones, logger: logger, wake: make(chan struct{}, 1)}
}

// lag answers a peer's backlog from the transport; an error while it is not running.
func (r *federationRuntime) lag(ctx context.Context, peer string) (uint64, error) {
	r.mu.Lock()
	t := r.transport
	r.mu.Unlock()
	if t == nil {
		return 0, errNoTransport
	}
	return t.Lag(ctx, peer)
}

var errNoTransport = errors.New("federation transport not running")

// changed asks for a reconciliation; it never blocks.
func (r *federationRuntime) changed() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// defederated purges a defederated peer's backlog when asked (the federation service hides
// its content).
func (r *federationRuntime) defederated(ctx context.Context, p *parley.Peer, in parley.DefederateInput) error {
	r.reconcile(ctx)
	r.mu.Lock()
	t := r.transport
	r.mu.Unlock()
	if in.PurgeBacklog && t != nil {
		if err := t.Purge(ctx, p.Name); err != nil {
			return err
		}
	}
	return nil
}

// start builds the transport on the bus and runs it until the bus closes.
func (r *federationRuntime) start(ctx context.Context, cfg *Config, events *bus, svc *services, metrics prometheus.Registerer) error {
	if cfg.FederationAddr == "" {
		return nil
	}
	// With NATS_URL the operator's NATS holds the federation accounts and leaf nodes (the
	// README's configuration); the transport works in the account NATS_URL signs in to.
	var nc *natsgo.Conn
	var err error
	if events.embedded != nil {
		nc, err = events.embedded.Connect()
	} else {
		dialCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
		nc, err = nats.Connect(dialCtx, cfg.NATSURL, r.logger)
		cancel()
	}
	if err != nil {
		return err
	}
	js, err := natsJetStream(nc)
	if err != nil {
		nc.Close()
		return err
	}
	comments := federation.NewCommentApplier(cfg.Instance, r.store, svc.graph.Stories, svc.graph.Comments, r.logger).
		HoldRepliesIn(r.store).EraseUsersWith(r.accounts)
	labels := federation.NewLabelApplier(cfg.Instance, r.labels, r.store, svc.graph.Comments, svc.graph.Queues, r.logger)
	acks := federation.NewAckApplier(cfg.Instance, r.tombstones)
	reactions := federation.NewReactionApplier(cfg.Instance, r.store, svc.graph.Reactions, r.logger)
	// The publisher needs the transport, which needs the inbound side: it is set before
	// any consumer starts (reconcile runs after).
	var publisher *federation.Publisher
	applier := federation.ApplierFunc(func(ctx context.Context, v *federation.Verified) error {
		switch v.Envelope.Kind {
		case federation.KindLabel:
			return labels.Apply(ctx, v)
		case federation.KindAck:
			return acks.Apply(ctx, v)
		case federation.KindReactionAdded, federation.KindReactionRemoved:
			return reactions.Apply(ctx, v)
		case federation.KindTombstone:
			if err := comments.Apply(ctx, v); err != nil {
				return err
			}
			return publisher.Ack(ctx, v)
		}
		return comments.Apply(ctx, v)
	})
	inbound := federation.NewInbound(svc.federation.Verifier(), r.store, applier, federation.InboundOptions{Logger: r.logger, Metrics: metrics, OnPause: r.changed,
		RefreshKeys: func(ctx context.Context) error { _, err := svc.federation.RefreshPeerKeys(ctx); return err }})
	t := federation.NewTransport(js, cfg.Instance, inbound, r.logger)
	if err := t.EnsureOutbound(ctx); err != nil {
		nc.Close()
		return err
	}
	r.mu.Lock()
	r.transport, r.events, r.identity = t, events, svc.identity
	r.monitorURL = cfg.NATSMonitorURL
	r.mu.Unlock()
	publisher = federation.NewPublisher(svc.identity, r.store, svc.graph.Stories, svc.graph.Users, svc.graph.Comments, t, r.logger).
		WithTombstones(r.tombstones)
	events.consume("federation", publisher.Handle)
	go newKeyAnnouncer(svc.federation, svc.identity, r.logger).run(events.runCtx)
	go func() {
		defer nc.Close()
		defer t.Close()
		// Peers' keys are read before the first consumer starts (15 seconds at most): a peer
		// that revoked a key while this server was down could not tell it, and what the peer
		// sent meanwhile is about to be read.
		startCtx, cancel := context.WithTimeout(events.runCtx, 15*time.Second)
		if _, err := svc.federation.RefreshPeerKeys(startCtx); err != nil {
			r.logger.Warn("federation: peers' keys not read at start", "error", err)
		}
		cancel()
		tick := time.NewTicker(15 * time.Second)
		defer tick.Stop()
		// Peers' documents are read again so that their rotated keys are pinned before
		// those keys sign (federation.DefaultActivation).
		refresh := time.NewTicker(federation.PeerRefreshInterval)
		defer refresh.Stop()
		for {
			r.reconcile(events.runCtx)
			select {
			case <-events.runCtx.Done():
				return
			case <-r.wake:
			case <-tick.C:
				if _, err := publisher.RetryTombstones(events.runCtx, time.Now().Add(-federation.TombstoneRetryAfter)); err != nil {
					r.logger.Warn("federation: tombstones not sent again", "error", err)
				}
				if _, err := comments.ReleaseOverdue(events.runCtx, time.Now().Add(-federation.HoldParentFor)); err != nil {
					r.logger.Warn("federation: held replies not released", "error", err)
				}
			case <-refresh.C:
				if _, err := svc.federation.RefreshPeerKeys(events.runCtx); err != nil {
					r.logger.Warn("federation: peers' keys not refreshed", "error", err)
				}
			}
		}
	}()
	return nil
}

// reconcile brings leaf connections and consumers in line with the peers stored.
func (r *federationRuntime) reconcile(ctx context.Context) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.transport == nil {
		return
	}
	peers, err := r.store.ListPeers(ctx)
	if err != nil {
		r.logger.Warn("federation: peers not read", "error", err)
		return
	}
	want := leafPeers(r.identity, peers, r.logger)
	r.leafs = r.leafs[:0]
	for name, p := range want {
		if p.Address != "" {
			r.leafs = append(r.leafs, name)
		}
	}
	slices.Sort(r.leafs)
	// An external NATS keeps the leaf connections its configuration names.
	if r.events.embedded != nil && !maps.Equal(want, r.events.embedded.FederationPeers()) {
		if err := r.events.embedded.SetFederationPeers(want); err != nil {
			r.logger.Error("federation: leaf connections not changed", "error", err)
		}
	}
	if err := r.transport.Reconcile(ctx, peers); err != nil {
		r.logger.Warn("federation: inbound streams", "error", err)
	}
}

// leafPeers is what the embedded server needs of the active peers: the address and the
// password to reach each, and the hash of the password each presents here. A peer without
// credentials yet (linked by an earlier version) gets them at the next key refresh.
func leafPeers(id *federation.Identity, peers []*parley.Peer, logger *slog.Logger) map[string]nats.FederationPeer {
	want := map[string]nats.FederationPeer{}
	for _, p := range peers {
		if p.State != parley.PeerActive {
			continue
		}
		secret, err := id.LeafSecret(p)
		if err != nil {
			logger.Error("federation: no leaf connection to a peer", "peer", p.Name, "error", err)
		}
		fp := nats.FederationPeer{Hash: p.LeafHash}
		if p.FederationAddress != "" && secret != "" {
			fp.Address, fp.Secret = p.FederationAddress, secret
		}
		if fp != (nats.FederationPeer{}) {
			want[p.Name] = fp
		}
	}
	return want
}

// check is the federation line of /readyz: "" when every active peer's leaf connection is
// up, else which are not. It does not decide readiness: a peer being down is not ours.
func (r *federationRuntime) check() string {
	wanted, up, err := r.links()
	if err != nil {
		return "leaf connections not known: " + err.Error()
	}
	var down []string
	for _, name := range wanted {
		if !slices.Contains(up, name) {
			down = append(down, name)
		}
	}
	if len(down) == 0 {
		return ""
	}
	return "no leaf connection to " + strings.Join(down, ", ")
}

// connected names the peers whose leaf connection is up (the Peers page's connection state).
func (r *federationRuntime) connected(context.Context) ([]string, error) {
	_, up, err := r.links()
	return up, err
}

// links names the peers a leaf connection is wanted to and those it is up to. With an
// external NATS the connections are that server's: they are read from its monitoring
// endpoint's /leafz when PARLEY_NATS_MONITOR_URL is set, and are not known otherwise.
func (r *federationRuntime) links() (wanted, up []string, err error) {
	r.mu.Lock()
	events, monitor := r.events, r.monitorURL
	wanted = slices.Clone(r.leafs)
	r.mu.Unlock()
	switch {
	case events == nil:
		return nil, nil, nil
	case events.embedded != nil:
		return slices.Sorted(maps.Keys(events.embedded.FederationPeers())), events.embedded.ConnectedPeers(), nil
	case len(wanted) == 0:
		return nil, nil, nil
	case monitor == "":
		return wanted, nil, errors.New("set PARLEY_NATS_MONITOR_URL to your NATS server's monitoring endpoint")
	}
	if up, err = monitoredPeers(monitor); err != nil {
		return wanted, nil, err
	}
	return wanted, up, nil
}

// monitorClient reads an external NATS server's monitoring endpoint; /readyz waits for it.
var monitorClient = &http.Client{Timeout: 2 * time.Second}

// monitoredPeers asks an external NATS server's monitoring endpoint (/leafz) which peers a
// leaf connection from it is up to: those bound to a PEER_<name> account, as `parley peer
// nats-config` names them.
func monitoredPeers(base string) ([]string, error) {
	resp, err := monitorClient.Get(strings.TrimRight(base, "/") + "/leafz")
	if err != nil {
		return nil, fmt.Errorf("NATS monitoring: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("NATS monitoring answered %s", resp.Status)
	}
	var lz struct {
		Leafs []struct {
			Account string `json:"account"`
		} `json:"leafs"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 4<<20)).Decode(&lz); err != nil {
		return nil, fmt.Errorf("NATS monitoring's /leafz: %w", err)
	}
	var up []string
	for _, l := range lz.Leafs {
		if name, ok := strings.CutPrefix(l.Account, "PEER_"); ok {
			up = append(up, name)
		}
	}
	return up, nil
}

// watchLabelSubscriptions makes the label stage forget a site's subscriptions when an event
// says they changed, on every replica (the live feed reaches each one).
func watchLabelSubscriptions(ctx context.Context, feed *nats.Feed, stage *federation.LabelStage) error {
	events, err := feed.AllEvents(ctx)
	if err != nil {
		return err
	}
	go func() {
		for e := range events {
			stage.Handle(e)
		}
	}()
	return nil
}
