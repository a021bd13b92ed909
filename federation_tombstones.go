package parley

import (
	"context"
	"fmt"
	"time"
)

// Tombstone is a deletion sent to peers (a comment deleted by its author, an account
// erased), tracked until each peer it was sent to acknowledges it.
type Tombstone struct {
	// ID is the first envelope's ID; peers' acknowledgements name it.
	ID         string
	ObjectType string
	ObjectID   string
	CreatedAt  time.Time
	// Peers is how many peers it was sent to, Acknowledged how many confirmed the erasure;
	// Pending names those that have not yet.
	Peers        int
	Acknowledged int
	Pending      []string
}

// TombstoneStore keeps the tombstones sent and their acknowledgements. It stores; package
// federation decides when to send again.
type TombstoneStore interface {
	// AddTombstone records a tombstone sent to the peers (by ID); adding it again is a no-op.
	AddTombstone(ctx context.Context, t Tombstone, peerIDs []string) error
	// AckTombstone records that the peer named peer acknowledged the tombstone; an unknown
	// tombstone or peer is no error (a peer acknowledges what was broadcast to others too).
	AckTombstone(ctx context.Context, tombstoneID, peer string, at time.Time) error
	// UnackedTombstones returns the tombstones that some active peer has not acknowledged
	// and that were last sent before before, oldest first, at most limit.
	UnackedTombstones(ctx context.Context, before time.Time, limit int) ([]Tombstone, error)
	// MarkTombstoneSent counts a new sending of a tombstone to its unacknowledged peers.
	MarkTombstoneSent(ctx context.Context, tombstoneID string, at time.Time) error
	// Tombstones returns the newest tombstones with their coverage, at most limit.
	Tombstones(ctx context.Context, limit int) ([]*Tombstone, error)
}

// Coverage says in words how far the erasure has reached, as the dashboard shows it.
func (t *Tombstone) Coverage() string {
	peers := "peers"
	if t.Peers == 1 {
		peers = "peer"
	}
	return fmt.Sprintf("erased on %d of %d %s", t.Acknowledged, t.Peers, peers)
}
