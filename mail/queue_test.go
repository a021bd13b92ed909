package mail_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/mail"
	"github.com/parleyhq/parley/mail/mailpittest"
	"github.com/parleyhq/parley/postgres"
)

// clock is a test clock that tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func newClock() *clock { return &clock{t: time.Now()} }

// MustEnqueue queues one mail to each address.
func MustEnqueue(tb testing.TB, q *mail.Queue, to ...string) {
	tb.Helper()
	for _, addr := range to {
		if err := q.Enqueue(context.Background(), &parley.Mail{To: addr, Subject: "Hello " + addr, Text: "Text for " + addr, HTML: "<p>HTML</p>"}); err != nil {
			tb.Fatal(err)
		}
	}
}

// MustDrain sends what is due and answers how many were sent.
func MustDrain(tb testing.TB, q *mail.Queue) int {
	tb.Helper()
	n, err := q.Drain(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

func TestQueue(t *testing.T) {
	pit := mailpittest.MustOpen(t)
	store := postgres.NewMailStore(db)
	ctx := context.Background()

	t.Run("sends each queued mail once", func(t *testing.T) {
		// Other tests share the queue, so this one counts its own recipients only.
		q := mail.NewQueue(store, MustSMTP(t, pit.SMTPURL), mail.QueueOptions{})
		a, b := mailpittest.Address(t), mailpittest.Address(t)
		MustEnqueue(t, q, a, b)
		MustDrain(t, q)
		MustDrain(t, q)
		for _, to := range []string{a, b} {
			if msgs := pit.MustMessages(t, to, 1); len(msgs) != 1 || msgs[0].Subject != "Hello "+to {
				t.Errorf("%s got %d messages", to, len(msgs))
			}
		}
	})

	t.Run("a mail server outage holds the mail, then it drains once", func(t *testing.T) {
		clk := newClock()
		down := mail.NewQueue(store, MustSMTP(t, "smtp://"+closedAddr(t)), mail.QueueOptions{Now: clk.Now})
		to := mailpittest.Address(t)
		m := &parley.Mail{To: to, Subject: "held", Text: "t"}
		if err := down.Enqueue(ctx, m); err != nil {
			t.Fatal(err)
		}
		// Tries now and after each backoff for an hour: every try fails and is recorded.
		tries := 0
		for end := clk.Now().Add(time.Hour); clk.Now().Before(end); clk.Add(10 * time.Second) {
			if n := MustDrain(t, down); n != 0 {
				t.Fatalf("sent %d with the server down", n)
			}
			tries++
		}
		held := MustFindMail(t, store, m.ID)
		if held.Attempts < 5 || held.Attempts > 10 || held.LastError == "" || held.SentAt != nil || held.FailedAt != nil {
			t.Errorf("after an hour down: %d attempts (of %d drains), last error %q; want held, backoff allowing 5-10", held.Attempts, tries, held.LastError)
		}
		up := mail.NewQueue(store, MustSMTP(t, pit.SMTPURL), mail.QueueOptions{Now: clk.Now})
		clk.Add(mail.DefaultBackoff(held.Attempts))
		MustDrain(t, up)
		MustDrain(t, up)
		if n, err := pit.Count(ctx, to); err != nil || n != 1 {
			t.Errorf("mailpit has %d messages for %s (%v), want 1", n, to, err)
		}
	})

	t.Run("replicas draining at once send nothing twice", func(t *testing.T) {
		var to []string
		for i := 0; i < 20; i++ {
			to = append(to, mailpittest.Address(t))
		}
		q1 := mail.NewQueue(store, MustSMTP(t, pit.SMTPURL), mail.QueueOptions{})
		q2 := mail.NewQueue(store, MustSMTP(t, pit.SMTPURL), mail.QueueOptions{})
		MustEnqueue(t, q1, to...)
		var wg sync.WaitGroup
		for _, q := range []*mail.Queue{q1, q2, q1, q2} {
			wg.Add(1)
			go func() { defer wg.Done(); MustDrain(t, q) }()
		}
		wg.Wait()
		for _, addr := range to {
			if n, err := pit.Count(ctx, addr); err != nil || n != 1 {
				t.Errorf("%s got %d messages (%v), want 1", addr, n, err)
			}
		}
	})

	t.Run("a dedupe key queues one mail", func(t *testing.T) {
		to := mailpittest.Address(t)
		q := mail.NewQueue(store, MustSMTP(t, pit.SMTPURL), mail.QueueOptions{})
		key := "test:" + to
		for i := 0; i < 2; i++ {
			if err := q.Enqueue(ctx, &parley.Mail{To: to, Subject: "once", Text: "t", DedupeKey: key}); err != nil {
				t.Fatal(err)
			}
		}
		MustDrain(t, q)
		if n, err := pit.Count(ctx, to); err != nil || n != 1 {
			t.Errorf("got %d messages (%v), want 1", n, err)
		}
	})

	t.Run("a permanent refusal gives the mail up", func(t *testing.T) {
		to := mailpittest.Address(t)
		q := mail.NewQueue(store, refusing{}, mail.QueueOptions{})
		m := &parley.Mail{To: to, Subject: "refused", Text: "t"}
		if err := q.Enqueue(ctx, m); err != nil {
			t.Fatal(err)
		}
		MustDrain(t, q)
		if got := MustFindMail(t, store, m.ID); got.FailedAt == nil || got.Attempts != 1 || got.LastError != "550 no such mailbox" {
			t.Errorf("got %+v, want given up after one attempt", got)
		}
	})

	t.Run("a bad address is refused with the field named", func(t *testing.T) {
		q := mail.NewQueue(store, refusing{}, mail.QueueOptions{})
		for _, addr := range []string{"", "no-at", "a@b.org\r\nBcc: x@y.org", fmt.Sprintf("%0300d@example.org", 1)} {
			err := q.Enqueue(ctx, &parley.Mail{To: addr, Subject: "s", Text: "t"})
			var perr *parley.Error
			if !errors.As(err, &perr) || perr.Code != parley.EINVALID {
				t.Errorf("Enqueue(%q) = %v, want EINVALID", addr, err)
			}
		}
	})
}

// refusing is a mail server that refuses every message for good.
type refusing struct{}

func (refusing) Send(context.Context, *parley.Mail) error {
	return mail.Permanent(errors.New("550 no such mailbox"))
}

// MustFindMail reads a queued mail's state.
func MustFindMail(tb testing.TB, store parley.MailStore, id string) *parley.Mail {
	tb.Helper()
	m, err := store.FindMail(context.Background(), id)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}
