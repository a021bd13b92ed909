package federation_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/federation"
	"github.com/parleyhq/parley/postgres"
)

// countingLabels is the real label store, counting the reads of subscriptions.
type countingLabels struct {
	parley.LabelStore
	reads atomic.Int64
}

func (c *countingLabels) LabelSubscriptions(ctx context.Context, siteID string) ([]*parley.LabelSubscription, error) {
	c.reads.Add(1)
	return c.LabelStore.LabelSubscriptions(ctx, siteID)
}

func TestLabelStageKeepsSubscriptions(t *testing.T) {
	ctx := context.Background()
	store, db := MustStore(t)
	labels := &countingLabels{LabelStore: postgres.NewLabelStore(db)}
	sites := postgres.NewSiteService(db)
	admin := parley.NewContextWithUser(ctx, &parley.User{ID: "00000000-0000-0000-0000-000000000001", Username: "root", Admin: true})
	site, err := sites.CreateSite(admin, parley.CreateSiteInput{Name: "News", AllowedOrigins: []string{"https://news.example"}})
	if err != nil {
		t.Fatal(err)
	}
	alpha := mustPeer(t, store, "alpha")
	stage := federation.NewLabelStage("beta", labels, store)
	submit := func() parley.Verdict {
		t.Helper()
		v, err := stage.Check(ctx, &parley.Submission{Action: parley.ActionCreate, Comment: &parley.Comment{Body: "hi"},
			Story: &parley.Story{SiteID: site.ID}, Author: &parley.User{ID: "00000000-0000-0000-0000-000000000002", Username: "ann"}})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	t.Run("a site without subscriptions pays one query, then none per submission", func(t *testing.T) {
		for range 5 {
			if v := submit(); v.Decision != parley.DecisionPass {
				t.Fatalf("verdict %+v", v)
			}
		}
		if n := labels.reads.Load(); n != 1 {
			t.Fatalf("%d reads of the subscriptions for 5 submissions", n)
		}
	})
	t.Run("the event of a new subscription makes the next submission read it", func(t *testing.T) {
		sub := &parley.LabelSubscription{SiteID: site.ID, PeerID: alpha.ID, Weight: 1, Action: parley.LabelHide, Quorum: 1}
		if err := labels.SubscribeLabels(ctx, sub); err != nil {
			t.Fatal(err)
		}
		stage.Handle(parley.Event{SiteID: "another-site", Payload: parley.LabelSubscriptionChanged{PeerID: alpha.ID}})
		submit()
		if n := labels.reads.Load(); n != 1 {
			t.Fatalf("another site's event made %d reads", n)
		}
		stage.Handle(parley.Event{SiteID: site.ID, Payload: parley.LabelSubscriptionChanged{PeerID: alpha.ID}})
		submit()
		submit()
		if n := labels.reads.Load(); n != 2 {
			t.Fatalf("%d reads", n)
		}
	})
	t.Run("forgetting every site, as a peer's change does, reads again", func(t *testing.T) {
		stage.Forget("")
		submit()
		if n := labels.reads.Load(); n != 3 {
			t.Fatalf("%d reads", n)
		}
	})
	t.Run("unsubscribing ends the subscription, once", func(t *testing.T) {
		svc := federation.NewService(MustIdentity(t, store, "beta", "", nil), store, federation.ServiceOptions{Labels: labels, Sites: sites})
		in := parley.UnsubscribeLabelsInput{SiteID: site.ID, PeerID: alpha.ID}
		if _, err := svc.UnsubscribeLabels(ctx, in); parley.ErrorCode(err) != parley.EUNAUTHENTICATED {
			t.Fatalf("anonymous: %v", err)
		}
		sub, err := svc.UnsubscribeLabels(admin, in)
		if err != nil || sub.PeerName != "alpha" || sub.Action != parley.LabelHide {
			t.Fatalf("unsubscribed %+v, %v", sub, err)
		}
		if subs, err := svc.LabelSubscriptions(admin, site.ID); err != nil || len(subs) != 0 {
			t.Fatalf("subscriptions %v, %v", subs, err)
		}
		if _, err := svc.UnsubscribeLabels(admin, in); parley.ErrorCode(err) != parley.ENOTFOUND {
			t.Fatalf("again: %v", err)
		}
	})
}
