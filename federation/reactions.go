package federation

import (
	"context"
	"log/slog"

	"github.com/parleyhq/parley"
)

// Reactions federate: a reaction given here to a comment of a shared story is sent to the
// story's peers, its taking back too. The reader must be a user of the envelope's origin
// (the verifier's ownership check); the comment may be any instance's. The receiver records
// it through its own reaction service, as the remote reader (username@instance), so a reader
// counts once per kind however often the envelope or its retries come, and the receiving
// site's reaction kinds hold.

// ReactionPayload is a reader's reaction to a comment, or its taking back (Removed).
type ReactionPayload struct {
	Comment ObjectRef  `json:"comment"`
	User    RemoteUser `json:"user"`
	Kind    string     `json:"kind"`
	Removed bool       `json:"removed,omitempty"`
}

// react sends a local reader's reaction on a shared story to its peers.
func (p *Publisher) react(ctx context.Context, eventID, storyID string, ev parley.ReactionAdded, removed bool) error {
	to, err := p.storyPeers(ctx, storyID)
	if err != nil || len(to) == 0 {
		return err
	}
	reader, err := p.users.FindUserByID(ctx, ev.UserID)
	if err != nil {
		return ignoreNotFound(err)
	}
	if reader.Instance() != nil {
		return nil // a remote reader's reaction: their home instance speaks for it
	}
	comment, err := p.ref(ctx, "comments", ev.CommentID)
	if err != nil {
		return err
	}
	kind := KindReactionAdded
	if removed {
		kind = KindReactionRemoved
	}
	return p.publish(ctx, eventID, kind, ReactionPayload{Comment: comment, Kind: ev.ReactionKind, Removed: removed,
		User: RemoteUser{Instance: p.id.Name(), ID: reader.ID, Username: reader.Username}}, to)
}

// ReactionApplier applies peers' reactions through the local reaction service.
type ReactionApplier struct {
	self      string
	store     parley.FederationStore
	reactions parley.ReactionService
	logger    *slog.Logger
}

// NewReactionApplier returns the reaction applier of instance self.
func NewReactionApplier(self string, store parley.FederationStore, reactions parley.ReactionService, logger *slog.Logger) *ReactionApplier {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &ReactionApplier{self: self, store: store, reactions: reactions, logger: logger}
}

// Apply adds or takes back the reaction. A comment not held here, or a refusal by local
// rules (a kind this site does not offer, a comment no longer published), is a decision,
// not a failure.
func (a *ReactionApplier) Apply(ctx context.Context, v *Verified) error {
	p, ok := v.Payload.(*ReactionPayload)
	if !ok {
		return nil
	}
	origin := v.Envelope.Origin
	commentID := p.Comment.ID
	if p.Comment.Instance != a.self {
		id, err := a.store.FindRemoteComment(ctx, p.Comment.Instance, p.Comment.ID)
		if parley.ErrorCode(err) == parley.ENOTFOUND {
			return nil
		}
		if err != nil {
			return err
		}
		commentID = id
	}
	user, err := a.store.RemoteUser(ctx, origin, p.User.ID, p.User.Username+"@"+origin)
	if err != nil {
		return err
	}
	as := parley.NewContextWithUser(ctx, user)
	if p.Removed {
		_, err = a.reactions.RemoveReaction(as, commentID, p.Kind)
	} else {
		_, err = a.reactions.AddReaction(as, commentID, p.Kind)
	}
	if code := parley.ErrorCode(err); err != nil && code != parley.EINTERNAL {
		a.logger.Info("federation: reaction refused by local rules", "origin", origin, "id", v.Envelope.ID, "code", code, "error", err)
		return nil
	}
	return err
}
