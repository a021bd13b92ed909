package notify_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/mail"
	"github.com/parleyhq/parley/mail/mailpittest"
	"github.com/parleyhq/parley/notify"
	"github.com/parleyhq/parley/postgres"
)

// MustDigest returns the digest job at a clock the test moves, and the queue it fills.
func MustDigest(tb testing.TB, now func() time.Time) *notify.Digest {
	tb.Helper()
	tpl, err := mail.NewTemplates()
	if err != nil {
		tb.Fatal(err)
	}
	unsub := notify.NewUnsubscribe([]byte("a test secret of thirty-two bytes"))
	return notify.NewDigest(postgres.NewNotificationStore(db), notify.DigestMailer(tpl.Render, "https://comments.example", unsub), notify.DigestOptions{Now: now})
}

func TestDigest(t *testing.T) {
	pit := mailpittest.MustOpen(t)
	store := postgres.NewNotificationStore(db)
	unsub := notify.NewUnsubscribe([]byte("a test secret of thirty-two bytes"))
	svc := notify.NewService(store, unsub, true)
	c := notify.NewConsumer(store, notify.Options{})
	ctx := context.Background()
	smtp, err := mail.NewSMTP(pit.SMTPURL, "Parley <noreply@comments.example>")
	if err != nil {
		t.Fatal(err)
	}
	queue := mail.NewQueue(postgres.NewMailStore(db), smtp, mail.QueueOptions{})

	t.Run("a daily digest gathers the day's notifications into one mail, once, on any number of replicas", func(t *testing.T) {
		ann, bob := MustUser(t), MustUser(t)
		actx := parley.NewContextWithUser(ctx, ann)
		for _, k := range []parley.NotificationKind{parley.NotifyReply, parley.NotifyMention} {
			if _, err := svc.SetNotificationDelivery(actx, k, parley.DeliverDigestDaily, "en"); err != nil {
				t.Fatal(err)
			}
		}
		for i := 0; i < 3; i++ {
			MustHandle(t, c, event(t, reply(bob, ann, "reply @"+ann.Username, parley.StatusPublished)))
		}
		MustHandle(t, c, event(t, reply(bob, bob, "hi @"+ann.Username, parley.StatusPublished)))
		if n, _ := svc.UnreadNotificationCount(actx); n != 4 {
			t.Fatalf("unread = %d, want 4 (the bell keeps digest kinds)", n)
		}
		// Not due yet: nothing.
		if _, err := MustDigest(t, time.Now).RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		tomorrow := func() time.Time { return time.Now().Add(25 * time.Hour) }
		var wg sync.WaitGroup
		for range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := MustDigest(t, tomorrow).RunOnce(ctx); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if _, err := queue.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		msgs := pit.MustMessages(t, ann.Email, 1)
		if len(msgs) != 1 || !strings.Contains(msgs[0].Subject, "daily summary: 4 new") || !strings.Contains(msgs[0].Text, "3 replies") || !strings.Contains(msgs[0].Text, "1 mentions") {
			t.Fatalf("got %d mails, first %q %q", len(msgs), msgs[0].Subject, msgs[0].Text)
		}
		if len(msgs[0].Headers["List-Unsubscribe-Post"]) != 1 {
			t.Errorf("no one-click unsubscribe: %v", msgs[0].Headers)
		}
		// The same day again sends nothing new.
		if _, err := MustDigest(t, tomorrow).RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		queue.Drain(ctx)
		if n, _ := pit.Count(ctx, ann.Email); n != 1 {
			t.Errorf("%d mails, want 1", n)
		}
	})
}

// BenchmarkDigest10000 times the digest job for 10,000 readers who each chose a daily digest
// and have three unread replies: one run of the job (b.N runs, each over fresh readers would
// take minutes to set up, so the figure is one run per benchmark iteration over the same
// readers made due again).
func BenchmarkDigest10000(b *testing.B) {
	const readers = 10000
	store := postgres.NewNotificationStore(db)
	svc := notify.NewService(store, notify.NewUnsubscribe([]byte("k")), true)
	c := notify.NewConsumer(store, notify.Options{})
	ctx := context.Background()
	replier := MustUser(b)
	users := make([]*parley.User, readers)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i := range users {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			u := MustUser(b)
			users[i] = u
			if _, err := svc.SetNotificationDelivery(parley.NewContextWithUser(ctx, u), parley.NotifyReply, parley.DeliverDigestDaily, "en"); err != nil {
				b.Error(err)
			}
			for range 3 {
				if err := c.Handle(ctx, event(b, reply(replier, u, "r", parley.StatusPublished))); err != nil {
					b.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	day := 0
	b.ResetTimer()
	for range b.N {
		day++
		at := time.Now().Add(time.Duration(day) * 25 * time.Hour)
		n, err := MustDigest(b, func() time.Time { return at }).RunOnce(ctx)
		if err != nil || n < readers {
			b.Fatalf("digested %d readers (%v)", n, err)
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/run")
}
