package federation

import (
	"context"
	"strings"

	"github.com/parleyhq/parley"
)

// Outbound labels: a moderator's rejection of a comment on a shared story and a ban or
// suspension of a user are published as labels, which peers weigh as their sites'
// subscriptions say. Decisions of the pipeline alone are not: a peer runs its own.

// ref names a local user or comment record as its home instance does.
func (p *Publisher) ref(ctx context.Context, table, id string) (ObjectRef, error) {
	inst, rid, err := p.store.RemoteOrigin(ctx, table, id)
	switch {
	case err == nil:
		return ObjectRef{Instance: inst, ID: rid}, nil
	case parley.ErrorCode(err) == parley.ENOTFOUND:
		return ObjectRef{Instance: p.id.Name(), ID: id}, nil
	}
	return ObjectRef{}, err
}

// labelComment publishes a moderator's rejection as a label on the comment, its value the
// rejection's reason ("spam", "abusive" …), for the peers a story is shared with.
func (p *Publisher) labelComment(ctx context.Context, eventID, storyID string, ev parley.CommentModerated) error {
	if ev.ModeratorID == "" {
		return nil
	}
	to, err := p.storyRecipients(ctx, storyID)
	if err != nil || len(to) == 0 {
		return err
	}
	subject, err := p.ref(ctx, "comments", ev.CommentID)
	if err != nil {
		return err
	}
	value := strings.ToLower(strings.ReplaceAll(ev.Reason, "_", "-"))
	if !token(value, 64) {
		value = "rejected"
	}
	return p.publish(ctx, eventID, KindLabel, LabelPayload{Subject: subject, Type: "comment", Value: value, Reason: ev.Reason}, to)
}

// labelUser publishes a ban or suspension as a label on the user ("banned", "suspended"),
// ending when the sanction does, and its lifting as a retraction, to the active peers that
// received comments of the user (shared stories they commented on): no other peer has
// anything of the user to apply it to, nor needs to learn of them.
func (p *Publisher) labelUser(ctx context.Context, eventID string, ev parley.UserSanctioned) error {
	value := map[parley.SanctionKind]string{parley.SanctionBan: "banned", parley.SanctionSuspend: "suspended"}[ev.SanctionKind]
	if value == "" || ev.ModeratorID == "" && ev.RevokedAt == nil {
		return nil
	}
	peers, err := p.store.UserPeers(ctx, ev.UserID)
	to := activeNames(peers)
	if err != nil || len(to) == 0 {
		return err
	}
	subject, err := p.ref(ctx, "users", ev.UserID)
	if err != nil {
		return err
	}
	return p.publish(ctx, eventID, KindLabel, LabelPayload{Subject: subject, Type: "user", Value: value,
		Neg: ev.RevokedAt != nil, Exp: ev.ExpiresAt, Reason: string(ev.SanctionKind)}, to)
}
