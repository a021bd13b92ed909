package webhook_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/webhook"
)

// sender returns a sender on the test database with a short time limit, reaching loopback
// (every receiver here is on it) unless private is false.
func (e *env) sender(clock *clock, private bool) *webhook.Sender {
	return webhook.NewSender(e.store, webhook.SenderOptions{AllowPrivate: private, Timeout: 300 * time.Millisecond, Now: clock.Now})
}

// MustSendDue runs one pass of the sender and returns how many deliveries it claimed.
func MustSendDue(tb testing.TB, s *webhook.Sender) int {
	tb.Helper()
	n, err := s.SendDue(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// MustQueue feeds events to a consumer.
func (e *env) MustQueue(tb testing.TB, events []parley.OutboxEvent) {
	tb.Helper()
	c := webhook.NewConsumer(e.store, nil, nil)
	for _, oe := range events {
		if err := c.Handle(context.Background(), oe); err != nil {
			tb.Fatal(err)
		}
	}
}

func TestDeliverySigned(t *testing.T) {
	e := MustEnv(t)
	clock := newClock()
	site, story := e.MustStory(t)
	rc := newReceiver(t)
	ep, secret := e.MustEndpoint(t, site, rc.URL+"/hook")
	events := e.MustCommentEvents(t, story, 1)
	e.MustQueue(t, events)
	e.MustQueue(t, events) // the stream delivers at least once

	if n := MustSendDue(t, e.sender(clock, true)); n != 1 {
		t.Fatalf("claimed %d deliveries, want 1", n)
	}
	got := rc.received()
	if len(got) != 1 {
		t.Fatalf("receiver got %d requests, want 1", len(got))
	}
	r := got[0]
	if err := webhook.Verify(secret, r.header.Get(webhook.SignatureHeader), r.body, time.Now(), 5*time.Minute); err != nil {
		t.Errorf("signature: %v", err)
	}
	if err := webhook.Verify("whsec_other", r.header.Get(webhook.SignatureHeader), r.body, time.Now(), 5*time.Minute); err == nil {
		t.Error("a signature checked with another secret passed")
	}
	var body webhook.Body
	if err := json.Unmarshal(r.body, &body); err != nil {
		t.Fatal(err)
	}
	if body.ID != events[0].ID || body.Kind != parley.EventCommentCreated || body.SiteID != site.ID || r.header.Get("Parley-Event-Id") != events[0].ID {
		t.Errorf("body %+v, headers %v: not the event %s", body, r.header, events[0].ID)
	}
	p, err := parley.DecodeEvent(body.Kind, body.Payload)
	if err != nil {
		t.Fatalf("the data is not the typed event: %v", err)
	}
	if p.(parley.CommentCreated).Body == "" {
		t.Error("the event's comment has no body")
	}
	d := e.MustOneDelivery(t, ep.ID)
	if d.State != parley.WebhookDelivered || d.LastStatus != http.StatusNoContent || d.Attempts != 1 || d.DeliveredAt == nil {
		t.Errorf("delivery %+v, want delivered at the first attempt", d)
	}
	if n := MustSendDue(t, e.sender(clock, true)); n != 0 {
		t.Errorf("a second pass claimed %d deliveries", n)
	}
}

// TestDeliveryFaults gives each hostile or broken answer a clear outcome in the log, then
// shows nothing was lost: once the receiver answers well, the retry delivers the event.
func TestDeliveryFaults(t *testing.T) {
	e := MustEnv(t)
	internal := newReceiver(t) // what a redirect points at: it must never be reached
	for _, tc := range []struct {
		name    string
		mode    func(w http.ResponseWriter, r *http.Request)
		url     func(rc *receiver) string
		private bool // the sender may reach loopback
		status  int
		want    string
	}{
		{name: "a 500 is retried", mode: func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) },
			private: true, status: 500, want: "HTTP 500 Internal Server Error."},
		{name: "a timeout is retried", mode: func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() },
			private: true, want: "No answer within 300ms."},
		{name: "a slow byte-by-byte answer is cut off and retried", mode: dribble, private: true, want: "No answer within 300ms."},
		{name: "a redirect to an internal address is not followed", mode: func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, internal.URL+"/latest/meta-data", http.StatusFound)
		}, private: true, status: 302, want: "HTTP 302: redirects are not followed (Location: " + internal.URL + "/latest/meta-data)"},
		{name: "a name resolving to 127.0.0.1 is refused at dial time", mode: nil, url: func(rc *receiver) string {
			return strings.Replace(rc.URL, "127.0.0.1", "localhost", 1)
		}, private: false, want: "Refused: address not allowed for webhooks: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := newClock()
			site, story := e.MustStory(t)
			rc := newReceiver(t)
			if tc.mode != nil {
				rc.setMode(tc.mode)
			}
			url := rc.URL
			if tc.url != nil {
				url = tc.url(rc)
			}
			ep, _ := e.MustEndpoint(t, site, url)
			e.MustQueue(t, e.MustCommentEvents(t, story, 1))
			MustSendDue(t, e.sender(clock, tc.private))
			d := e.MustOneDelivery(t, ep.ID)
			if d.State != parley.WebhookPending || d.Attempts != 1 || d.LastStatus != tc.status || !strings.HasPrefix(d.LastError, tc.want) {
				t.Errorf("delivery state %s, attempts %d, status %d, error %q; want PENDING after 1 attempt, status %d, error %q…",
					d.State, d.Attempts, d.LastStatus, d.LastError, tc.status, tc.want)
			}
			if d.NextAttemptAt == nil || !d.NextAttemptAt.After(clock.Now()) {
				t.Errorf("next attempt at %v, want a later retry", d.NextAttemptAt)
			}
			if n := len(internal.received()); n != 0 {
				t.Fatalf("the internal address was reached %d times", n)
			}
			// Not lost: the receiver recovers (or the operator allows the address) and the
			// retry, when due, delivers.
			rc.setMode(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(200) })
			clock.Advance(time.Hour)
			MustSendDue(t, e.sender(clock, true))
			if d := e.MustOneDelivery(t, ep.ID); d.State != parley.WebhookDelivered || d.Attempts != 2 || d.LastError != "" {
				t.Errorf("after recovery: state %s, attempts %d, error %q; want DELIVERED at the second attempt", d.State, d.Attempts, d.LastError)
			}
		})
	}
}

