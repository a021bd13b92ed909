package notify_test

import (
	"context"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/mail"
	"github.com/parleyhq/parley/mail/mailpittest"
	"github.com/parleyhq/parley/notify"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/postgres/postgrestest"
)

var (
	db  *postgres.DB
	seq atomic.Int64
)

func TestMain(m *testing.M) {
	d, cleanup, err := postgrestest.OpenDB(context.Background())
	if err != nil {
		postgrestest.Unavailable(err)
	}
	db = d
	code := m.Run()
	cleanup()
	os.Exit(code)
}

// MustUser creates an account with an address mailpit will receive for.
func MustUser(tb testing.TB) *parley.User {
	tb.Helper()
	n := seq.Add(1)
	u := &parley.User{Username: "reader" + uuid.NewString()[:8] + string(rune('a'+n%26)), Email: mailpittest.Address(tb)}
	if err := postgres.NewAccountStore(db).CreateUser(context.Background(), u, ""); err != nil {
		tb.Fatal(err)
	}
	return u
}

// event builds an outbox event as the relay delivers it.
func event(tb testing.TB, p parley.EventPayload) parley.OutboxEvent {
	tb.Helper()
	raw, err := parley.EncodeEvent(p)
	if err != nil {
		tb.Fatal(err)
	}
	return parley.OutboxEvent{ID: uuid.Must(uuid.NewV7()).String(), Kind: p.Kind(), Payload: raw, CreatedAt: time.Now()}
}

// MustHandle feeds the consumer an event.
func MustHandle(tb testing.TB, c *notify.Consumer, oe parley.OutboxEvent) {
	tb.Helper()
	if err := c.Handle(context.Background(), oe); err != nil {
		tb.Fatal(err)
	}
}

// MustInbox returns a user's notifications, newest first.
func MustInbox(tb testing.TB, svc *notify.Service, u *parley.User) []*parley.InboxNotification {
	tb.Helper()
	page, err := svc.Notifications(parley.NewContextWithUser(context.Background(), u), 50, "")
	if err != nil {
		tb.Fatal(err)
	}
	return page.Notifications
}

func reply(author, repliedTo *parley.User, body string, status parley.CommentStatus) parley.CommentCreated {
	return parley.CommentCreated{CommentSnapshot: parley.CommentSnapshot{ID: uuid.NewString(), AuthorID: author.ID, Status: status, BodySource: body},
		RepliedToAuthorID: repliedTo.ID}
}

