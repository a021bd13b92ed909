package webhook_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/webhook"
)

// TestBatchQueuesOnlyWanted feeds one run of events of two sites, of kinds subscribed and
// not, and of no site: exactly the subscribed ones are queued, once each, however often
// the run comes.
func TestBatchQueuesOnlyWanted(t *testing.T) {
	e := MustEnv(t)
	ctx := context.Background()
	hooked, _ := e.MustStory(t)
	quiet, _ := e.MustStory(t)
	ep, _ := e.MustEndpoint(t, hooked, "http://127.0.0.1:9/hook", parley.EventCommentCreated)
	now := time.Now()
	event := func(site, kind string) parley.OutboxEvent {
		return parley.OutboxEvent{ID: uuid.Must(uuid.NewV7()).String(), Kind: kind, SiteID: site, CreatedAt: now, Payload: []byte(`{"v":1}`)}
	}
	run := []parley.OutboxEvent{
		event(hooked.ID, parley.EventCommentCreated),
		event(hooked.ID, parley.EventCommentEdited),
		event(quiet.ID, parley.EventCommentCreated),
		event("", parley.EventCommentCreated),
		event(hooked.ID, parley.EventCommentCreated),
	}
	c := webhook.NewConsumer(e.store, nil, nil)
	for range 2 {
		if err := c.HandleBatch(ctx, run); err != nil {
			t.Fatal(err)
		}
	}
	got := e.MustDeliveries(t, ep.ID)
	want := map[string]bool{run[0].ID: true, run[4].ID: true}
	if len(got) != len(want) {
		t.Fatalf("queued %d deliveries, want %d", len(got), len(want))
	}
	for _, d := range got {
		if !want[d.EventID] {
			t.Fatalf("queued %s, want only %v", d.EventID, want)
		}
	}
}
