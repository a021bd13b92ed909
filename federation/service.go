package federation

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/parleyhq/parley"
)

// Service is federation as the API offers it: this instance's identity and its peers. Every
// peer operation is for administrators only.
type Service struct {
	id       *Identity
	store    parley.FederationStore
	verifier *Verifier
	o        ServiceOptions
	// docs serialises reading each peer's document and pinning its keys.
	docs peerDocs
}

var _ parley.FederationService = (*Service)(nil)

// ServiceOptions configure NewService; the zero value is usable for tests of the identity.
type ServiceOptions struct {
	// PublicURL is where peers reach this instance (PARLEY_PUBLIC_URL); link messages carry it.
	PublicURL string
	// Client fetches peers' documents and sends link messages; 10-second timeout by default.
	Client *http.Client
	Logger *slog.Logger
	Now    func() time.Time
	// Stories finds the stories shareStory shares, and Users the role of who shares them;
	// without both, sharing is off.
	Stories parley.StoryService
	Users   parley.UserService
	// Queues rejects a defederated peer's comments when defederate asks to hide them; nil
	// refuses hideContent.
	Queues parley.QueueService
	// Labels keeps peers' labels and sites' subscriptions to them; with Sites, it turns on
	// subscribeLabels.
	Labels parley.LabelStore
	Sites  parley.SiteService
	// Tombstones, when set, answers the coverage of this instance's deletions.
	Tombstones parley.TombstoneStore
	// Lag, when set, answers how many of a peer's envelopes wait unapplied (the
	// transport's Lag); peers read without it show -1.
	Lag func(ctx context.Context, peer string) (uint64, error)
	// Connected, when set, names the peers whose leaf connection is up now; an error says
	// it cannot be known. Peers read without it show no connection state.
	Connected func(ctx context.Context) ([]string, error)
	// OnPeersChanged, when set, runs after a peer is added, linked, paused, resumed,
	// defederated or removed: the transport changes its leaf connections and consumers.
	OnPeersChanged func()
	// OnDefederate, when set, runs after a peer is defederated: the transport stops the
	// peer's source and purges its backlog, the content side hides what it showed.
	OnDefederate func(ctx context.Context, p *parley.Peer, in parley.DefederateInput) error
}

// NewService returns the service of an identity, keeping peers in store.
func NewService(id *Identity, store parley.FederationStore, o ServiceOptions) *Service {
	if o.Client == nil {
		o.Client = &http.Client{Timeout: 10 * time.Second}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Service{id: id, store: store, o: o,
		verifier: &Verifier{Self: id.Name(), Peer: store.FindPeerByName}}
}

// Verifier returns the verifier of envelopes from this instance's peers.
func (s *Service) Verifier() *Verifier { return s.verifier }

// Instance describes this instance; anyone may read it, as anyone may read the well-known
// document.
func (s *Service) Instance(ctx context.Context) (*parley.InstanceInfo, error) {
	return s.id.Info(ctx)
}

// changed tells the transport that peers changed.
func (s *Service) changed() {
	if s.o.OnPeersChanged != nil {
		s.o.OnPeersChanged()
	}
}

// requireAdmin answers EUNAUTHENTICATED or EFORBIDDEN unless the caller is an admin: peers
// decide what reaches every site of the instance.
func requireAdmin(ctx context.Context) error {
	u := parley.UserFromContext(ctx)
	if u == nil {
		return parley.Errorf(parley.EUNAUTHENTICATED, "Please sign in first.")
	}
	if !u.Admin {
		return parley.Errorf(parley.EFORBIDDEN, "Only administrators may manage peers.")
	}
	return nil
}

// Peers lists every peer by name.
func (s *Service) Peers(ctx context.Context) ([]*parley.Peer, error) {
	if err := requireAdmin(ctx); err != nil {
		return nil, err
	}
	peers, err := s.store.ListPeers(ctx)
	if err != nil {
		return nil, err
	}
	var up []string
	known := false
	if s.o.Connected != nil {
		var err error
		up, err = s.o.Connected(ctx)
		known = err == nil
	}
	for _, p := range peers {
		p.Lag = -1
		if p.State != parley.PeerActive {
			continue
		}
		if s.o.Lag != nil {
			if n, err := s.o.Lag(ctx, p.Name); err == nil {
				p.Lag = int(n)
			}
		}
		if known {
			connected := slices.Contains(up, p.Name)
			p.Connected = &connected
		}
	}
	return peers, nil
}

// RemovePeer forgets a peer: its keys are no longer pinned, so nothing of it is accepted.
func (s *Service) RemovePeer(ctx context.Context, peerID string) (*parley.Peer, error) {
	if err := requireAdmin(ctx); err != nil {
		return nil, err
	}
	p, err := s.store.FindPeerByID(ctx, peerID)
	if err != nil {
		return nil, err
	}
	if err := s.store.DeletePeer(ctx, p.ID); err != nil {
		return nil, err
	}
	s.changed()
	return p, nil
}

// PausePeer stops the flow with a peer while keeping the link, or resumes it: a resumed
// peer is active again only if both sides had added each other.
func (s *Service) PausePeer(ctx context.Context, in parley.PausePeerInput) (*parley.Peer, error) {
	if err := requireAdmin(ctx); err != nil {
		return nil, err
	}
	p, err := s.store.FindPeerByID(ctx, in.PeerID)
	if err != nil {
		return nil, err
	}
	if p.State == parley.PeerDefederated {
		return nil, parley.FieldErrorf("peerID", "Peer %s is defederated; remove it and add it again to federate anew.", p.Name)
	}
	switch {
	case in.Paused:
		p.State = parley.PeerPaused
	case p.LocalAdded && p.RemoteConfirmed:
		p.State = parley.PeerActive
	default:
		p.State = parley.PeerPending
	}
	if err := s.store.UpdatePeer(ctx, p); err != nil {
		return nil, err
	}
	s.changed()
	return p, nil
}

// Defederate ends a link at once: the verifier refuses everything from a defederated
// peer from this moment, and OnDefederate purges and hides as asked.
func (s *Service) Defederate(ctx context.Context, in parley.DefederateInput) (*parley.Peer, error) {
	if err := requireAdmin(ctx); err != nil {
		return nil, err
	}
	if in.HideContent && s.o.Queues == nil {
		return nil, parley.FieldErrorf("hideContent", "This server cannot hide a peer's content.")
	}
	p, err := s.store.FindPeerByID(ctx, in.PeerID)
	if err != nil {
		return nil, err
	}
	p.State = parley.PeerDefederated
	if err := s.store.UpdatePeer(ctx, p); err != nil {
		return nil, err
	}
	s.changed()
	if s.o.OnDefederate != nil {
		if err := s.o.OnDefederate(ctx, p, in); err != nil {
			return nil, err
		}
	}
	if in.HideContent {
		if err := s.hide(ctx, p); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// hide rejects every comment of the peer shown here, 100 at a time, with the peer named in
// the moderation note, so the moderation log says why.
func (s *Service) hide(ctx context.Context, p *parley.Peer) error {
	ids, err := s.store.RemoteComments(ctx, p.Name)
	if err != nil {
		return err
	}
	for len(ids) > 0 {
		n := min(len(ids), 100)
		if _, err := s.o.Queues.BulkModerate(ctx, ids[:n], parley.StatusRejected, parley.RejectOther, "Defederated from "+p.Name+"."); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}
