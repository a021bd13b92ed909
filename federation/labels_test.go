package federation_test

import (
	"context"
	"crypto/ed25519"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/federation"
	"github.com/parleyhq/parley/postgres"
)

func TestDecideLabels(t *testing.T) {
	sub := func(peer string, w float64, a parley.LabelAction, q int) *parley.LabelSubscription {
		return &parley.LabelSubscription{PeerName: peer, Weight: w, Action: a, Quorum: q}
	}
	label := func(origin, value string) parley.Label {
		return parley.Label{Origin: origin, SubjectType: "user", SubjectInstance: "alpha", SubjectID: "u1", Value: value, Reason: "seen spamming"}
	}
	tests := []struct {
		name   string
		subs   []*parley.LabelSubscription
		labels []parley.Label
		want   parley.LabelAction
		peers  int
	}{
		{"one peer suffices with a quorum of 1", []*parley.LabelSubscription{sub("alpha", 0.8, parley.LabelHide, 1)},
			[]parley.Label{label("alpha", "spam")}, parley.LabelHide, 1},
		{"a quorum of 2 waits for a second peer", []*parley.LabelSubscription{sub("alpha", 0.8, parley.LabelHide, 2), sub("gamma", 0.5, parley.LabelHide, 2)},
			[]parley.Label{label("alpha", "spam")}, parley.LabelIgnore, 0},
		{"two independent peers agreeing meet a quorum of 2", []*parley.LabelSubscription{sub("alpha", 0.8, parley.LabelHold, 2), sub("gamma", 0.5, parley.LabelHold, 2)},
			[]parley.Label{label("alpha", "spam"), label("gamma", "spam")}, parley.LabelHold, 2},
		{"different values do not agree", []*parley.LabelSubscription{sub("alpha", 0.8, parley.LabelHold, 2), sub("gamma", 0.5, parley.LabelHold, 2)},
			[]parley.Label{label("alpha", "spam"), label("gamma", "abuse")}, parley.LabelIgnore, 0},
		{"an unsubscribed origin counts for nothing", []*parley.LabelSubscription{sub("alpha", 0.8, parley.LabelHide, 2)},
			[]parley.Label{label("alpha", "spam"), label("mallory", "spam")}, parley.LabelIgnore, 0},
		{"a weight of 0 counts the peer out", []*parley.LabelSubscription{sub("alpha", 0, parley.LabelHide, 1)},
			[]parley.Label{label("alpha", "spam")}, parley.LabelIgnore, 0},
		{"the strongest action met wins", []*parley.LabelSubscription{sub("alpha", 0.8, parley.LabelFlag, 1), sub("gamma", 0.5, parley.LabelHide, 2)},
			[]parley.Label{label("alpha", "spam"), label("gamma", "spam")}, parley.LabelHide, 2},
		{"IGNORE does nothing", []*parley.LabelSubscription{sub("alpha", 1, parley.LabelIgnore, 1)},
			[]parley.Label{label("alpha", "spam")}, parley.LabelIgnore, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := federation.DecideLabels(tt.subs, tt.labels)
			if e.Action != tt.want || len(e.Peers) != tt.peers {
				t.Fatalf("effect %+v, want %s by %d peers", e, tt.want, tt.peers)
			}
			if e.Action != parley.LabelIgnore && (!strings.Contains(e.Evidence, "alpha") || !strings.Contains(e.Evidence, "seen spamming")) {
				t.Fatalf("evidence %q names neither the peer nor its reason", e.Evidence)
			}
		})
	}
}

// mustPeer stores an active peer named name.
func mustPeer(tb testing.TB, store parley.FederationStore, name string) *parley.Peer {
	tb.Helper()
	pub, _ := MustKey(tb)
	p := &parley.Peer{Name: name, URL: "https://" + name + ".example", State: parley.PeerActive, LocalAdded: true, RemoteConfirmed: true,
		Keys: []parley.PeerKey{{ID: name, PublicKey: pub, ValidFrom: time.Now()}}, Fingerprint: federation.Fingerprint(ed25519.PublicKey(pub)),
		MaxMessagesPerSecond: 10, MaxBytes: 1 << 20, MaxBacklog: 100}
	if err := store.CreatePeer(context.Background(), p); err != nil {
		tb.Fatal(err)
	}
	return p
}

