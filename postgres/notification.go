package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley"
)

// NotificationStore keeps readers' notifications and their delivery choices.
type NotificationStore struct{ db *DB }

// NewNotificationStore returns the notification store on db.
func NewNotificationStore(db *DB) *NotificationStore { return &NotificationStore{db: db} }

var _ parley.NotificationStore = (*NotificationStore)(nil)

const notificationColumns = `id, user_id, kind, event_id, coalesce(site_id::text, ''), coalesce(story_id::text, ''),
	coalesce(comment_id::text, ''), coalesce(actor_id::text, ''), detail, created_at, read_at`

func scanNotification(row pgx.Row) (*parley.InboxNotification, error) {
	var n parley.InboxNotification
	err := row.Scan(&n.ID, &n.UserID, &n.Kind, &n.EventID, &n.SiteID, &n.StoryID, &n.CommentID, &n.ActorID, &n.Detail, &n.CreatedAt, &n.ReadAt)
	return &n, err
}

// settingsOf reads a user's deliveries and language inside q.
func settingsOf(ctx context.Context, q querier, userID string) (map[parley.NotificationKind]parley.NotificationDelivery, string, error) {
	var raw []byte
	var lang string
	err := q.QueryRow(ctx, `SELECT deliveries, language FROM notification_settings WHERE user_id = $1`, userID).Scan(&raw, &lang)
	if err != nil && !noRows(err) {
		return nil, "", err
	}
	stored := map[parley.NotificationKind]parley.NotificationDelivery{}
	if raw != nil {
		if err := json.Unmarshal(raw, &stored); err != nil {
			return nil, "", err
		}
	}
	out := map[parley.NotificationKind]parley.NotificationDelivery{}
	for _, k := range parley.NotificationKinds {
		out[k] = parley.DefaultDelivery
		if d, ok := stored[k]; ok && d.Valid() {
			out[k] = d
		}
	}
	return out, lang, nil
}

// AddNotifications implements parley.NotificationStore.
func (s *NotificationStore) AddNotifications(ctx context.Context, ns []*parley.InboxNotification, mail parley.NotificationMailer) ([]*parley.InboxNotification, error) {
	var added []*parley.InboxNotification
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		added = added[:0]
		for _, n := range ns {
			deliveries, lang, err := settingsOf(ctx, tx, n.UserID)
			if err != nil {
				return err
			}
			d := deliveries[n.Kind]
			if d == parley.DeliverNone {
				continue
			}
			n.ID = newID()
			err = tx.QueryRow(ctx, `
				INSERT INTO notifications (id, user_id, kind, event_id, site_id, story_id, comment_id, actor_id, detail)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
				ON CONFLICT DO NOTHING
				RETURNING created_at`,
				n.ID, n.UserID, n.Kind, n.EventID, nullID(n.SiteID), nullID(n.StoryID), nullID(n.CommentID), nullID(n.ActorID), n.Detail).Scan(&n.CreatedAt)
			if noRows(err) {
				continue // this event was handled before
			}
			if err != nil {
				return fmt.Errorf("store notification: %w", err)
			}
			added = append(added, n)
			if d != parley.DeliverEmail || mail == nil {
				continue
			}
			u, err := scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, n.UserID))
			if err != nil {
				return err
			}
			if u.Email == "" {
				continue
			}
			m, err := mail(n, u, lang)
			if err != nil {
				return err
			}
			m.DedupeKey = "notification:" + n.EventID + ":" + n.UserID + ":" + string(n.Kind)
			if err := insertMail(ctx, tx, m); err != nil {
				return err
			}
		}
		return nil
	})
	return added, err
}

// FindPublishedComment implements parley.NotificationStore.
func (s *NotificationStore) FindPublishedComment(ctx context.Context, commentID string) (*parley.Comment, string, error) {
	var repliedTo string
	row := s.db.pool.QueryRow(ctx, `
		SELECT `+commentColumns+`, coalesce((SELECT p.author_id::text FROM comments p WHERE p.id = c.parent_id), '')
		FROM comments c WHERE c.id = $1 AND c.status = 'PUBLISHED'`, validID(commentID))
	c, err := scanCommentWith(row, &repliedTo)
	if err != nil {
		return nil, "", translateNotFound(err, "Comment")
	}
	return c, repliedTo, nil
}

