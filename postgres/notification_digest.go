package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley"
)

// SendDigests implements parley.NotificationStore.
func (s *NotificationStore) SendDigests(ctx context.Context, now time.Time, limit int, periods map[parley.NotificationDelivery]time.Duration, mail parley.DigestMailer) (int, error) {
	claimed := 0
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			SELECT user_id, period, next_at FROM notification_digests
			WHERE next_at <= $1 ORDER BY next_at LIMIT $2
			FOR UPDATE SKIP LOCKED`, now, limit)
		if err != nil {
			return err
		}
		type due struct {
			userID string
			period parley.NotificationDelivery
			nextAt time.Time
		}
		var dues []due
		for rows.Next() {
			var d due
			if err := rows.Scan(&d.userID, &d.period, &d.nextAt); err != nil {
				rows.Close()
				return err
			}
			dues = append(dues, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		claimed = len(dues)
		for _, d := range dues {
			if err := s.digestOne(ctx, tx, now, d.userID, d.period, d.nextAt, periods[d.period], mail); err != nil {
				return fmt.Errorf("digest of %s: %w", d.userID, err)
			}
		}
		return nil
	})
	return claimed, err
}

// digestOne mails one reader's digest, if there is anything in it, and moves the next one.
func (s *NotificationStore) digestOne(ctx context.Context, tx pgx.Tx, now time.Time, userID string, period parley.NotificationDelivery, nextAt time.Time, every time.Duration, mail parley.DigestMailer) error {
	deliveries, lang, err := settingsOf(ctx, tx, userID)
	if err != nil {
		return err
	}
	var kinds []string
	for k, d := range deliveries {
		if d == period {
			kinds = append(kinds, string(k))
		}
	}
	if len(kinds) == 0 {
		// The reader chose something else for every kind since: no more digests.
		_, err := tx.Exec(ctx, `DELETE FROM notification_digests WHERE user_id = $1 AND period = $2`, userID, string(period))
		return err
	}
	// The next digest is one period on; a job that was down for longer does not send the
	// missed ones one after another.
	next := nextAt.Add(every)
	if !next.After(now) {
		next = now.Add(every)
	}
	if _, err := tx.Exec(ctx, `UPDATE notification_digests SET next_at = $3 WHERE user_id = $1 AND period = $2`, userID, string(period), next); err != nil {
		return err
	}
	rows, err := tx.Query(ctx, `
		UPDATE notifications SET digested_at = $3
		WHERE user_id = $1 AND kind = ANY($2) AND read_at IS NULL AND digested_at IS NULL AND created_at <= $3
		RETURNING `+notificationColumns, userID, kinds, now)
	if err != nil {
		return err
	}
	var ns []*parley.InboxNotification
	for rows.Next() {
		n, err := scanNotification(rows)
		if err != nil {
			rows.Close()
			return err
		}
		ns = append(ns, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(ns) == 0 {
		return err
	}
	u, err := scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, userID))
	if err != nil || u.Email == "" {
		return err
	}
	m, err := mail(u, lang, period, ns)
	if err != nil {
		return err
	}
	m.DedupeKey = "digest:" + userID + ":" + string(period) + ":" + nextAt.UTC().Format(time.RFC3339)
	return insertMail(ctx, tx, m)
}
