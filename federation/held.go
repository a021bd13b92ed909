package federation

import (
	"context"
	"encoding/json"
	"time"

	"github.com/parleyhq/parley"
)

// Ordering live against catch-up: a reply may arrive before its parent (the live path
// brought it while catch-up was still to bring the parent). Such a reply is held, keyed by
// its parent, and applied under the parent once the parent is applied here; a reply whose
// parent never comes (one published before its story was shared, say) is applied at the top
// level after HoldParentFor.

// HoldParentFor is how long a reply waits for its parent: catch-up runs every few seconds
// while a link is down and at once when it returns, so a parent that is coming comes well
// within it.
const HoldParentFor = 10 * time.Minute

// HoldRepliesIn makes the applier hold replies whose parent has not arrived in h and returns
// it; without it, such a reply is shown at the top level at once.
func (a *CommentApplier) HoldRepliesIn(h parley.HeldReplyStore) *CommentApplier {
	a.held = h
	return a
}

// hold keeps a reply for its parent. The parent may have been applied (by another peer's
// consumer) after the reply looked for it and before the hold was stored, its release
// finding nothing yet: so the parent is looked for again once the hold is stored, and
// released if it is there (a release racing its own is harmless, ApplyHeldReply claims).
func (a *CommentApplier) hold(ctx context.Context, origin, kind string, p *CommentPayload) error {
	raw, err := json.Marshal(p)
	if err != nil {
		return err
	}
	if err := a.held.HoldReply(ctx, parley.HeldReply{Origin: origin, Kind: kind, ParentInstance: p.Parent.Instance, ParentID: p.Parent.ID, Payload: raw}); err != nil {
		return err
	}
	_, err = a.store.FindRemoteComment(ctx, p.Parent.Instance, p.Parent.ID)
	switch {
	case err == nil:
		return a.release(ctx, *p.Parent)
	case parley.ErrorCode(err) == parley.ENOTFOUND:
		return nil
	}
	return err
}

// release applies the replies held for a comment just applied, in the order they came.
func (a *CommentApplier) release(ctx context.Context, parent ObjectRef) error {
	if a.held == nil {
		return nil
	}
	held, err := a.held.HeldReplies(ctx, parent.Instance, parent.ID)
	if err != nil {
		return err
	}
	for _, h := range held {
		if err := a.applyHeld(ctx, h, false); err != nil {
			return err
		}
	}
	return nil
}

// applyHeld applies a held reply (at the top level when orphan) and forgets it, claiming it
// first: of two releases of the same reply at once (its parent arriving while the overdue
// release applies it), one applies it and the other skips it. A refusal by local rules is a
// decision, as for any envelope. The replies held for it are released after the claim
// ends, so a long chain of held replies holds one connection at a time, not one per link.
func (a *CommentApplier) applyHeld(ctx context.Context, h parley.HeldReply, orphan bool) error {
	var created *ObjectRef
	_, err := a.held.ApplyHeldReply(ctx, h.ID, func(h parley.HeldReply) error {
		var p CommentPayload
		if err := json.Unmarshal(h.Payload, &p); err != nil {
			return nil // unreadable: forgotten
		}
		made, err := a.place(ctx, h.Origin, h.Kind, &p, orphan)
		if code := parley.ErrorCode(err); err != nil && code == parley.EINTERNAL {
			return err
		}
		if made {
			created = &p.Comment
		}
		return nil
	})
	if err != nil || created == nil {
		return err
	}
	return a.release(ctx, *created)
}

// ReleaseOverdue applies at the top level the replies held since before, whose parent did
// not come; it returns how many. The runtime calls it periodically.
func (a *CommentApplier) ReleaseOverdue(ctx context.Context, before time.Time) (int, error) {
	if a.held == nil {
		return 0, nil
	}
	held, err := a.held.OverdueReplies(ctx, before, 100)
	if err != nil {
		return 0, err
	}
	for i, h := range held {
		// Its parent may have come meanwhile, through another reply's release.
		if err := a.applyHeld(ctx, h, true); err != nil {
			return i, err
		}
	}
	return len(held), nil
}
