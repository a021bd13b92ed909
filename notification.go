package parley

import (
	"context"
	"time"
)

// NotificationKind is what a notification tells a reader of.
type NotificationKind string

// Notification kinds.
const (
	// NotifyReply: someone replied to the reader's comment.
	NotifyReply NotificationKind = "REPLY"
	// NotifyDecision: a moderator (or a site's rule) approved or rejected the reader's comment.
	NotifyDecision NotificationKind = "DECISION"
	// NotifyMention: someone wrote @username of the reader in a published comment.
	NotifyMention NotificationKind = "MENTION"
	// NotifyModeratorMessage: moderators sent the reader a message or a warning.
	NotifyModeratorMessage NotificationKind = "MODERATOR_MESSAGE"
)

// NotificationKinds lists every kind, in the order settings show them.
var NotificationKinds = []NotificationKind{NotifyReply, NotifyMention, NotifyDecision, NotifyModeratorMessage}

// Valid reports whether k is a known kind.
func (k NotificationKind) Valid() bool {
	for _, v := range NotificationKinds {
		if k == v {
			return true
		}
	}
	return false
}

// NotificationDelivery is how a reader wants one kind of notification.
type NotificationDelivery string

// Deliveries. Every kind but NONE is kept for the widget's bell; EMAIL also mails it at once,
// and the digests mail a summary once a day or a week.
const (
	DeliverNone         NotificationDelivery = "NONE"
	DeliverWidget       NotificationDelivery = "WIDGET"
	DeliverEmail        NotificationDelivery = "EMAIL"
	DeliverDigestDaily  NotificationDelivery = "DIGEST_DAILY"
	DeliverDigestWeekly NotificationDelivery = "DIGEST_WEEKLY"
)

// Valid reports whether d is a known delivery.
func (d NotificationDelivery) Valid() bool {
	switch d {
	case DeliverNone, DeliverWidget, DeliverEmail, DeliverDigestDaily, DeliverDigestWeekly:
		return true
	}
	return false
}

// DefaultDelivery is every kind's delivery until the reader chooses: the bell only, since
// mail is something a reader asks for.
const DefaultDelivery = DeliverWidget

// InboxNotification is one thing a reader is told of, kept until they read it.
type InboxNotification struct {
	ID     string
	UserID string
	Kind   NotificationKind
	// EventID is the event it came from: a second delivery of the event adds nothing.
	EventID   string
	SiteID    string
	StoryID   string
	CommentID string
	// ActorID is who caused it (the replier, the moderator), "" for a site's rule.
	ActorID string
	// Detail is the kind's detail: the action and reason of a decision, the sanction kind
	// of a moderator's message.
	Detail    string
	CreatedAt time.Time
	ReadAt    *time.Time
}

// InboxPage is one page of a reader's notifications, newest first.
type InboxPage struct {
	Notifications []*InboxNotification
	HasNextPage   bool
}

// NotificationMailer writes the mail for a notification whose recipient wants it at once;
// storage calls it inside the transaction that stores the notification, with the
// recipient and their language.
type NotificationMailer func(n *InboxNotification, to *User, lang string) (*Mail, error)