// FindUsersByUsernames implements parley.NotificationStore.
func (s *NotificationStore) FindUsersByUsernames(ctx context.Context, names []string) ([]*parley.User, error) {
	lower := make([]string, len(names))
	for i, n := range names {
		lower[i] = strings.ToLower(n)
	}
	rows, err := s.db.pool.Query(ctx, `SELECT `+userColumns+` FROM users WHERE lower(username) = ANY($1)`, lower)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var users []*parley.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, translate(err)
		}
		users = append(users, u)
	}
	return users, translate(rows.Err())
}

// FindNotifications implements parley.NotificationStore.
func (s *NotificationStore) FindNotifications(ctx context.Context, userID string, first int, after string) (*parley.InboxPage, error) {
	var rows pgx.Rows
	var err error
	if after == "" {
		rows, err = s.db.pool.Query(ctx, `SELECT `+notificationColumns+` FROM notifications WHERE user_id = $1 ORDER BY id DESC LIMIT $2`, userID, first+1)
	} else {
		rows, err = s.db.pool.Query(ctx, `SELECT `+notificationColumns+` FROM notifications WHERE user_id = $1 AND id < $3 ORDER BY id DESC LIMIT $2`, userID, first+1, after)
	}
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	page := &parley.InboxPage{}
	for rows.Next() {
		n, err := scanNotification(rows)
		if err != nil {
			return nil, translate(err)
		}
		page.Notifications = append(page.Notifications, n)
	}
	if len(page.Notifications) > first {
		page.Notifications, page.HasNextPage = page.Notifications[:first], true
	}
	return page, translate(rows.Err())
}

// UnreadNotificationCount implements parley.NotificationStore.
func (s *NotificationStore) UnreadNotificationCount(ctx context.Context, userID string) (int, error) {
	var n int
	err := s.db.pool.QueryRow(ctx, `SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL`, userID).Scan(&n)
	return n, translate(err)
}

// MarkNotificationsRead implements parley.NotificationStore.
func (s *NotificationStore) MarkNotificationsRead(ctx context.Context, userID string, ids []string) (int, error) {
	var tag interface{ RowsAffected() int64 }
	var err error
	if len(ids) == 0 {
		tag, err = s.db.pool.Exec(ctx, `UPDATE notifications SET read_at = now() WHERE user_id = $1 AND read_at IS NULL`, userID)
	} else {
		tag, err = s.db.pool.Exec(ctx, `UPDATE notifications SET read_at = now() WHERE user_id = $1 AND read_at IS NULL AND id = ANY($2::uuid[])`, userID, validIDs(ids))
	}
	if err != nil {
		return 0, translate(err)
	}
	return int(tag.RowsAffected()), nil
}

// NotificationSettings implements parley.NotificationStore.
func (s *NotificationStore) NotificationSettings(ctx context.Context, userID string) (map[parley.NotificationKind]parley.NotificationDelivery, string, error) {
	d, lang, err := settingsOf(ctx, s.db.pool, userID)
	return d, lang, translate(err)
}

// SetNotificationDelivery implements parley.NotificationStore.
func (s *NotificationStore) SetNotificationDelivery(ctx context.Context, userID string, kind parley.NotificationKind, d parley.NotificationDelivery, lang string) error {
	_, err := s.db.pool.Exec(ctx, `
		INSERT INTO notification_settings (user_id, deliveries, language) VALUES ($1, jsonb_build_object($2::text, $3::text), $4)
		ON CONFLICT (user_id) DO UPDATE SET deliveries = notification_settings.deliveries || jsonb_build_object($2::text, $3::text),
			language = CASE WHEN $4 = '' THEN notification_settings.language ELSE $4 END`,
		userID, string(kind), string(d), lang)
	if err != nil {
		return translate(err)
	}
	if d == parley.DeliverDigestDaily || d == parley.DeliverDigestWeekly {
		// The first digest comes one period after the reader chose it.
		_, err = s.db.pool.Exec(ctx, `
			INSERT INTO notification_digests (user_id, period, next_at)
			VALUES ($1, $2, now() + CASE WHEN $2 = 'DIGEST_DAILY' THEN interval '1 day' ELSE interval '7 days' END)
			ON CONFLICT (user_id, period) DO NOTHING`, userID, string(d))
	}
	return translate(err)
}
