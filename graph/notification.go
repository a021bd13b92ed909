package graph

import (
	"context"

	"github.com/parleyhq/parley"
)

// notifications is the notification service, or one that answers that none are kept.
func (r *Resolver) notifications() parley.NotificationService {
	if r.s.Notifications == nil {
		return noNotifications{}
	}
	return r.s.Notifications
}

// DefaultNotificationPage is the bell's page size when first is not given.
const DefaultNotificationPage = 20

func notificationFirst(first *int) int {
	if first == nil {
		return DefaultNotificationPage
	}
	return *first
}

// inboxConnection is a page of the bell as a connection; a cursor is a notification's ID,
// which is time-ordered.
func inboxConnection(page *parley.InboxPage) *StoredNotificationConnection {
	conn := &StoredNotificationConnection{Edges: make([]*StoredNotificationEdge, len(page.Notifications)), PageInfo: &PageInfo{HasNextPage: page.HasNextPage}}
	for i, n := range page.Notifications {
		conn.Edges[i] = &StoredNotificationEdge{Cursor: n.ID, Node: n}
	}
	if n := len(page.Notifications); n > 0 {
		end := page.Notifications[n-1].ID
		conn.PageInfo.EndCursor = &end
	}
	return conn
}

// noNotifications is the service of a server that keeps no notifications.
type noNotifications struct{}

func errNoNotifications() error {
	return parley.Errorf(parley.EFORBIDDEN, "This server keeps no notifications.")
}

func (noNotifications) Notifications(context.Context, int, string) (*parley.InboxPage, error) {
	return nil, errNoNotifications()
}
func (noNotifications) UnreadNotificationCount(context.Context) (int, error) {
	return 0, errNoNotifications()
}
func (noNotifications) MarkNotificationsRead(context.Context, []string) (int, error) {
	return 0, errNoNotifications()
}
func (noNotifications) NotificationSettings(context.Context) ([]parley.NotificationSetting, error) {
	return nil, errNoNotifications()
}
func (noNotifications) SetNotificationDelivery(context.Context, parley.NotificationKind, parley.NotificationDelivery, string) ([]parley.NotificationSetting, error) {
	return nil, errNoNotifications()
}
func (noNotifications) NotificationAdded(context.Context) (<-chan *parley.InboxNotification, error) {
	return nil, errNoNotifications()
}
func (noNotifications) Unsubscribe(context.Context, string) (parley.NotificationSetting, error) {
	return parley.NotificationSetting{}, errNoNotifications()
}