// dribble answers one byte of its status line at a time, slower than the sender waits.
func dribble(w http.ResponseWriter, r *http.Request) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	writeSlowly(r.Context(), conn, buf, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
}

func writeSlowly(ctx context.Context, conn net.Conn, buf *bufio.ReadWriter, s string) {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for i := range len(s) {
		if buf.WriteByte(s[i]) != nil || buf.Flush() != nil {
			return
		}
		<-t.C
	}
}

// TestRetryWindow: a delivery that fails for a day is given up, its endpoint turned off with
// a notice for the admins, and "send again" after the fix delivers it.
func TestRetryWindow(t *testing.T) {
	e := MustEnv(t)
	clock := newClock()
	site, story := e.MustStory(t)
	rc := newReceiver(t)
	rc.setMode(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) })
	ep, _ := e.MustEndpoint(t, site, rc.URL)
	e.MustQueue(t, e.MustCommentEvents(t, story, 1))
	s := e.sender(clock, true)
	attempts := 0
	for range 30 {
		attempts += MustSendDue(t, s)
		d := e.MustOneDelivery(t, ep.ID)
		if d.State != parley.WebhookPending {
			break
		}
		clock.Advance(d.NextAttemptAt.Sub(clock.Now()) + time.Second)
	}
	d := e.MustOneDelivery(t, ep.ID)
	if d.State != parley.WebhookFailed || d.NextAttemptAt != nil {
		t.Fatalf("after %d attempts: state %s, next %v; want FAILED with no next attempt", attempts, d.State, d.NextAttemptAt)
	}
	if attempts < 10 || attempts > 16 {
		t.Errorf("%d attempts in a day, want the backoff's 10 to 16", attempts)
	}
	got, err := e.store.FindWebhookEndpoint(context.Background(), ep.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Enabled || got.DisabledAt == nil || !strings.Contains(got.DisabledReason, "HTTP 503") {
		t.Fatalf("endpoint enabled %v, notice %q; want turned off with a notice naming the failure", got.Enabled, got.DisabledReason)
	}
	// New events do not queue for a disabled endpoint; its waiting deliveries are kept.
	e.MustQueue(t, e.MustCommentEvents(t, story, 1))
	if n := len(e.MustDeliveries(t, ep.ID)); n != 1 {
		t.Errorf("%d deliveries after an event for a disabled endpoint, want 1", n)
	}

	rc.setMode(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(200) })
	svc := e.service(clock)
	enabled := true
	if got, err = svc.UpdateWebhookEndpoint(e.Admin, parley.UpdateWebhookInput{ID: ep.ID, Enabled: &enabled}); err != nil {
		t.Fatal(err)
	}
	if !got.Enabled || got.DisabledReason != "" || got.FailingSince != nil {
		t.Errorf("enabled endpoint %+v still carries its notice", got)
	}
	if _, err := svc.RedeliverWebhook(e.Admin, d.ID); err != nil {
		t.Fatal(err)
	}
	MustSendDue(t, s)
	if d := e.MustOneDelivery(t, ep.ID); d.State != parley.WebhookDelivered {
		t.Errorf("after send again: state %s, error %q", d.State, d.LastError)
	}
}