func TestConsumer(t *testing.T) {
	pit := mailpittest.MustOpen(t)
	store := postgres.NewNotificationStore(db)
	tpl, err := mail.NewTemplates()
	if err != nil {
		t.Fatal(err)
	}
	unsub := notify.NewUnsubscribe([]byte("a test secret of thirty-two bytes"))
	c := notify.NewConsumer(store, notify.Options{Mailer: notify.Mailer(tpl.Render, "https://comments.example", unsub)})
	svc := notify.NewService(store, unsub, true)
	ctx := context.Background()

	t.Run("a reply notifies the replied-to author once, however often the event comes", func(t *testing.T) {
		ann, bob := MustUser(t), MustUser(t)
		oe := event(t, reply(bob, ann, "I disagree.", parley.StatusPublished))
		MustHandle(t, c, oe)
		MustHandle(t, c, oe)
		got := MustInbox(t, svc, ann)
		if len(got) != 1 || got[0].Kind != parley.NotifyReply || got[0].ActorID != bob.ID {
			t.Fatalf("got %+v", got)
		}
		if n, _ := svc.UnreadNotificationCount(parley.NewContextWithUser(ctx, ann)); n != 1 {
			t.Errorf("unread = %d", n)
		}
		if n, err := svc.MarkNotificationsRead(parley.NewContextWithUser(ctx, ann), nil); err != nil || n != 1 {
			t.Errorf("marked %d, %v", n, err)
		}
		if n, _ := svc.UnreadNotificationCount(parley.NewContextWithUser(ctx, ann)); n != 0 {
			t.Errorf("unread after marking = %d", n)
		}
	})

	t.Run("mentions notify named readers, not addresses or the author", func(t *testing.T) {
		ann, bob, carol := MustUser(t), MustUser(t), MustUser(t)
		body := "Thanks @" + strings.ToUpper(carol.Username) + ", and @" + carol.Username + ". Mail me at x@" + ann.Username + ". @" + bob.Username
		MustHandle(t, c, event(t, reply(bob, ann, body, parley.StatusPublished)))
		if got := MustInbox(t, svc, carol); len(got) != 1 || got[0].Kind != parley.NotifyMention {
			t.Errorf("carol got %+v", got)
		}
		if got := MustInbox(t, svc, ann); len(got) != 1 || got[0].Kind != parley.NotifyReply {
			t.Errorf("ann got %+v, want the reply only", got)
		}
		if got := MustInbox(t, svc, bob); len(got) != 0 {
			t.Errorf("the author got %+v", got)
		}
	})

	t.Run("a run notifies as its events one by one would, and again adds nothing", func(t *testing.T) {
		ann, bob, carol := MustUser(t), MustUser(t), MustUser(t)
		run := []parley.OutboxEvent{
			event(t, reply(bob, ann, "First.", parley.StatusPublished)),
			event(t, reply(carol, ann, "Held.", parley.StatusPending)),
			event(t, reply(ann, bob, "Hello @"+carol.Username, parley.StatusPublished)),
		}
		for range 2 {
			if err := c.HandleBatch(ctx, run); err != nil {
				t.Fatal(err)
			}
		}
		for _, want := range []struct {
			u    *parley.User
			kind parley.NotificationKind
		}{{ann, parley.NotifyReply}, {bob, parley.NotifyReply}, {carol, parley.NotifyMention}} {
			if got := MustInbox(t, svc, want.u); len(got) != 1 || got[0].Kind != want.kind {
				t.Errorf("%s got %+v, want one %s", want.u.Username, got, want.kind)
			}
		}
	})

	t.Run("a held reply notifies no one", func(t *testing.T) {
		ann, bob := MustUser(t), MustUser(t)
		MustHandle(t, c, event(t, reply(bob, ann, "held", parley.StatusPending)))
		if got := MustInbox(t, svc, ann); len(got) != 0 {
			t.Errorf("got %+v", got)
		}
	})

	t.Run("decisions and moderators' messages notify the reader", func(t *testing.T) {
		ann, mod := MustUser(t), MustUser(t)
		MustHandle(t, c, event(t, parley.CommentModerated{ActionID: uuid.NewString(), CommentID: uuid.NewString(), AuthorID: ann.ID, ModeratorID: mod.ID, Action: parley.ActionReject, Reason: "SPAM"}))
		MustHandle(t, c, event(t, parley.UserSanctioned{SanctionID: uuid.NewString(), UserID: ann.ID, SanctionKind: parley.SanctionWarn, ModeratorID: mod.ID}))
		got := MustInbox(t, svc, ann)
		if len(got) != 2 || got[0].Kind != parley.NotifyModeratorMessage || got[1].Kind != parley.NotifyDecision || got[1].Detail != "REJECT:SPAM" {
			t.Errorf("got %+v", got)
		}
	})

	t.Run("NONE stores nothing", func(t *testing.T) {
		ann, bob := MustUser(t), MustUser(t)
		if _, err := svc.SetNotificationDelivery(parley.NewContextWithUser(ctx, ann), parley.NotifyReply, parley.DeliverNone, ""); err != nil {
			t.Fatal(err)
		}
		MustHandle(t, c, event(t, reply(bob, ann, "x", parley.StatusPublished)))
		if got := MustInbox(t, svc, ann); len(got) != 0 {
			t.Errorf("got %+v", got)
		}
	})

	t.Run("EMAIL mails at once with a one-click unsubscribe that turns the mail off", func(t *testing.T) {
		ann, bob := MustUser(t), MustUser(t)
		if _, err := svc.SetNotificationDelivery(parley.NewContextWithUser(ctx, ann), parley.NotifyReply, parley.DeliverEmail, "de"); err != nil {
			t.Fatal(err)
		}
		oe := event(t, reply(bob, ann, "x", parley.StatusPublished))
		MustHandle(t, c, oe)
		MustHandle(t, c, oe)
		smtp, err := mail.NewSMTP(pit.SMTPURL, "Parley <noreply@comments.example>")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := mail.NewQueue(postgres.NewMailStore(db), smtp, mail.QueueOptions{}).Drain(ctx); err != nil {
			t.Fatal(err)
		}
		msgs := pit.MustMessages(t, ann.Email, 1)
		if len(msgs) != 1 || msgs[0].Subject != "Jemand hat auf Ihren Kommentar geantwortet" {
			t.Fatalf("got %d mails: %+v", len(msgs), msgs)
		}
		h := msgs[0].Headers
		if len(h["List-Unsubscribe-Post"]) != 1 || h["List-Unsubscribe-Post"][0] != "List-Unsubscribe=One-Click" || len(h["List-Unsubscribe"]) != 1 {
			t.Fatalf("headers %v", h)
		}
		link := strings.Trim(h["List-Unsubscribe"][0], "<>")
		token := link[strings.Index(link, "token=")+len("token="):]
		tampered := strings.Replace(token, token[:4], "AAAA", 1)
		if _, err := svc.Unsubscribe(ctx, tampered); parley.ErrorCode(err) != parley.EINVALID {
			t.Errorf("tampered token: %v, want INVALID", err)
		}
		s, err := svc.Unsubscribe(ctx, token)
		if err != nil || s.Kind != parley.NotifyReply || s.Delivery != parley.DeliverWidget {
			t.Fatalf("unsubscribe: %+v, %v", s, err)
		}
		settings, _ := svc.NotificationSettings(parley.NewContextWithUser(ctx, ann))
		if settings[0].Kind != parley.NotifyReply || settings[0].Delivery != parley.DeliverWidget {
			t.Errorf("settings after unsubscribe: %+v", settings)
		}
	})

	t.Run("bad settings are INVALID naming the field", func(t *testing.T) {
		uctx := parley.NewContextWithUser(ctx, MustUser(t))
		for _, tc := range []struct {
			kind  parley.NotificationKind
			d     parley.NotificationDelivery
			field string
		}{{"NOPE", parley.DeliverEmail, "kind"}, {parley.NotifyReply, "SOMETIMES", "delivery"}} {
			_, err := svc.SetNotificationDelivery(uctx, tc.kind, tc.d, "")
			if perr, ok := err.(*parley.Error); !ok || perr.Code != parley.EINVALID || perr.Field != tc.field {
				t.Errorf("%s/%s: %v", tc.kind, tc.d, err)
			}
		}
		if _, err := notify.NewService(store, unsub, false).SetNotificationDelivery(uctx, parley.NotifyReply, parley.DeliverEmail, ""); parley.ErrorCode(err) != parley.EINVALID {
			t.Errorf("EMAIL without mail: %v", err)
		}
	})
}