func TestLabels(t *testing.T) {
	ctx := context.Background()
	store, db := MustStore(t)
	labels := postgres.NewLabelStore(db)
	sites := postgres.NewSiteService(db)
	admin := parley.NewContextWithUser(ctx, &parley.User{ID: "00000000-0000-0000-0000-000000000001", Username: "root", Admin: true})
	site, err := sites.CreateSite(admin, parley.CreateSiteInput{Name: "News", AllowedOrigins: []string{"https://news.example"}})
	if err != nil {
		t.Fatal(err)
	}
	alpha, gamma := mustPeer(t, store, "alpha"), mustPeer(t, store, "gamma")
	svc := federation.NewService(MustIdentity(t, store, "beta", "", nil), store, federation.ServiceOptions{Labels: labels, Sites: sites})

	t.Run("bad subscriptions are refused by field", func(t *testing.T) {
		for _, tt := range []struct {
			in    parley.SubscribeLabelsInput
			field string
		}{
			{parley.SubscribeLabelsInput{SiteID: site.ID, PeerID: alpha.ID, Weight: 1.5, Action: parley.LabelHide, Quorum: 1}, "weight"},
			{parley.SubscribeLabelsInput{SiteID: site.ID, PeerID: alpha.ID, Weight: 0.5, Action: "BURN", Quorum: 1}, "action"},
			{parley.SubscribeLabelsInput{SiteID: site.ID, PeerID: alpha.ID, Weight: 0.5, Action: parley.LabelHide, Quorum: 0}, "quorum"},
			{parley.SubscribeLabelsInput{SiteID: "nope", PeerID: alpha.ID, Weight: 0.5, Action: parley.LabelHide, Quorum: 1}, "site"},
			{parley.SubscribeLabelsInput{SiteID: site.ID, PeerID: "00000000-0000-0000-0000-000000000009", Weight: 0.5, Action: parley.LabelHide, Quorum: 1}, "peer"},
		} {
			_, err := svc.SubscribeLabels(admin, tt.in)
			if code := parley.ErrorCode(err); code != parley.EINVALID && code != parley.ENOTFOUND || !strings.Contains(strings.ToLower(parley.ErrorMessage(err)), tt.field) {
				t.Errorf("%+v: %v", tt.in, err)
			}
		}
		if _, err := svc.SubscribeLabels(ctx, parley.SubscribeLabelsInput{SiteID: site.ID, PeerID: alpha.ID, Weight: 0.5, Action: parley.LabelHide, Quorum: 1}); parley.ErrorCode(err) != parley.EUNAUTHENTICATED {
			t.Errorf("anonymous: %v", err)
		}
	})
	for _, p := range []*parley.Peer{alpha, gamma} {
		if _, err := svc.SubscribeLabels(admin, parley.SubscribeLabelsInput{SiteID: site.ID, PeerID: p.ID, Weight: 0.5, Action: parley.LabelHide, Quorum: 2}); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("subscribing again changes the subscription", func(t *testing.T) {
		sub, err := svc.SubscribeLabels(admin, parley.SubscribeLabelsInput{SiteID: site.ID, PeerID: alpha.ID, Weight: 0.9, Action: parley.LabelHide, Quorum: 2})
		if err != nil || sub.PeerName != "alpha" {
			t.Fatalf("%+v, %v", sub, err)
		}
		subs, err := svc.LabelSubscriptions(admin, site.ID)
		if err != nil || len(subs) != 2 || subs[0].Weight != 0.9 || subs[0].Quorum != 2 || subs[1].PeerName != "gamma" {
			t.Fatalf("%+v, %v", subs, err)
		}
	})

	// An author of alpha's, as beta knows them.
	author, err := store.RemoteUser(ctx, "alpha", "u1", "ann@alpha")
	if err != nil {
		t.Fatal(err)
	}
	stage := federation.NewLabelStage("beta", labels, store)
	submission := &parley.Submission{Action: parley.ActionCreate, Comment: &parley.Comment{Body: "hi"}, Story: &parley.Story{SiteID: site.ID}, Author: author}
	apply := federation.NewLabelApplier("beta", labels, store, nil, nil, nil)
	label := func(origin string, neg bool, created time.Time) {
		t.Helper()
		_, priv := MustKey(t)
		e, err := federation.NewSigner(origin, priv).Sign(federation.KindLabel, &federation.LabelPayload{
			Subject: federation.ObjectRef{Instance: "alpha", ID: "u1"}, Type: "user", Value: "spam", Neg: neg, Reason: "spam run"}, created)
		if err != nil {
			t.Fatal(err)
		}
		v := federation.MustVerified(t, e)
		if err := apply.Apply(ctx, v); err != nil {
			t.Fatal(err)
		}
	}
	check := func() parley.Verdict {
		t.Helper()
		v, err := stage.Check(ctx, submission)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	now := time.Now()
	t.Run("one peer's label below the quorum passes", func(t *testing.T) {
		label("alpha", false, now)
		if v := check(); v.Decision != parley.DecisionPass || len(v.Flags) != 0 {
			t.Fatalf("verdict %+v", v)
		}
	})
	t.Run("a second independent peer agreeing hides the author's comment, naming both", func(t *testing.T) {
		label("gamma", false, now)
		v := check()
		if v.Decision != parley.DecisionReject || !strings.Contains(v.Evidence, "alpha") || !strings.Contains(v.Evidence, "gamma") || v.Score != 1.4 {
			t.Fatalf("verdict %+v", v)
		}
	})
	t.Run("an older label does not undo a newer one", func(t *testing.T) {
		label("gamma", true, now.Add(-time.Minute))
		if v := check(); v.Decision != parley.DecisionReject {
			t.Fatalf("verdict %+v", v)
		}
	})
	t.Run("the draft's site facts spare the query only when the site subscribes to nothing", func(t *testing.T) {
		subs, err := labels.LabelSubscriptions(ctx, site.ID)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { submission.Site = nil }()
		submission.Site = &parley.SiteFacts{LabelSubscriptions: len(subs)}
		if v := check(); v.Decision != parley.DecisionReject {
			t.Fatalf("verdict with the site's facts %+v", v)
		}
		submission.Site = &parley.SiteFacts{}
		before := db.QueryCount()
		if v := check(); v.Decision != parley.DecisionPass {
			t.Fatalf("verdict on a site with no subscriptions %+v", v)
		}
		if n := db.QueryCount() - before; n != 0 {
			t.Fatalf("%d statements for a site the draft showed subscribing to nothing", n)
		}
	})
	t.Run("a retraction takes a peer's agreement back", func(t *testing.T) {
		label("gamma", true, now.Add(time.Minute))
		if v := check(); v.Decision != parley.DecisionPass {
			t.Fatalf("verdict %+v", v)
		}
	})
}
