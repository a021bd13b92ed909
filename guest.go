package parley

import (
	"context"
	"net/netip"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxGuestNameLength bounds the name a guest signs with.
const MaxGuestNameLength = 50

// GuestCommentInput is a comment from a reader without an account, on a site that takes
// them (SiteSettings.GuestComments). The guest gives a name and, if they like, an email
// address, kept private like an account's; it is what lets them claim their comments once
// they sign up with the same verified address.
type GuestCommentInput struct {
	StoryID  string
	StoryURL string
	ParentID string
	Body     string
	Name     string
	Email    string
}

// Validate trims and checks the guest's name and email; the body is checked like any other.
func (in *GuestCommentInput) Validate() error {
	in.Name = strings.TrimSpace(in.Name)
	in.Email = strings.ToLower(strings.TrimSpace(in.Email))
	switch {
	case !utf8.ValidString(in.Name) || strings.IndexFunc(in.Name, unicode.IsControl) >= 0:
		return FieldErrorf("name", "Your name must be plain text.")
	case VisibleLength(in.Name) < 1 || utf8.RuneCountInString(in.Name) > MaxGuestNameLength:
		return FieldErrorf("name", "Your name must be 1 to %d characters.", MaxGuestNameLength)
	case in.StoryID == "" && in.StoryURL == "":
		return FieldErrorf("storyID", "Say which story the comment is for (storyID or storyURL).")
	}
	if in.Email != "" {
		if err := ValidateEmail(in.Email); err != nil {
			return err
		}
	}
	return nil
}

// GuestService takes comments from readers without an account. Guest comments are always
// held for a moderator, whatever the site's pipeline says, and are limited per client
// network, since a guest has no account to limit.
type GuestService interface {
	CreateGuestComment(ctx context.Context, in GuestCommentInput) (*Comment, error)
}

// GuestStore keeps guests: each guest comment has its own guest author (User.Guest), with
// the name shown on the comment and the private email as given (lowercased).
type GuestStore interface {
	CreateGuest(ctx context.Context, name, email string) (*User, error)
	// DeleteGuest removes a guest whose comment was refused, so that nothing half-written
	// stays; a guest with comments is never removed.
	DeleteGuest(ctx context.Context, id string) error
}

// ClientNetwork is the rate-limit key of a client address: IPv6 addresses by their /64, the
// block one subscriber usually holds, IPv4 addresses alone.
func ClientNetwork(ip string) string {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return "ip:" + ip
	}
	if addr.Is4() || addr.Is4In6() {
		return "ip:" + addr.Unmap().String()
	}
	p, _ := addr.Prefix(64)
	return "ip6:" + p.String()
}
