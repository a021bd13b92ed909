package notify

import (
	"context"

	"github.com/parleyhq/parley"
)

// Service implements parley.NotificationService on the store.
type Service struct {
	// Feed, when set, carries notifications live to subscribers on every replica.
	Feed  parley.InboxFeed
	store parley.NotificationStore
	unsub *Unsubscribe
	// mail tells whether this server sends mail; without it, mail deliveries are refused.
	mail bool
}

var _ parley.NotificationService = (*Service)(nil)

// NewService returns the service; mail says whether the server sends email.
func NewService(store parley.NotificationStore, unsub *Unsubscribe, mail bool) *Service {
	return &Service{store: store, unsub: unsub, mail: mail}
}

func viewer(ctx context.Context) (*parley.User, error) {
	u := parley.UserFromContext(ctx)
	if u == nil {
		return nil, parley.Errorf(parley.EUNAUTHENTICATED, "Sign in to see your notifications.")
	}
	return u, nil
}

// Notifications implements parley.NotificationService.
func (s *Service) Notifications(ctx context.Context, first int, after string) (*parley.InboxPage, error) {
	u, err := viewer(ctx)
	if err != nil {
		return nil, err
	}
	if first < 1 || first > parley.MaxNotificationPage {
		return nil, parley.FieldErrorf("first", "first must be 1 to %d.", parley.MaxNotificationPage)
	}
	if after != "" && !isUUID(after) {
		return nil, parley.FieldErrorf("after", "after must be a cursor from an earlier page.")
	}
	return s.store.FindNotifications(ctx, u.ID, first, after)
}

// UnreadNotificationCount implements parley.NotificationService.
func (s *Service) UnreadNotificationCount(ctx context.Context) (int, error) {
	u, err := viewer(ctx)
	if err != nil {
		return 0, err
	}
	return s.store.UnreadNotificationCount(ctx, u.ID)
}

// MarkNotificationsRead implements parley.NotificationService.
func (s *Service) MarkNotificationsRead(ctx context.Context, ids []string) (int, error) {
	u, err := viewer(ctx)
	if err != nil {
		return 0, err
	}
	if len(ids) > parley.MaxNotificationPage {
		return 0, parley.FieldErrorf("ids", "Mark at most %d notifications at once, or none to mark all.", parley.MaxNotificationPage)
	}
	return s.store.MarkNotificationsRead(ctx, u.ID, ids)
}

// NotificationSettings implements parley.NotificationService.
func (s *Service) NotificationSettings(ctx context.Context) ([]parley.NotificationSetting, error) {
	u, err := viewer(ctx)
	if err != nil {
		return nil, err
	}
	return s.settings(ctx, u.ID)
}

func (s *Service) settings(ctx context.Context, userID string) ([]parley.NotificationSetting, error) {
	d, _, err := s.store.NotificationSettings(ctx, userID)
	if err != nil {
		return nil, err
	}
	out := make([]parley.NotificationSetting, 0, len(parley.NotificationKinds))
	for _, k := range parley.NotificationKinds {
		out = append(out, parley.NotificationSetting{Kind: k, Delivery: d[k]})
	}
	return out, nil
}

// SetNotificationDelivery implements parley.NotificationService.
func (s *Service) SetNotificationDelivery(ctx context.Context, kind parley.NotificationKind, d parley.NotificationDelivery, lang string) ([]parley.NotificationSetting, error) {
	u, err := viewer(ctx)
	if err != nil {
		return nil, err
	}
	if !kind.Valid() {
		return nil, parley.FieldErrorf("kind", "Unknown notification kind.")
	}
	if !d.Valid() {
		return nil, parley.FieldErrorf("delivery", "Unknown delivery.")
	}
	if len(lang) > 35 {
		return nil, parley.FieldErrorf("language", "Language must be a language tag such as de or de-AT.")
	}
	mailed := d == parley.DeliverEmail || d == parley.DeliverDigestDaily || d == parley.DeliverDigestWeekly
	if mailed && !s.mail {
		return nil, parley.FieldErrorf("delivery", "This server sends no email (its operator has not set PARLEY_SMTP_URL); choose NONE or WIDGET.")
	}
	if mailed && u.Email == "" {
		return nil, parley.FieldErrorf("delivery", "Your account has no email address to send to.")
	}
	if err := s.store.SetNotificationDelivery(ctx, u.ID, kind, d, lang); err != nil {
		return nil, err
	}
	return s.settings(ctx, u.ID)
}

// Unsubscribe implements parley.NotificationService. A digest's link turns off every kind
// the digest was about; the answer names the first.
func (s *Service) Unsubscribe(ctx context.Context, token string) (parley.NotificationSetting, error) {
	userID, kinds, err := s.unsub.Check(token)
	if err != nil {
		return parley.NotificationSetting{}, err
	}
	for _, kind := range kinds {
		if err := s.store.SetNotificationDelivery(ctx, userID, kind, parley.DeliverWidget, ""); err != nil {
			if parley.ErrorCode(err) == parley.ENOTFOUND {
				return parley.NotificationSetting{}, parley.Errorf(parley.ENOTFOUND, "This account no longer exists.")
			}
			return parley.NotificationSetting{}, err
		}
	}
	return parley.NotificationSetting{Kind: kinds[0], Delivery: parley.DeliverWidget}, nil
}

// isUUID checks a cursor's shape (a notification ID) before it reaches the database.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if r != '-' {
				return false
			}
		case !('0' <= r && r <= '9' || 'a' <= r && r <= 'f' || 'A' <= r && r <= 'F'):
			return false
		}
	}
	return true
}

// NotificationAdded implements parley.NotificationService.
func (s *Service) NotificationAdded(ctx context.Context) (<-chan *parley.InboxNotification, error) {
	u, err := viewer(ctx)
	if err != nil {
		return nil, err
	}
	if s.Feed == nil {
		return nil, parley.Errorf(parley.EFORBIDDEN, "Live notifications are not available on this server.")
	}
	return s.Feed.InboxEvents(ctx, u.ID)
}
