package portable

import (
	"encoding/json"
	"strings"

	"github.com/parleyhq/parley"
)

// check returns what is wrong with a record ("" when nothing is): IDs that are not IDs,
// missing fields, values outside their set, or text PostgreSQL cannot store (NUL).
func check(rec any) string {
	ids := func(named ...string) string {
		for i := 0; i+1 < len(named); i += 2 {
			if !parley.IsID(named[i+1]) {
				return named[i] + " is not an ID"
			}
		}
		return ""
	}
	optional := func(name, id string) string {
		if id != "" && !parley.IsID(id) {
			return name + " is not an ID"
		}
		return ""
	}
	text := func(ss ...string) string {
		for _, s := range ss {
			if strings.ContainsRune(s, 0) {
				return "a text holds a NUL character"
			}
		}
		return ""
	}
	first := func(problems ...string) string {
		for _, p := range problems {
			if p != "" {
				return p
			}
		}
		return ""
	}
	switch r := rec.(type) {
	case *parley.PortableUser:
		role := ""
		if r.Role != "" && (!r.Role.Valid() || r.Role == parley.RoleAdmin) {
			role = "the role " + string(r.Role) + " is not a site role"
		}
		// A username is taken as the old instance had it, even one today's rules would refuse.
		name := ""
		if strings.TrimSpace(r.Username) == "" || len(r.Username) > 200 {
			name = "the username is missing or too long"
		}
		return first(ids("id", r.ID), name, role, text(r.Username, r.DisplayName, r.Email, r.PasswordHash, r.SSOSubject))
	case *parley.PortableStory:
		url := ""
		if strings.TrimSpace(r.URL) == "" {
			url = "the story has no url"
		}
		mod := ""
		switch r.Moderation {
		case "", "SITE", "PRE", "PRE_LINKS", "POST":
		default:
			mod = "the moderation " + r.Moderation + " is not known"
		}
		return first(ids("id", r.ID), url, mod, text(r.URL, r.Title))
	case *parley.PortableComment:
		status := ""
		switch r.Status {
		case parley.StatusPublished, parley.StatusPending, parley.StatusRejected, parley.StatusDeleted:
		default:
			status = "the status " + string(r.Status) + " is not known"
		}
		return first(ids("id", r.ID, "storyID", r.StoryID), optional("parentID", r.ParentID), optional("authorID", r.AuthorID),
			status, zeroTime(r.CreatedAt.IsZero()), text(r.Body, r.BodySource))
	case *parley.PortableRevision:
		return first(ids("id", r.ID, "commentID", r.CommentID), text(r.Body, r.BodySource))
	case *parley.PortableReaction:
		kind := ""
		if r.Kind == "" {
			kind = "the reaction has no kind"
		}
		return first(ids("commentID", r.CommentID, "userID", r.UserID), kind, text(r.Kind))
	case *parley.PortableReport:
		return first(ids("id", r.ID, "commentID", r.CommentID, "userID", r.UserID), text(r.Reason, r.Details))
	case *parley.PortableSanction:
		kind := ""
		switch parley.SanctionKind(r.Kind) {
		case parley.SanctionBan, parley.SanctionSuspend, parley.SanctionPremod, parley.SanctionWarn, parley.SanctionMessage:
		default:
			kind = "the sanction kind " + r.Kind + " is not known"
		}
		return first(ids("id", r.ID, "userID", r.UserID), optional("moderatorID", r.ModeratorID), kind, text(r.Message))
	case *parley.PortableNote:
		return first(ids("id", r.ID, "userID", r.UserID), optional("moderatorID", r.ModeratorID), text(r.Body))
	case *parley.PortableWordList:
		if r.Kind != parley.WordListBanned && r.Kind != parley.WordListSuspect {
			return "the word list kind " + string(r.Kind) + " is not known"
		}
		return text(r.Terms, r.Version)
	case *parley.PortableRule:
		if p := ids("id", r.ID); p != "" {
			return p
		}
		for _, v := range r.Versions {
			effect := ""
			if !json.Valid(v.Effect) || string(v.Effect) == "null" {
				effect = "a rule version has no effect"
			}
			if p := first(ids("proposalID", v.ProposalID), effect, text(v.Name, v.Expression)); p != "" {
				return p
			}
		}
		return text(r.Name)
	case *parley.PortableTrustLevel:
		if r.Level < 0 || r.Level > 4 || (r.Pinned != nil && (*r.Pinned < 0 || *r.Pinned > 4)) {
			return "a trust level is from 0 to 4"
		}
		return ids("userID", r.UserID)
	}
	return "unknown record"
}

func zeroTime(zero bool) string {
	if zero {
		return "createdAt is missing"
	}
	return ""
}
