package trust_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/postgres/postgrestest"
)

// scenario is a site where alice posts, readers react and report, a moderator decides and
// warns her: every kind of signal moves.
type scenario struct {
	site                   *parley.Site
	alice, bob, carol, dan *parley.User
	mod                    *parley.User
}

func (e *env) MustScenario(tb testing.TB) scenario {
	tb.Helper()
	site, story := e.MustStory(tb)
	modCtx, mod := e.MustModerator(tb, site)
	aliceCtx, alice := e.MustUser(tb)
	bobCtx, bob := e.MustUser(tb)
	carolCtx, carol := e.MustUser(tb)
	danCtx, dan := e.MustUser(tb)
	var c [4]*parley.Comment
	for i := range c {
		c[i] = e.MustComment(tb, aliceCtx, story.ID, "A thought worth sharing, number "+string(rune('1'+i)))
	}
	e.MustComment(tb, bobCtx, story.ID, "Bob agrees with this.")
	must := func(_ any, err error) {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
	}
	must(e.reactions.AddReaction(bobCtx, c[0].ID, "respect"))
	must(e.reactions.AddReaction(carolCtx, c[0].ID, "respect"))
	must(e.reactions.AddReaction(carolCtx, c[1].ID, "funny"))
	must(e.reactions.AddReaction(danCtx, c[2].ID, "insightful"))
	must(e.reactions.RemoveReaction(bobCtx, c[0].ID, "respect"))
	must(e.reports.ReportComment(bobCtx, parley.ReportInput{CommentID: c[1].ID, Reason: parley.ReportOffensive}))
	must(e.reports.ReportComment(carolCtx, parley.ReportInput{CommentID: c[1].ID, Reason: parley.ReportOffensive}))
	must(e.queues.RejectComment(modCtx, parley.ModerateInput{CommentID: c[1].ID, Reason: parley.RejectOffensive}))
	must(e.reports.ReportComment(bobCtx, parley.ReportInput{CommentID: c[2].ID, Reason: parley.ReportSpam}))
	must(e.queues.ApproveComment(modCtx, parley.ModerateInput{CommentID: c[2].ID}))
	must(e.comments.DeleteComment(aliceCtx, c[3].ID))
	must(e.sanctions.Sanction(modCtx, parley.SanctionInput{UserID: alice.ID, SiteID: site.ID, Kind: parley.SanctionWarn, Message: "Mind the tone."}))
	return scenario{site: site, alice: alice, bob: bob, carol: carol, dan: dan, mod: mod}
}

func (s scenario) users() []*parley.User {
	return []*parley.User{s.alice, s.bob, s.carol, s.dan, s.mod}
}

// ignoreAge leaves out the account's age, which the clock moves between reads.
var ignoreAge = cmpopts.IgnoreFields(parley.TrustSignals{}, "AccountAge")

