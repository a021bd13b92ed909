package federation

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/parleyhq/parley"
)

// Envelope kinds this build understands. Anything else is refused (unknown_kind).
const (
	KindCommentCreated = "comment.created"
	KindCommentEdited  = "comment.edited"
	KindTombstone      = "tombstone"
	KindLink           = "peer.link"
	KindLabel          = "label"
	KindAck            = "ack"
	// KindReactionAdded and KindReactionRemoved carry a ReactionPayload.
	KindReactionAdded   = "reaction.added"
	KindReactionRemoved = "reaction.removed"
)

// ObjectRef names an object by its home instance and its ID there. IDs are only unique per
// instance, so a reference always carries both.
type ObjectRef struct {
	Instance string `json:"instance"`
	ID       string `json:"id"`
}

// RemoteUser is an author as its home instance describes them; here they show as
// username@instance and never become a local account.
type RemoteUser struct {
	Instance string `json:"instance"`
	ID       string `json:"id"`
	Username string `json:"username"`
}

// CommentPayload carries a comment made or edited on its origin. Story is keyed by its
// canonical URL, which is how instances carrying a shared story find it.
type CommentPayload struct {
	Comment    ObjectRef  `json:"comment"`
	Author     RemoteUser `json:"author"`
	StoryURL   string     `json:"storyURL"`
	Parent     *ObjectRef `json:"parent,omitempty"`
	BodySource string     `json:"bodySource"`
	CreatedAt  time.Time  `json:"createdAt"`
}

// TombstonePayload says an object of the origin is gone (a deleted comment, an erased
// account): receivers remove their copy.
type TombstonePayload struct {
	Object ObjectRef `json:"object"`
	Type   string    `json:"type"`
}

// LinkPayload is one side of a mutual link: the origin tells Peer that an admin of the
// origin added it, and where the origin is reachable.
type LinkPayload struct {
	Peer string `json:"peer"`
	URL  string `json:"url"`
	// LeafHash is the bcrypt hash of the password the origin presents at Peer's leaf
	// listener; Peer lets it in with it, and only it.
	LeafHash string `json:"leafHash,omitempty"`
}

// LabelPayload is a moderation signal of the origin about a comment or a user of any
// instance: {subject, value, neg, exp, reason}. A label speaks about its subject, not for
// it, so its subject need not belong to the origin; what it does here is each site's
// subscription's to decide.
type LabelPayload struct {
	Subject ObjectRef `json:"subject"`
	// Type is "comment" or "user".
	Type   string     `json:"type"`
	Value  string     `json:"value"`
	Neg    bool       `json:"neg,omitempty"`
	Exp    *time.Time `json:"exp,omitempty"`
	Reason string     `json:"reason,omitempty"`
}

// AckPayload acknowledges a tombstone of the peer it is sent to: the receiver erased (or
// never held) the object, so the tombstone's origin can count the erasure as covered there.
type AckPayload struct {
	// Tombstone is the ID of the tombstone's first envelope.
	Tombstone string    `json:"tombstone"`
	Object    ObjectRef `json:"object"`
}

// claims lists the objects a payload speaks for: each must belong to the envelope's origin,
// so that no peer can speak for a third instance's users or comments. References (a story
// URL, the parent of a reply) may point anywhere.
func claims(p any) []ObjectRef {
	switch p := p.(type) {
	case *CommentPayload:
		return []ObjectRef{p.Comment, {Instance: p.Author.Instance, ID: p.Author.ID}}
	case *TombstonePayload:
		return []ObjectRef{p.Object}
	case *ReactionPayload:
		return []ObjectRef{{Instance: p.User.Instance, ID: p.User.ID}}
	}
	return nil
}

// decodePayload reads the payload of a known kind strictly (no unknown members) and checks
// its fields' form.
func decodePayload(kind string, raw []byte) (any, error) {
	var p any
	switch kind {
	case KindCommentCreated, KindCommentEdited:
		p = new(CommentPayload)
	case KindTombstone:
		p = new(TombstonePayload)
	case KindLink:
		p = new(LinkPayload)
	case KindLabel:
		p = new(LabelPayload)
	case KindAck:
		p = new(AckPayload)
	case KindReactionAdded, KindReactionRemoved:
		p = new(ReactionPayload)
	default:
		return nil, &DecodeError{"unknown_kind", fmt.Errorf("kind %q", kind)}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(p); err != nil {
		return nil, &DecodeError{"bad_payload", err}
	}
	if err := checkPayload(p); err != nil {
		return nil, &DecodeError{"bad_payload", err}
	}
	return p, nil
}

func checkRef(what string, r ObjectRef) error {
	if !token(r.Instance, 64) || !token(r.ID, 64) {
		return fmt.Errorf("%s needs an instance and an id of [A-Za-z0-9._-]", what)
	}
	return nil
}

func checkPayload(p any) error {
	switch p := p.(type) {
	case *CommentPayload:
		if err := checkRef("comment", p.Comment); err != nil {
			return err
		}
		if err := checkRef("author", ObjectRef{p.Author.Instance, p.Author.ID}); err != nil {
			return err
		}
		// The home instance's own rule for usernames: no "@" (so username@instance is
		// unambiguous), nothing invisible, nothing that impersonates with look-alikes.
		if err := parley.ValidateUsername(p.Author.Username); err != nil {
			return fmt.Errorf("author.username: %s", parley.ErrorMessage(err))
		}
		if p.Parent != nil {
			if err := checkRef("parent", *p.Parent); err != nil {
				return err
			}
		}
		if p.StoryURL == "" || len(p.StoryURL) > 2048 {
			return fmt.Errorf("storyURL must be 1 to 2048 bytes")
		}
		if p.BodySource == "" {
			return fmt.Errorf("bodySource is empty")
		}
	case *TombstonePayload:
		if err := checkRef("object", p.Object); err != nil {
			return err
		}
		if p.Type != "comment" && p.Type != "user" {
			return fmt.Errorf("type must be comment or user")
		}
	case *LabelPayload:
		if err := checkRef("subject", p.Subject); err != nil {
			return err
		}
		if p.Type != "comment" && p.Type != "user" {
			return fmt.Errorf("type must be comment or user")
		}
		if !token(p.Value, 64) {
			return fmt.Errorf("value needs 1 to 64 of [A-Za-z0-9._-]")
		}
		if len(p.Reason) > 1000 {
			return fmt.Errorf("reason is longer than 1000 bytes")
		}
	case *AckPayload:
		if !token(p.Tombstone, 128) {
			return fmt.Errorf("tombstone needs 1 to 128 of [A-Za-z0-9._-]")
		}
		if err := checkRef("object", p.Object); err != nil {
			return err
		}
	case *ReactionPayload:
		if err := checkRef("comment", p.Comment); err != nil {
			return err
		}
		if err := checkRef("user", ObjectRef{p.User.Instance, p.User.ID}); err != nil {
			return err
		}
		if err := parley.ValidateUsername(p.User.Username); err != nil {
			return fmt.Errorf("user.username: %s", parley.ErrorMessage(err))
		}
		if !token(p.Kind, 64) {
			return fmt.Errorf("kind needs 1 to 64 of [A-Za-z0-9._-]")
		}
	case *LinkPayload:
		if !token(p.Peer, 64) || p.URL == "" || len(p.URL) > 2048 {
			return fmt.Errorf("peer and url are required")
		}
		return checkLeafHash(p.LeafHash)
	}
	return nil
}
