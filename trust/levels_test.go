package trust_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/trust"
)

// regular returns signals that meet the default TL3 thresholds exactly.
func regular() parley.TrustSignals {
	return parley.TrustSignals{AccountAge: 60 * 24 * time.Hour, DaysVisited: 30, CommentsPublished: 50, ReactionsFromDistinctUsers: 20}
}

func TestDecide(t *testing.T) {
	defaults := parley.DefaultTrustSettings()
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	promoted := now.Add(-30 * 24 * time.Hour)
	pin := parley.TrustMember
	tests := []struct {
		name string
		sig  func(*parley.TrustSignals)
		rec  parley.TrustRecord
		want parley.TrustLevel
		// changed says whether a change is recorded.
		changed bool
	}{
		{"new user stays at 0", func(s *parley.TrustSignals) { *s = parley.TrustSignals{} }, parley.TrustRecord{}, parley.TrustNew, false},
		{"first comment earns basic", func(s *parley.TrustSignals) { *s = parley.TrustSignals{DaysVisited: 1, CommentsPublished: 1} }, parley.TrustRecord{}, parley.TrustBasic, true},
		{"an active sanction holds basic back", func(s *parley.TrustSignals) {
			*s = parley.TrustSignals{DaysVisited: 1, CommentsPublished: 1, ActiveSanctions: 1}
		}, parley.TrustRecord{}, parley.TrustNew, false},
		{"meeting regular's thresholds promotes over every level", func(*parley.TrustSignals) {}, parley.TrustRecord{}, parley.TrustRegular, true},
		{"regular slightly below thresholds keeps the level", func(s *parley.TrustSignals) { s.DaysVisited = 27 },
			parley.TrustRecord{Level: parley.TrustRegular, PromotedAt: promoted}, parley.TrustRegular, false},
		{"regular below 90% of a threshold drops to member", func(s *parley.TrustSignals) { s.DaysVisited = 26 },
			parley.TrustRecord{Level: parley.TrustRegular, PromotedAt: promoted}, parley.TrustMember, true},
		{"regular within 14 days of promotion keeps the level", func(s *parley.TrustSignals) { s.DaysVisited = 2 },
			parley.TrustRecord{Level: parley.TrustRegular, PromotedAt: now.Add(-13 * 24 * time.Hour)}, parley.TrustRegular, false},
		{"too many rejections drop a regular", func(s *parley.TrustSignals) { s.Rejected = map[string]int{"SPAM": 4} },
			parley.TrustRecord{Level: parley.TrustRegular, PromotedAt: promoted}, parley.TrustMember, true},
		{"member is never lost automatically", func(s *parley.TrustSignals) { *s = parley.TrustSignals{} },
			parley.TrustRecord{Level: parley.TrustMember}, parley.TrustMember, false},
		{"a pinned level never moves", func(*parley.TrustSignals) {}, parley.TrustRecord{Level: pin, Pinned: &pin}, parley.TrustMember, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sig := regular()
			tt.sig(&sig)
			got, ch := trust.Decide(sig, tt.rec, defaults, now)
			if got.Level != tt.want {
				t.Errorf("level = %d, want %d", got.Level, tt.want)
			}
			if (ch != nil) != tt.changed {
				t.Fatalf("change = %+v, want changed %v", ch, tt.changed)
			}
			if ch == nil {
				return
			}
			if ch.RuleVersion != trust.RuleVersion || ch.To != tt.want || ch.From != tt.rec.Level || len(ch.Crossed) == 0 {
				t.Errorf("change = %+v, want rule %s, %d -> %d and the thresholds crossed", ch, trust.RuleVersion, tt.rec.Level, tt.want)
			}
		})
	}
}

func TestDecideRecordsThresholds(t *testing.T) {
	sig := parley.TrustSignals{AccountAge: 100 * 24 * time.Hour, DaysVisited: 26, CommentsPublished: 50, ReactionsFromDistinctUsers: 20}
	promoted := time.Now().Add(-20 * 24 * time.Hour)
	_, ch := trust.Decide(sig, parley.TrustRecord{Level: parley.TrustRegular, PromotedAt: promoted}, parley.DefaultTrustSettings(), time.Now())
	if ch == nil || !slices.Equal(ch.Crossed, []string{"daysVisited<27"}) || ch.Signals.DaysVisited != 26 {
		t.Fatalf("change = %+v, want daysVisited<27 crossed with the signals", ch)
	}
}

func TestSiteThresholds(t *testing.T) {
	e := MustEnv(t)
	site, story := e.MustStory(t)
	custom := parley.DefaultTrustSettings()
	custom.Basic.CommentsPublished = 2
	if _, err := e.Sites.UpdateSiteSettings(e.Admin, site.ID, parley.SiteSettingsUpdate{Trust: &custom}); err != nil {
		t.Fatal(err)
	}
	ctx, u := e.MustUser(t)
	c := e.consumer(time.Now)
	level := func() parley.TrustLevel {
		t.Helper()
		MustConsume(t, c, e.MustSiteEvents(t, site.ID))
		rec, err := e.store.TrustRecord(context.Background(), site.ID, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		return rec.Level
	}
	e.MustComment(t, ctx, story.ID, "The first of two.")
	if got := level(); got != parley.TrustNew {
		t.Fatalf("after one comment level = %d, want 0: the site asks for two", got)
	}
	e.MustComment(t, ctx, story.ID, "The second of two.")
	if got := level(); got != parley.TrustBasic {
		t.Fatalf("after two comments level = %d, want 1", got)
	}
}
