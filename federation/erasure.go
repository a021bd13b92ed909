package federation

import (
	"context"

	"github.com/parleyhq/parley"
)

// Account tombstones: when the erasure job erases an account here (its user.deleted event),
// a signed tombstone of type "user" goes to the peers its comments were sent to, tracked
// until each acknowledges it like any tombstone; a peer erases its record of that remote
// user, profile and comments, in one transaction, as the local account's own erasure does.

// eraseAccount sends the tombstone of an erased local account.
func (p *Publisher) eraseAccount(ctx context.Context, eventID, userID string) error {
	peers, err := p.store.UserPeers(ctx, userID)
	if err != nil {
		return err
	}
	if to := activeNames(peers); len(to) > 0 {
		payload := TombstonePayload{Object: ObjectRef{Instance: p.id.Name(), ID: userID}, Type: "user"}
		if err := p.publish(ctx, eventID, KindTombstone, payload, to); err != nil {
			return err
		}
		if err := p.track(ctx, eventID, peers, "user", userID); err != nil {
			return err
		}
	}
	return p.store.ForgetSentAuthor(ctx, userID)
}

// UserEraser erases an account with everything of it in one transaction
// (parley.AccountStore's DeleteUser).
type UserEraser interface {
	DeleteUser(ctx context.Context, userID string) error
}

// EraseUsersWith makes the applier honour account tombstones with e and returns it; without
// it, an account tombstone is acknowledged and its comments stay until their own.
func (a *CommentApplier) EraseUsersWith(e UserEraser) *CommentApplier {
	a.eraser = e
	return a
}

// eraseRemoteUser erases the local record of a remote user and their comments here.
func (a *CommentApplier) eraseRemoteUser(ctx context.Context, origin, remoteID string) error {
	if a.eraser == nil {
		return nil
	}
	id, err := a.store.FindRemoteUser(ctx, origin, remoteID)
	if parley.ErrorCode(err) == parley.ENOTFOUND {
		return nil // never held, or erased already
	}
	if err != nil {
		return err
	}
	return a.eraser.DeleteUser(ctx, id)
}
