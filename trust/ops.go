// Package trust keeps users' trust signals and levels on each site: a consumer of the typed
// events turns each event into changes of signals (guarded by the event ID, so a replay
// changes nothing), then checks the levels of the users the event concerns. Storage is
// reached through parley.TrustStore; this package decides, the store stores.
package trust

import (
	"github.com/parleyhq/parley"
)

// opsFor returns what an event changes in the signals of its site, and the users whose level
// may change with it. Events that concern no signal give no ops.
func opsFor(e parley.Event) (ops []parley.TrustOp, users []string) {
	add := func(op parley.TrustOp) { ops = append(ops, op) }
	switch p := e.Payload.(type) {
	case parley.CommentCreated:
		if p.AuthorID == "" {
			return nil, nil
		}
		add(parley.TrustOp{Kind: parley.TrustOpVisit, UserID: p.AuthorID, Day: p.CreatedAt})
		switch p.Status {
		case parley.StatusPublished:
			add(parley.TrustOp{Kind: parley.TrustOpPublished, UserID: p.AuthorID, N: 1})
		case parley.StatusRejected:
			add(parley.TrustOp{Kind: parley.TrustOpRejected, UserID: p.AuthorID, Reason: parley.RejectedByPipeline, N: 1})
		}
		return ops, []string{p.AuthorID}
	case parley.CommentEdited:
		if p.AuthorID == "" {
			return nil, nil
		}
		day := e.CreatedAt
		if p.EditedAt != nil {
			day = *p.EditedAt
		}
		add(parley.TrustOp{Kind: parley.TrustOpVisit, UserID: p.AuthorID, Day: day})
		ops = append(ops, statusOps(p.AuthorID, p.PreviousStatus, p.Status, parley.RejectedByPipeline)...)
		return ops, []string{p.AuthorID}
	case parley.CommentDeleted:
		if p.AuthorID == "" || p.PreviousStatus != parley.StatusPublished {
			return nil, nil
		}
		return []parley.TrustOp{{Kind: parley.TrustOpPublished, UserID: p.AuthorID, N: -1}}, []string{p.AuthorID}
	case parley.CommentModerated:
		if p.AuthorID == "" {
			return nil, nil
		}
		reason := p.Reason
		if reason == "" {
			reason = "UNSPECIFIED"
		}
		ops = statusOps(p.AuthorID, p.PreviousStatus, p.Status, reason)
		users = []string{p.AuthorID}
		// Only a person's decision resolves reports: a site rule holding a reported comment
		// says nothing of whether the reports were right.
		if p.ModeratorID != "" && (p.Action == parley.ActionReject || p.Action == parley.ActionApprove) {
			add(parley.TrustOp{Kind: parley.TrustOpResolve, CommentID: p.CommentID, Upheld: p.Action == parley.ActionReject})
			// The reporters' levels may change too; they are not known before the store
			// resolves the reports, so they are checked at their next event.
		}
		return ops, users
	case parley.CommentReported:
		if p.AuthorID == "" || p.UserID == "" {
			return nil, nil
		}
		add(parley.TrustOp{Kind: parley.TrustOpReport, ID: p.ReportID, CommentID: p.CommentID, UserID: p.AuthorID, OtherID: p.UserID})
		add(parley.TrustOp{Kind: parley.TrustOpVisit, UserID: p.UserID, Day: e.CreatedAt})
		return ops, []string{p.UserID}
	case parley.ReactionAdded:
		return reactionOps(e, parley.ReactionAdded(p), 1)
	case parley.ReactionRemoved:
		return reactionOps(e, parley.ReactionAdded(p), -1)
	case parley.ImportCompleted:
		// An imported history counts as the author's record here, as it was elsewhere; the
		// comments were moderated by the system they come from.
		for _, a := range p.Authors {
			if a.Published > 0 {
				add(parley.TrustOp{Kind: parley.TrustOpPublished, UserID: a.UserID, N: a.Published})
			}
			if a.Rejected > 0 {
				add(parley.TrustOp{Kind: parley.TrustOpRejected, UserID: a.UserID, Reason: parley.RejectedByPipeline, N: a.Rejected})
			}
			users = append(users, a.UserID)
		}
		return ops, users
	case parley.CommentsClaimed:
		// The claimed comments now count for the reader who claimed them; the emptied
		// accounts they came from can no longer comment, so their counts are left as they are.
		if p.Published > 0 {
			add(parley.TrustOp{Kind: parley.TrustOpPublished, UserID: p.UserID, N: p.Published})
		}
		if p.Rejected > 0 {
			add(parley.TrustOp{Kind: parley.TrustOpRejected, UserID: p.UserID, Reason: parley.RejectedByPipeline, N: p.Rejected})
		}
		return ops, []string{p.UserID}
	case parley.UserSanctioned:
		add(parley.TrustOp{Kind: parley.TrustOpSanction, ID: p.SanctionID, UserID: p.UserID, Reason: string(p.SanctionKind),
			Expires: p.ExpiresAt, Revoked: p.RevokedAt})
		return ops, []string{p.UserID}
	}
	return nil, nil
}

// statusOps counts a comment's move from one status to another: into or out of the
// published ones, and into rejection.
func statusOps(author string, from, to parley.CommentStatus, reason string) []parley.TrustOp {
	var ops []parley.TrustOp
	switch {
	case from != parley.StatusPublished && to == parley.StatusPublished:
		ops = append(ops, parley.TrustOp{Kind: parley.TrustOpPublished, UserID: author, N: 1})
	case from == parley.StatusPublished && to != parley.StatusPublished:
		ops = append(ops, parley.TrustOp{Kind: parley.TrustOpPublished, UserID: author, N: -1})
	}
	if to == parley.StatusRejected && from != parley.StatusRejected {
		ops = append(ops, parley.TrustOp{Kind: parley.TrustOpRejected, UserID: author, Reason: reason, N: 1})
	}
	return ops
}

// reactionOps counts a reaction for the comment's author, never one's own, and the giver's
// visit when the reaction is added.
func reactionOps(e parley.Event, p parley.ReactionAdded, n int) ([]parley.TrustOp, []string) {
	if p.AuthorID == "" || p.UserID == "" || p.AuthorID == p.UserID {
		return nil, nil
	}
	ops := []parley.TrustOp{{Kind: parley.TrustOpReaction, UserID: p.AuthorID, OtherID: p.UserID, N: n}}
	if n > 0 {
		ops = append(ops, parley.TrustOp{Kind: parley.TrustOpVisit, UserID: p.UserID, Day: e.CreatedAt})
	}
	return ops, []string{p.AuthorID}
}
