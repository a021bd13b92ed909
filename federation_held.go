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
}
