package parley

import (
	"context"
	"time"
)

// Mail is one email in the outgoing queue. Templates have already been rendered: the queue
// only carries finished text, so a replica that sends it needs no knowledge of why it exists.
type Mail struct {
	ID string
	// To is one address; a message to several people is several mails, so one refusal does
	// not hold up the others.
	To      string
	Subject string
	// Text is the plain-text body, always present; HTML is the alternative shown by clients
	// that render it, and may be empty.
	Text string
	HTML string
	// Headers are extra header fields, such as List-Unsubscribe and List-Unsubscribe-Post.
	Headers map[string]string
	// DedupeKey, when set, makes a second enqueue of the same key do nothing: a consumer that
	// sees an event twice queues its mail once.
	DedupeKey string
	// Attempts counts earlier tries; LastError is the last failure, for operators.
	Attempts  int
	LastError string
	CreatedAt time.Time
	// SentAt is when the mail server accepted the mail; FailedAt when the queue gave it up.
	SentAt   *time.Time
	FailedAt *time.Time
}

// MailOutcome is what a sender did with one claimed mail; the queue records it in the
// transaction that claimed the mail.
type MailOutcome struct {
	// Sent means the mail server accepted the message.
	Sent bool
	// RetryAt is when to try again after a failure; zero gives the mail up for good.
	RetryAt time.Time
	// Error describes the failure, kept for operators.
	Error string
}

// MailStats counts the queue's mails by state, for metrics and health.
type MailStats struct {
	Pending int
	Sent    int
	Failed  int
}

// MailStore is the storage of the outgoing queue, shared by every replica.
type MailStore interface {
	// EnqueueMail queues a mail. A mail whose DedupeKey is already queued is not queued
	// again, and that is no error.
	EnqueueMail(ctx context.Context, m *Mail) error
	// SendDueMail claims one mail that is due at now and that no other replica holds (FOR
	// UPDATE SKIP LOCKED), calls send with it, and records the outcome in the same
	// transaction. It reports whether there was a mail to send.
	SendDueMail(ctx context.Context, now time.Time, send func(context.Context, *Mail) MailOutcome) (bool, error)
	// FindMail reads one queued mail with its state.
	FindMail(ctx context.Context, id string) (*Mail, error)
	// MailStats counts the queue's mails.
	MailStats(ctx context.Context) (MailStats, error)
}