// TestReplicasShareWork: senders claiming at once deliver every event exactly once.
func TestReplicasShareWork(t *testing.T) {
	e := MustEnv(t)
	clock := newClock()
	site, story := e.MustStory(t)
	rc := newReceiver(t)
	ep, _ := e.MustEndpoint(t, site, rc.URL)
	const n = 40
	e.MustQueue(t, e.MustCommentEvents(t, story, n))
	var wg sync.WaitGroup
	for range 4 {
		s := webhook.NewSender(e.store, webhook.SenderOptions{AllowPrivate: true, Batch: 5, Now: clock.Now})
		wg.Go(func() {
			for {
				k, err := s.SendDue(context.Background())
				if err != nil {
					t.Error(err)
					return
				}
				if k == 0 {
					return
				}
			}
		})
	}
	wg.Wait()
	seen := map[string]int{}
	for _, r := range rc.received() {
		seen[r.header.Get("Parley-Event-Id")]++
	}
	if len(seen) != n {
		t.Errorf("%d distinct events received, want %d", len(seen), n)
	}
	for id, k := range seen {
		if k != 1 {
			t.Errorf("event %s received %d times", id, k)
		}
	}
	for _, d := range e.MustDeliveries(t, ep.ID) {
		if d.State != parley.WebhookDelivered || d.Attempts != 1 {
			t.Errorf("delivery %s: %s after %d attempts", d.ID, d.State, d.Attempts)
		}
	}
}

// TestPrune: the log forgets ended deliveries after KeepFor, and keeps pending ones.
func TestPrune(t *testing.T) {
	e := MustEnv(t)
	clock := newClock()
	site, story := e.MustStory(t)
	rc := newReceiver(t)
	ep, _ := e.MustEndpoint(t, site, rc.URL)
	e.MustQueue(t, e.MustCommentEvents(t, story, 2))
	MustSendDue(t, e.sender(clock, true))
	rc.setMode(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) })
	e.MustQueue(t, e.MustCommentEvents(t, story, 1))
	MustSendDue(t, e.sender(clock, true))
	if n, err := e.store.PruneWebhookDeliveries(context.Background(), clock.Now().Add(-time.Hour)); err != nil || n != 0 {
		t.Fatalf("pruned %d (%v) of fresh deliveries", n, err)
	}
	n, err := e.store.PruneWebhookDeliveries(context.Background(), clock.Now().Add(time.Hour))
	if err != nil || n != 2 {
		t.Fatalf("pruned %d (%v), want the 2 delivered", n, err)
	}
	if d := e.MustOneDelivery(t, ep.ID); d.State != parley.WebhookPending {
		t.Errorf("kept %s, want the pending one", d.State)
	}
}
