package federation

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/parleyhq/parley"
)

// Tombstones tracked to the end (issue 13, item 7): a tombstone is recorded with the peers
// its story is shared with; each peer answers with an ack envelope once it has erased its
// copy (or held none); what a peer has not acknowledged is sent again, as a new envelope
// of the same object (the first one's ID would be refused as a replay, and it would be
// stale), until it is.

// TombstoneRetryAfter is how long a tombstone waits for its acknowledgements before it is
// sent again.
const TombstoneRetryAfter = time.Minute

// WithTombstones makes the publisher track tombstones in ts and returns it.
func (p *Publisher) WithTombstones(ts parley.TombstoneStore) *Publisher {
	p.tombstones = ts
	return p
}

// track records a tombstone sent to the active ones of peers.
func (p *Publisher) track(ctx context.Context, id string, peers []*parley.Peer, typ, objectID string) error {
	if p.tombstones == nil {
		return nil
	}
	var ids []string
	for _, peer := range peers {
		if peer.State == parley.PeerActive {
			ids = append(ids, peer.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	return p.tombstones.AddTombstone(ctx, parley.Tombstone{ID: id, ObjectType: typ, ObjectID: objectID}, ids)
}

// RetryTombstones sends again, as new envelopes, the tombstones some active peer has not
// acknowledged within TombstoneRetryAfter (before, in tests); it returns how many.
func (p *Publisher) RetryTombstones(ctx context.Context, before time.Time) (int, error) {
	if p.tombstones == nil {
		return 0, nil
	}
	ts, err := p.tombstones.UnackedTombstones(ctx, before, 100)
	if err != nil {
		return 0, err
	}
	for i, t := range ts {
		signer, err := p.id.Signer(ctx)
		if err != nil {
			return i, err
		}
		// The retry's ID derives from the first one's and the attempt's time, so the
		// receivers' ledger lets it through; the object's deletion is idempotent there.
		id := fmt.Sprintf("%s.r%d", t.ID, p.now().UnixMilli())
		raw, err := jsonMarshal(TombstonePayload{Object: ObjectRef{Instance: p.id.Name(), ID: t.ObjectID}, Type: t.ObjectType})
		if err != nil {
			return i, err
		}
		env, err := signer.SignRaw(id, KindTombstone, raw, p.now())
		if err != nil {
			return i, err
		}
		// Only to the peers that have not acknowledged it.
		if err := p.transport.PublishTo(ctx, env, t.Pending); err != nil {
			return i, err
		}
		if err := p.tombstones.MarkTombstoneSent(ctx, t.ID, p.now()); err != nil {
			return i, err
		}
	}
	return len(ts), nil
}

// Ack answers an applied tombstone of a peer with an ack envelope naming it. A retry names
// its first envelope (the part of its ID before ".r").
func (p *Publisher) Ack(ctx context.Context, v *Verified) error {
	t, ok := v.Payload.(*TombstonePayload)
	if !ok {
		return nil
	}
	first := v.Envelope.ID
	for i := len(first) - 1; i > 0; i-- {
		if first[i] == '.' && i+1 < len(first) && first[i+1] == 'r' {
			first = first[:i]
			break
		}
	}
	// Derived from what it answers, so answering the same envelope twice makes one ack.
	sum := sha256.Sum256([]byte(v.Envelope.Origin + "/" + v.Envelope.ID))
	return p.publish(ctx, "ack."+hex.EncodeToString(sum[:16]), KindAck, AckPayload{Tombstone: first, Object: t.Object}, []string{v.Envelope.Origin})
}

// AckApplier records peers' acknowledgements of this instance's tombstones; an ack of
// another instance's tombstone (which a peer has no reason to send us) is ignored.
type AckApplier struct {
	self       string
	tombstones parley.TombstoneStore
}

// NewAckApplier returns the ack applier of instance self.
func NewAckApplier(self string, ts parley.TombstoneStore) *AckApplier {
	return &AckApplier{self: self, tombstones: ts}
}

// Apply records the acknowledgement.
func (a *AckApplier) Apply(ctx context.Context, v *Verified) error {
	p, ok := v.Payload.(*AckPayload)
	if !ok || p.Object.Instance != a.self {
		return nil
	}
	return a.tombstones.AckTombstone(ctx, p.Tombstone, v.Envelope.Origin, v.Envelope.CreatedTime())
}

// Tombstones lists the newest tombstones with their coverage (admins only).
func (s *Service) Tombstones(ctx context.Context, first int) ([]*parley.Tombstone, error) {
	if err := requireAdmin(ctx); err != nil {
		return nil, err
	}
	if first <= 0 || first > 100 {
		return nil, parley.FieldErrorf("first", "Ask for 1 to 100 tombstones.")
	}
	if s.o.Tombstones == nil {
		return []*parley.Tombstone{}, nil
	}
	return s.o.Tombstones.Tombstones(ctx, first)
}