func TestConsumer(t *testing.T) {
	e := MustEnv(t)
	s := e.MustScenario(t)
	at := time.Now()
	c := e.consumer(time.Now)
	events := e.MustSiteEvents(t, s.site.ID)
	MustConsume(t, c, events)

	t.Run("counts every signal", func(t *testing.T) {
		got := e.MustSignals(t, s.site.ID, s.alice.ID, at)
		want := parley.TrustSignals{SiteID: s.site.ID, UserID: s.alice.ID, DaysVisited: 1, CommentsPublished: 2,
			Rejected: map[string]int{"OFFENSIVE": 1}, ReportsAgainstUpheld: 2, ReactionsFromDistinctUsers: 2, ActiveSanctions: 1}
		if diff := cmp.Diff(want, got, ignoreAge); diff != "" {
			t.Errorf("alice's signals (-want +got):\n%s", diff)
		}
		bob := e.MustSignals(t, s.site.ID, s.bob.ID, at)
		if bob.ReportsFiledUpheld != 1 || bob.ReportsFiledDismissed != 1 || bob.CommentsPublished != 1 || bob.DaysVisited != 1 {
			t.Errorf("bob's signals = %+v, want 1 report upheld, 1 dismissed, 1 comment, 1 day", bob)
		}
		carol := e.MustSignals(t, s.site.ID, s.carol.ID, at)
		if carol.ReportsFiledUpheld != 1 || carol.ReportsFiledDismissed != 0 || carol.DaysVisited != 1 {
			t.Errorf("carol's signals = %+v, want 1 report upheld, a day of visit", carol)
		}
	})

	t.Run("levels follow the signals", func(t *testing.T) {
		ctx := context.Background()
		bob, err := e.store.TrustRecord(ctx, s.site.ID, s.bob.ID)
		if err != nil || bob.Level != parley.TrustBasic {
			t.Fatalf("bob's level = %+v, %v; want basic for his first comment", bob, err)
		}
		ch, err := e.store.LastTrustChange(ctx, s.site.ID, s.bob.ID)
		if err != nil {
			t.Fatal(err)
		}
		if ch.RuleVersion == "" || ch.To != parley.TrustBasic || !slices.Contains(ch.Crossed, "commentsPublished>=1") || ch.Signals.CommentsPublished != 1 {
			t.Errorf("bob's change = %+v, want the rule version, the thresholds crossed and the signals", ch)
		}
		alice, err := e.store.TrustRecord(ctx, s.site.ID, s.alice.ID)
		if err != nil || alice.Level != parley.TrustBasic {
			// She earned basic with her first comment, before the warning; basic is kept.
			t.Errorf("alice's level = %+v, %v; want basic", alice, err)
		}
	})

	t.Run("replaying the events twice changes nothing", func(t *testing.T) {
		before := map[string]parley.TrustSignals{}
		for _, u := range s.users() {
			before[u.ID] = e.MustSignals(t, s.site.ID, u.ID, at)
		}
		MustConsume(t, c, events)
		MustConsume(t, c, events)
		for _, u := range s.users() {
			if diff := cmp.Diff(before[u.ID], e.MustSignals(t, s.site.ID, u.ID, at)); diff != "" {
				t.Errorf("%s after replays (-before +after):\n%s", u.Username, diff)
			}
		}
	})

	t.Run("recompute gives the live numbers", func(t *testing.T) {
		before := map[string]parley.TrustSignals{}
		for _, u := range s.users() {
			before[u.ID] = e.MustSignals(t, s.site.ID, u.ID, at)
		}
		n, err := c.Recompute(context.Background(), s.site.ID)
		if err != nil {
			t.Fatal(err)
		}
		var inLedger int
		if err := postgrestest.Pool(t, e.DB).QueryRow(context.Background(),
			`SELECT count(*) FROM trust_ledger WHERE site_id = $1 OR site_id IS NULL`, s.site.ID).Scan(&inLedger); err != nil {
			t.Fatal(err)
		}
		if n != inLedger || n == 0 {
			t.Errorf("recompute replayed %d events, want the %d of the ledger", n, inLedger)
		}
		for _, u := range s.users() {
			if diff := cmp.Diff(before[u.ID], e.MustSignals(t, s.site.ID, u.ID, at)); diff != "" {
				t.Errorf("%s after recompute (-live +recomputed):\n%s", u.Username, diff)
			}
		}
	})

	t.Run("recompute repairs signals that drifted", func(t *testing.T) {
		before := e.MustSignals(t, s.site.ID, s.alice.ID, at)
		if err := e.store.ResetTrustSignals(context.Background(), s.site.ID); err != nil {
			t.Fatal(err)
		}
		if e.MustSignals(t, s.site.ID, s.alice.ID, at).CommentsPublished != 0 {
			t.Fatal("reset kept the signals")
		}
		if _, err := c.Recompute(context.Background(), s.site.ID); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(before, e.MustSignals(t, s.site.ID, s.alice.ID, at)); diff != "" {
			t.Errorf("alice after repair (-live +recomputed):\n%s", diff)
		}
	})

	t.Run("recompute of every site gives the live numbers", func(t *testing.T) {
		before := e.MustSignals(t, s.site.ID, s.alice.ID, at)
		if _, err := c.Recompute(context.Background(), ""); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(before, e.MustSignals(t, s.site.ID, s.alice.ID, at)); diff != "" {
			t.Errorf("alice after recompute of every site (-live +recomputed):\n%s", diff)
		}
	})

	t.Run("unknown site is not found", func(t *testing.T) {
		_, err := c.Recompute(context.Background(), "not-an-id")
		wantCode(t, err, parley.ENOTFOUND)
	})
}

func TestRecomputeWhileLive(t *testing.T) {
	e := MustEnv(t)
	site, story := e.MustStory(t)
	users := benchUsers(t, e, 10)
	ids := make([]string, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	const seeded = 3000
	MustSeedLedger(t, e, site, story, ids, seeded)
	c := e.consumer(time.Now)
	if _, err := c.Recompute(context.Background(), site.ID); err != nil {
		t.Fatal(err)
	}
	at := time.Now()
	before := e.MustSignals(t, site.ID, users[0].ID, at)

	// An event for users[0] arrives while a recompute rebuilds the site: it counts once,
	// whether it lands before, during or after the rebuild.
	done := make(chan error, 1)
	go func() {
		_, err := c.Recompute(context.Background(), site.ID)
		done <- err
	}()
	live := benchEvent(t, site, story, users, 0)
	if err := c.Handle(context.Background(), live); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	after := e.MustSignals(t, site.ID, users[0].ID, at)
	if after.CommentsPublished != before.CommentsPublished+1 {
		t.Errorf("comments published = %d, want %d + 1: the live event must count once", after.CommentsPublished, before.CommentsPublished)
	}
}
