package trust

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/parleyhq/parley"
)

// MaxPinReason bounds the note a moderator gives for a pin.
const MaxPinReason = 500

// Service answers standings and pins for the API, on the consumer's store.
type Service struct {
	consumer *Consumer
	users    parley.UserService
}

// NewService returns the trust service on a consumer (whose store and clock it shares) and
// the users, whose site roles decide who may see and pin whose level.
func NewService(c *Consumer, users parley.UserService) *Service {
	return &Service{consumer: c, users: users}
}

var _ parley.TrustService = (*Service)(nil)

// TrustStanding returns the viewer's own standing when userID is "", anyone's for the site's
// moderators.
func (s *Service) TrustStanding(ctx context.Context, siteID, userID string) (*parley.TrustStanding, error) {
	viewer := parley.UserIDFromContext(ctx)
	if viewer == "" {
		return nil, parley.Errorf(parley.EUNAUTHENTICATED, "Sign in to see a trust level.")
	}
	site, err := s.site(ctx, siteID)
	if err != nil {
		return nil, err
	}
	if userID == "" {
		userID = viewer
	}
	if userID != viewer {
		if err := s.moderates(ctx, siteID, viewer); err != nil {
			return nil, err
		}
	}
	return s.standing(ctx, site, userID)
}

// PinTrustLevel pins (or, with a nil level, unpins) a user's level and records the change
// with the moderator and the reason. Unpinning returns the user to what the signals earn.
func (s *Service) PinTrustLevel(ctx context.Context, siteID, userID string, level *parley.TrustLevel, reason string) (*parley.TrustStanding, error) {
	viewer := parley.UserIDFromContext(ctx)
	if viewer == "" {
		return nil, parley.Errorf(parley.EUNAUTHENTICATED, "Sign in to pin a trust level.")
	}
	reason = strings.TrimSpace(reason)
	switch {
	case level != nil && !level.Valid():
		return nil, parley.FieldErrorf("level", "A trust level is 0 to 4.")
	case utf8.RuneCountInString(reason) > MaxPinReason:
		return nil, parley.FieldErrorf("reason", "The reason is at most %d characters long.", MaxPinReason)
	}
	site, err := s.site(ctx, siteID)
	if err != nil {
		return nil, err
	}
	if err := s.moderates(ctx, siteID, viewer); err != nil {
		return nil, err
	}
	store, now := s.consumer.store, s.consumer.now()
	sig, err := store.TrustSignals(ctx, siteID, userID, now)
	if err != nil {
		return nil, notFound(err, "User not found.")
	}
	rec, err := store.TrustRecord(ctx, siteID, userID)
	if err != nil {
		return nil, err
	}
	next := parley.TrustRecord{Pinned: level, PromotedAt: rec.PromotedAt}
	if level != nil {
		next.Level = *level
	} else {
		next.Level = Earned(sig, parley.TrustSettingsOf(site.Settings))
		if next.Level == rec.Level && rec.Level <= parley.TrustRegular {
			next.PromotedAt = rec.PromotedAt
		}
	}
	if next.Level > rec.Level {
		next.PromotedAt = now
	}
	ch := parley.TrustChange{SiteID: siteID, UserID: userID, From: rec.Level, To: next.Level, Signals: sig,
		ModeratorID: viewer, Reason: reason, CreatedAt: now}
	if level == nil {
		// Said the way Decide says it, so the user and the public log can tell a lifted
		// pin from a new one.
		ch.Crossed = []string{Unpinned}
	}
	if err := store.SetTrustLevel(ctx, next, ch); err != nil {
		return nil, notFound(err, "User not found.")
	}
	return s.standing(ctx, site, userID)
}

func (s *Service) standing(ctx context.Context, site *parley.Site, userID string) (*parley.TrustStanding, error) {
	store := s.consumer.store
	sig, err := store.TrustSignals(ctx, site.ID, userID, s.consumer.now())
	if err != nil {
		return nil, notFound(err, "User not found.")
	}
	rec, err := store.TrustRecord(ctx, site.ID, userID)
	if err != nil {
		return nil, err
	}
	st := &parley.TrustStanding{SiteID: site.ID, UserID: userID, Level: rec.Level, Pinned: rec.Pinned != nil, Signals: sig}
	if rec.Pinned == nil {
		st.Next, st.Needs = next(sig, rec.Level, parley.TrustSettingsOf(site.Settings))
	}
	role, err := s.users.SiteRole(ctx, site.ID, userID)
	if err != nil {
		return nil, notFound(err, "User not found.")
	}
	st.Privileges = Privileges(rec.Level, role, site.Settings)
	last, err := store.LastTrustChange(ctx, site.ID, userID)
	switch {
	case err == nil:
		st.LastChange = last
	case parley.ErrorCode(err) != parley.ENOTFOUND:
		return nil, err
	}
	return st, nil
}

func (s *Service) site(ctx context.Context, siteID string) (*parley.Site, error) {
	if !parley.IsID(siteID) {
		return nil, parley.Errorf(parley.ENOTFOUND, "Site not found.")
	}
	site, err := s.consumer.sites.FindSiteByID(ctx, siteID)
	if err != nil {
		return nil, notFound(err, "Site not found.")
	}
	return site, nil
}

// moderates refuses a user who is not a moderator (or admin) of the site.
func (s *Service) moderates(ctx context.Context, siteID, userID string) error {
	role, err := s.users.SiteRole(ctx, siteID, userID)
	if err != nil {
		return err
	}
	if !role.AtLeast(parley.RoleModerator) {
		return parley.Errorf(parley.EFORBIDDEN, "Only the site's moderators may see or pin another user's trust level.")
	}
	return nil
}

// notFound names what was not found in place of the store's generic message.
func notFound(err error, msg string) error {
	if parley.ErrorCode(err) == parley.ENOTFOUND {
		return parley.Errorf(parley.ENOTFOUND, "%s", msg)
	}
	return err
}
