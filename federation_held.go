package parley

import (
	"context"
	"time"
)

// HeldReply is a remote reply kept until its parent arrives: live delivery may bring a reply
// before the parent that catch-up brings later, and a reply shown at the top level would
// stay there.
type HeldReply struct {
	ID     int64
	Origin string
	// Kind is the envelope's kind (a creation or an edit); Payload its payload's JSON.
	Kind string
	// ParentInstance and ParentID name the parent as its home instance does.
	ParentInstance string
	ParentID       string
	Payload        []byte
	HeldAt         time.Time
}

// HeldReplyStore keeps held replies. It stores; package federation decides when to release.
type HeldReplyStore interface {
	HoldReply(ctx context.Context, h HeldReply) error
	// HeldReplies returns the replies waiting for a parent, oldest first.
	HeldReplies(ctx context.Context, parentInstance, parentID string) ([]HeldReply, error)
	// OverdueReplies returns up to limit replies held since before, oldest first.
	OverdueReplies(ctx context.Context, before time.Time, limit int) ([]HeldReply, error)
	// DropHeldReply forgets a reply once applied.
	DropHeldReply(ctx context.Context, id int64) error
	// ApplyHeldReply claims the held reply id and runs apply on it, forgetting it when apply
	// returns nil, in one transaction that holds the reply's row: of two releases of one
	// reply at once (its parent arriving, the overdue release), one applies it and the other
	// finds it taken or gone and skips it. It reports whether apply ran.
	ApplyHeldReply(ctx context.Context, id int64, apply func(HeldReply) error) (bool, error)
}
