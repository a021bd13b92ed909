package webhook_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/postgres/postgrestest"
	"github.com/parleyhq/parley/seal"
	"github.com/parleyhq/parley/webhook"
)

// storedSecret reads an endpoint's secret column as the database holds it.
func (e *env) storedSecret(tb testing.TB, endpointID string) string {
	tb.Helper()
	var s string
	if err := postgrestest.Pool(tb, e.DB).QueryRow(context.Background(), `SELECT secret FROM webhook_endpoints WHERE id = $1`, endpointID).Scan(&s); err != nil {
		tb.Fatal(err)
	}
	return s
}

// deliverOne queues one new comment's event, sends it with s, and checks the receiver got
// it signed with secret.
func (e *env) deliverOne(t *testing.T, s *webhook.Sender, story *parley.Story, rc *receiver, secret string) {
	t.Helper()
	before := len(rc.received())
	e.MustQueue(t, e.MustCommentEvents(t, story, 1))
	MustSendDue(t, s)
	got := rc.received()
	if len(got) != before+1 {
		t.Fatalf("receiver got %d requests, want %d", len(got), before+1)
	}
	r := got[len(got)-1]
	if err := webhook.Verify(secret, r.header.Get(webhook.SignatureHeader), r.body, time.Now(), 5*time.Minute); err != nil {
		t.Errorf("signature: %v", err)
	}
}

func TestSecretsSealedAtRest(t *testing.T) {
	e := MustEnv(t)
	clock := newClock()
	box, err := seal.New("an operator secret of some length", webhook.SealPurpose)
	if err != nil {
		t.Fatal(err)
	}
	sealing := webhook.NewSender(e.store, webhook.SenderOptions{AllowPrivate: true, Timeout: 300 * time.Millisecond, Now: clock.Now, Seal: box})
	site, story := e.MustStory(t)

	t.Run("a new endpoint's secret is stored sealed and signs as the secret shown", func(t *testing.T) {
		rc := newReceiver(t)
		svc := webhook.NewService(e.store, e.Sites, e.Users, webhook.ServiceOptions{AllowHTTP: true, AllowPrivate: true, Now: clock.Now, Seal: box})
		ep, secret, err := svc.CreateWebhookEndpoint(e.Admin, parley.CreateWebhookInput{SiteID: site.ID, URL: rc.URL + "/hook", Kinds: []string{parley.EventCommentCreated}})
		if err != nil {
			t.Fatal(err)
		}
		defer e.store.DeleteWebhookEndpoint(context.Background(), ep.ID)
		stored := e.storedSecret(t, ep.ID)
		if !seal.IsSealedText(stored) || strings.Contains(stored, strings.TrimPrefix(secret, "whsec_")) {
			t.Fatalf("stored secret %q is not sealed", stored)
		}
		e.deliverOne(t, sealing, story, rc, secret)

		t.Run("without the key its deliveries fail with the reason", func(t *testing.T) {
			e.MustQueue(t, e.MustCommentEvents(t, story, 1))
			MustSendDue(t, e.sender(clock, true))
			ds := e.MustDeliveries(t, ep.ID)
			if ds[0].State == parley.WebhookDelivered || !strings.Contains(ds[0].LastError, "PARLEY_SECRET_KEY") {
				t.Errorf("delivery %+v, want a failed attempt naming PARLEY_SECRET_KEY", ds[0])
			}
			// Another endpoint's row does not open it either: the sealed value is bound to its ID.
			if _, err := box.OpenText("00000000-0000-0000-0000-000000000000", stored); err == nil {
				t.Error("a sealed secret opened for another endpoint")
			}
		})
	})
	t.Run("a secret stored in the clear keeps working, and the migration step seals it once", func(t *testing.T) {
		rc := newReceiver(t)
		ep, secret := e.MustEndpoint(t, site, rc.URL+"/hook") // a service without the key: in the clear
		if stored := e.storedSecret(t, ep.ID); stored != secret {
			t.Fatalf("stored %q, want the secret in the clear", stored)
		}
		e.deliverOne(t, sealing, story, rc, secret)
		n, err := webhook.SealSecrets(context.Background(), e.store, box)
		if err != nil || n != 1 {
			t.Fatalf("sealed %d, %v; want 1", n, err)
		}
		if stored := e.storedSecret(t, ep.ID); !seal.IsSealedText(stored) {
			t.Fatalf("stored %q after the migration step", stored)
		}
		e.deliverOne(t, sealing, story, rc, secret)
		if n, err := webhook.SealSecrets(context.Background(), e.store, box); err != nil || n != 0 {
			t.Errorf("a second run sealed %d, %v; want 0", n, err)
		}
	})
}
