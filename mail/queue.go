package mail

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/parleyhq/parley"
)

// Queue sends the mails of a parley.MailStore through a Sender. Every replica may run one:
// the store hands each due mail to one replica only and records the outcome in the
// transaction that claimed it.
//
// Delivery is at least once, not exactly once. The mail is marked sent in the claiming
// transaction after the server accepted it; if the process dies or loses the database
// between the server's "250 OK" and the commit, the row is still unsent and another
// attempt sends it again (with the same Message-ID). Everything else — a server outage, a
// refused connection, a crash before DATA is answered — sends nothing twice.
type Queue struct {
	store   parley.MailStore
	sender  Sender
	logger  *slog.Logger
	now     func() time.Time
	backoff func(attempts int) time.Duration
	max     int
	wake    chan struct{}
}

// QueueOptions tune a Queue; the zero value is what production uses.
type QueueOptions struct {
	Logger *slog.Logger
	// Now is the clock, for tests of retries.
	Now func() time.Time
	// MaxAttempts gives a mail up after this many failures (default 15: about two days of
	// tries with the default backoff).
	MaxAttempts int
	// Backoff is the wait after a mail's n-th failure (default: 30s doubling, at most 4h).
	Backoff func(n int) time.Duration
}

// NewQueue returns a queue that sends store's mails through sender.
func NewQueue(store parley.MailStore, sender Sender, o QueueOptions) *Queue {
	q := &Queue{store: store, sender: sender, logger: o.Logger, now: o.Now, backoff: o.Backoff, max: o.MaxAttempts, wake: make(chan struct{}, 1)}
	if q.logger == nil {
		q.logger = slog.New(slog.DiscardHandler)
	}
	if q.now == nil {
		q.now = time.Now
	}
	if q.max == 0 {
		q.max = 15
	}
	if q.backoff == nil {
		q.backoff = DefaultBackoff
	}
	return q
}

// DefaultBackoff waits 30 seconds after the first failure and twice as long after each
// next one, at most four hours: an hour-long outage costs about eight tries.
func DefaultBackoff(n int) time.Duration {
	d := 30 * time.Second
	for i := 1; i < n && d < 4*time.Hour; i++ {
		d *= 2
	}
	return min(d, 4*time.Hour)
}

// Enqueue queues m and wakes this replica's sender.
func (q *Queue) Enqueue(ctx context.Context, m *parley.Mail) error {
	if err := ValidateAddress(m.To); err != nil {
		return err
	}
	if err := q.store.EnqueueMail(ctx, m); err != nil {
		return err
	}
	q.Wake()
	return nil
}

// Wake makes Run look for due mail now rather than at its next tick; a change that queued
// mail in its own transaction calls it after the commit.
func (q *Queue) Wake() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// Drain sends every mail due now, one after another, and answers how many were sent. A
// failure is recorded on its mail and does not stop the others.
func (q *Queue) Drain(ctx context.Context) (sent int, err error) {
	for ctx.Err() == nil {
		ok, err := q.store.SendDueMail(ctx, q.now(), func(ctx context.Context, m *parley.Mail) parley.MailOutcome {
			out := q.send(ctx, m)
			if out.Sent {
				sent++
			}
			return out
		})
		if err != nil || !ok {
			return sent, err
		}
	}
	return sent, ctx.Err()
}

func (q *Queue) send(ctx context.Context, m *parley.Mail) parley.MailOutcome {
	err := q.sender.Send(ctx, m)
	if err == nil {
		return parley.MailOutcome{Sent: true}
	}
	n := m.Attempts + 1
	if IsPermanent(err) || n >= q.max {
		q.logger.Warn("mail given up", "mail", m.ID, "attempts", n, "err", err)
		return parley.MailOutcome{Error: err.Error()}
	}
	retry := q.now().Add(q.backoff(n))
	q.logger.Info("mail will be retried", "mail", m.ID, "attempts", n, "retry_at", retry, "err", err)
	return parley.MailOutcome{RetryAt: retry, Error: err.Error()}
}

// Run drains the queue with workers senders at once until ctx ends: at every tick of
// interval, and whenever Wake is called.
func (q *Queue) Run(ctx context.Context, interval time.Duration, workers int) {
	var wg sync.WaitGroup
	for range max(workers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.NewTicker(interval)
			defer t.Stop()
			for {
				if _, err := q.Drain(ctx); err != nil && ctx.Err() == nil {
					q.logger.Error("mail queue", "err", err)
				}
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				case <-q.wake:
				}
			}
		}()
	}
	wg.Wait()
}
