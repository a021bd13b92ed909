package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley"
)

// MailStore is the outgoing mail queue in PostgreSQL. Every replica may send from it: a
// mail is claimed with FOR UPDATE SKIP LOCKED and marked sent in the transaction that
// claimed it, so two replicas never hold the same mail.
type MailStore struct{ db *DB }

// NewMailStore returns the mail queue on db.
func NewMailStore(db *DB) *MailStore { return &MailStore{db: db} }

var _ parley.MailStore = (*MailStore)(nil)

// EnqueueMail implements parley.MailStore.
func (s *MailStore) EnqueueMail(ctx context.Context, m *parley.Mail) error {
	return s.db.inTx(ctx, func(tx pgx.Tx) error { return insertMail(ctx, tx, m) })
}

// insertMail queues m inside the caller's transaction, so a mail and the change it tells
// of (a reset token, a notification) are written together or not at all.
func insertMail(ctx context.Context, q querier, m *parley.Mail) error {
	headers, err := json.Marshal(m.Headers)
	if err != nil {
		return err
	}
	if m.Headers == nil {
		headers = []byte("{}")
	}
	var dedupe any
	if m.DedupeKey != "" {
		dedupe = m.DedupeKey
	}
	m.ID = newID()
	err = q.QueryRow(ctx, `
		INSERT INTO mail (id, to_address, subject, text_body, html_body, headers, dedupe_key)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (dedupe_key) DO NOTHING
		RETURNING created_at`,
		m.ID, m.To, m.Subject, m.Text, m.HTML, headers, dedupe).Scan(&m.CreatedAt)
	if noRows(err) {
		// Queued before under the same key: that earlier mail stands.
		return q.QueryRow(ctx, `SELECT id, created_at FROM mail WHERE dedupe_key = $1`, dedupe).Scan(&m.ID, &m.CreatedAt)
	}
	if err != nil {
		return fmt.Errorf("queue mail: %w", err)
	}
	return nil
}

// SendDueMail implements parley.MailStore. The row stays locked while send runs, which is
// one SMTP conversation with a bounded timeout; the outcome is written before the commit.
func (s *MailStore) SendDueMail(ctx context.Context, now time.Time, send func(context.Context, *parley.Mail) parley.MailOutcome) (bool, error) {
	found := false
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		var m parley.Mail
		var headers []byte
		var dedupe *string
		err := tx.QueryRow(ctx, `
			SELECT id, to_address, subject, text_body, html_body, headers, dedupe_key, attempts, created_at
			FROM mail
			WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1
			ORDER BY next_attempt_at
			LIMIT 1
			FOR UPDATE SKIP LOCKED`, now).
			Scan(&m.ID, &m.To, &m.Subject, &m.Text, &m.HTML, &headers, &dedupe, &m.Attempts, &m.CreatedAt)
		if noRows(err) {
			return nil
		}
		if err != nil {
			return err
		}
		found = true
		if dedupe != nil {
			m.DedupeKey = *dedupe
		}
		if err := json.Unmarshal(headers, &m.Headers); err != nil {
			return fmt.Errorf("mail %s headers: %w", m.ID, err)
		}
		out := send(ctx, &m)
		switch {
		case out.Sent:
			_, err = tx.Exec(ctx, `UPDATE mail SET sent_at = $2, attempts = attempts + 1, last_error = '' WHERE id = $1`, m.ID, now)
		case out.RetryAt.IsZero():
			_, err = tx.Exec(ctx, `UPDATE mail SET failed_at = $2, attempts = attempts + 1, last_error = $3 WHERE id = $1`, m.ID, now, out.Error)
		default:
			_, err = tx.Exec(ctx, `UPDATE mail SET next_attempt_at = $2, attempts = attempts + 1, last_error = $3 WHERE id = $1`, m.ID, out.RetryAt, out.Error)
		}
		return err
	})
	return found, err
}

// FindMail implements parley.MailStore.
func (s *MailStore) FindMail(ctx context.Context, id string) (*parley.Mail, error) {
	var m parley.Mail
	var headers []byte
	var dedupe *string
	err := s.db.pool.QueryRow(ctx, `
		SELECT id, to_address, subject, text_body, html_body, headers, dedupe_key, attempts, last_error, created_at, sent_at, failed_at
		FROM mail WHERE id = $1`, id).
		Scan(&m.ID, &m.To, &m.Subject, &m.Text, &m.HTML, &headers, &dedupe, &m.Attempts, &m.LastError, &m.CreatedAt, &m.SentAt, &m.FailedAt)
	if err != nil {
		return nil, translateNotFound(err, "Mail")
	}
	if dedupe != nil {
		m.DedupeKey = *dedupe
	}
	return &m, json.Unmarshal(headers, &m.Headers)
}

// MailStats implements parley.MailStore.
func (s *MailStore) MailStats(ctx context.Context) (parley.MailStats, error) {
	var st parley.MailStats
	err := s.db.pool.QueryRow(ctx, `
		SELECT count(*) FILTER (WHERE sent_at IS NULL AND failed_at IS NULL),
		       count(*) FILTER (WHERE sent_at IS NOT NULL),
		       count(*) FILTER (WHERE failed_at IS NOT NULL)
		FROM mail`).Scan(&st.Pending, &st.Sent, &st.Failed)
	return st, translate(err)
}