// NotificationStore is the storage of notifications and of readers' choices about them.
type NotificationStore interface {
	// AddNotifications stores the notifications of one event in one transaction, skipping
	// those whose recipient chose NONE for the kind and those stored before (same event,
	// recipient and kind, or for REPLY and MENTION the same comment, recipient and kind, so
	// a reply published, held and approved again tells its reader once); for recipients who chose EMAIL it queues mail(n) in the same
	// transaction. It returns what it stored.
	AddNotifications(ctx context.Context, ns []*InboxNotification, mail NotificationMailer) ([]*InboxNotification, error)
	// FindPublishedComment reads a published comment and the author of the comment it
	// replies to ("" for a top-level one), for notifying readers of a comment a moderator
	// published after a hold; ENOTFOUND when it is gone or no longer published.
	FindPublishedComment(ctx context.Context, commentID string) (c *Comment, repliedToAuthorID string, err error)
	// FindUsersByUsernames returns the users of the names it finds, case-insensitively.
	FindUsersByUsernames(ctx context.Context, names []string) ([]*User, error)
	// FindNotifications returns a page of the user's notifications, newest first, after a
	// cursor (a notification ID, "" for the first page).
	FindNotifications(ctx context.Context, userID string, first int, after string) (*InboxPage, error)
	// UnreadNotificationCount counts the user's unread notifications.
	UnreadNotificationCount(ctx context.Context, userID string) (int, error)
	// MarkNotificationsRead marks the user's notifications of ids read (every one when ids
	// is empty) and returns how many were unread.
	MarkNotificationsRead(ctx context.Context, userID string, ids []string) (int, error)
	// NotificationSettings returns the user's delivery per kind (DefaultDelivery for kinds
	// never chosen) and mail language.
	NotificationSettings(ctx context.Context, userID string) (map[NotificationKind]NotificationDelivery, string, error)
	// SetNotificationDelivery stores the user's delivery for a kind, and the mail language
	// when lang is not "".
	SetNotificationDelivery(ctx context.Context, userID string, kind NotificationKind, d NotificationDelivery, lang string) error
	// SendDigests claims up to limit readers whose digest is due at now (FOR UPDATE SKIP
	// LOCKED, so replicas share the work), and for each queues mail(reader, lang, period,
	// notifications) of the unread notifications of the kinds they chose that digest for,
	// not yet in a digest, marks those digested, and moves the reader's next digest by the
	// period's length from periods, all in one transaction. A reader with nothing new gets no
	// mail. It returns how many readers it claimed; 0 means none is due.
	SendDigests(ctx context.Context, now time.Time, limit int, periods map[NotificationDelivery]time.Duration, mail DigestMailer) (int, error)
}

// DigestMailer writes one reader's digest mail.
type DigestMailer func(to *User, lang string, period NotificationDelivery, ns []*InboxNotification) (*Mail, error)

// NotificationSetting is a reader's delivery for one kind.
type NotificationSetting struct {
	Kind     NotificationKind
	Delivery NotificationDelivery
}

// MaxNotificationPage bounds a page of the bell.
const MaxNotificationPage = 50

// NotificationService is the signed-in reader's bell and settings, and the unsubscribe
// links of their mail.
type NotificationService interface {
	// Notifications returns a page of the caller's notifications, newest first.
	Notifications(ctx context.Context, first int, after string) (*InboxPage, error)
	// UnreadNotificationCount counts the caller's unread notifications.
	UnreadNotificationCount(ctx context.Context) (int, error)
	// MarkNotificationsRead marks the caller's notifications of ids read (all when empty).
	MarkNotificationsRead(ctx context.Context, ids []string) (int, error)
	// NotificationSettings lists the caller's delivery per kind.
	NotificationSettings(ctx context.Context) ([]NotificationSetting, error)
	// SetNotificationDelivery changes the caller's delivery for one kind; lang (optional)
	// is the language of their mail.
	SetNotificationDelivery(ctx context.Context, kind NotificationKind, d NotificationDelivery, lang string) ([]NotificationSetting, error)
	// Unsubscribe turns off the mail of one unsubscribe link (the kind goes back to the bell
	// only) without signing in; a tampered link is EINVALID.
	Unsubscribe(ctx context.Context, token string) (NotificationSetting, error)
	// NotificationAdded delivers the caller's notifications as they are stored, until ctx
	// ends.
	NotificationAdded(ctx context.Context) (<-chan *InboxNotification, error)
}

// InboxFeed carries stored notifications to the replicas whose readers are connected: the
// durable consumer stores each notification on one replica, and every replica's live
// subscriptions must hear of it.
type InboxFeed interface {
	// PublishInbox announces a stored notification; it may lose it when the bus is down,
	// since the bell reads the stored notifications anyway.
	PublishInbox(n *InboxNotification) error
	// InboxEvents delivers the notifications stored for one user until ctx ends.
	InboxEvents(ctx context.Context, userID string) (<-chan *InboxNotification, error)
}
