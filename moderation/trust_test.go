package moderation_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/moderation"
	"github.com/parleyhq/parley/postgres"
)

// MustLevel pins a user's trust level on a site, as a moderator's pin would.
func (e *env) MustLevel(tb testing.TB, site *parley.Site, u *parley.User, l parley.TrustLevel) {
	tb.Helper()
	err := postgres.NewTrustStore(e.DB).SetTrustLevel(context.Background(), parley.TrustRecord{Level: l, Pinned: &l},
		parley.TrustChange{SiteID: site.ID, UserID: u.ID, To: l, Reason: "test", CreatedAt: time.Now()})
	if err != nil {
		tb.Fatal(err)
	}
}

// flags returns every flag of a comment's latest trail, stage by stage as "stage:FLAG".
func (e *env) flags(tb testing.TB, c *parley.Comment) []string {
	tb.Helper()
	recs, err := e.store.FindModerations(e.Admin, c.ID)
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for _, r := range recs[len(recs)-1].Trail {
		for _, f := range r.Verdict.Flags {
			out = append(out, r.Stage+":"+f)
		}
	}
	return out
}

const linked = "Read [this](https://example.com/a) first."

func TestTrustLevelsChangeWhatThePipelineDoes(t *testing.T) {
	e := MustEnv(t)
	comments := e.comments(moderation.Default())
	tests := []struct {
		name       string
		settings   parley.SiteSettingsUpdate
		level      parley.TrustLevel
		body       string
		wantStatus parley.CommentStatus
		wantFlag   string
		wantRel    string
	}{
		{"a level 0 author is held where the site pre-moderates new commenters",
			parley.SiteSettingsUpdate{TrustEffects: &parley.TrustEffectSettings{NewCommenters: parley.TreatPremod}},
			parley.TrustNew, "Plain words.", parley.StatusPending, "trust_level_0:" + moderation.FlagTrustNew, ""},
		{"a level 1 author is published where the site pre-moderates new commenters",
			parley.SiteSettingsUpdate{TrustEffects: &parley.TrustEffectSettings{NewCommenters: parley.TreatPremod}},
			parley.TrustBasic, "Plain words.", parley.StatusPublished, "", ""},
		{"a level 0 author's link is held where the site holds new commenters' links",
			parley.SiteSettingsUpdate{TrustEffects: &parley.TrustEffectSettings{NewCommenters: parley.TreatHoldLinks}},
			parley.TrustNew, linked, parley.StatusPending, "trust_level_0:" + moderation.FlagTrustNewLinks, ""},
		{"a level 0 author without a link is published where the site holds new commenters' links",
			parley.SiteSettingsUpdate{TrustEffects: &parley.TrustEffectSettings{NewCommenters: parley.TreatHoldLinks}},
			parley.TrustNew, "No links here.", parley.StatusPublished, "", ""},
		{"a level 0 author is published where the site treats new commenters like anyone",
			parley.SiteSettingsUpdate{}, parley.TrustNew, linked, parley.StatusPublished, "", `rel="nofollow ugc noopener"`},
		{"a level 1 author's link is held where the site holds links",
			parley.SiteSettingsUpdate{PremodLinks: ptr(true)}, parley.TrustBasic, linked, parley.StatusPending, "premod_links:" + moderation.FlagLinks, ""},
		{"a level 2 author's link is published without the hold, and the trail says why",
			parley.SiteSettingsUpdate{PremodLinks: ptr(true)}, parley.TrustMember, linked, parley.StatusPublished,
			"premod_links:" + moderation.FlagTrustedLinks, `rel="nofollow ugc noopener"`},
		{"a level 3 author's link loses nofollow, and the trail says why",
			parley.SiteSettingsUpdate{}, parley.TrustRegular, linked, parley.StatusPublished,
			"trust_links:" + moderation.FlagFollowedLinks, `rel="ugc noopener"`},
		{"a level 4 author's link loses nofollow too",
			parley.SiteSettingsUpdate{PremodLinks: ptr(true)}, parley.TrustLeader, linked, parley.StatusPublished,
			"trust_links:" + moderation.FlagFollowedLinks, `rel="ugc noopener"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			site, story := e.MustStory(t)
			e.MustSettings(t, site, tc.settings)
			ctx, u := e.MustUser(t)
			e.MustLevel(t, site, u, tc.level)
			c := MustComment(t, comments, ctx, story.ID, tc.body)
			if c.Status != tc.wantStatus {
				t.Fatalf("status = %s, want %s (trail %v)", c.Status, tc.wantStatus, e.flags(t, c))
			}
			if flags := e.flags(t, c); tc.wantFlag != "" && !slices.Contains(flags, tc.wantFlag) {
				t.Errorf("trail flags = %v, want %s among them", flags, tc.wantFlag)
			}
			if tc.wantRel != "" {
				stored, err := e.store.FindCommentByID(ctx, c.ID)
				if err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(stored.Body, tc.wantRel) {
					t.Errorf("stored body %q lacks %s", stored.Body, tc.wantRel)
				}
			}
		})
	}
}

func TestTrustLevelsChangeWhoMayReport(t *testing.T) {
	e := MustEnv(t)
	reports := moderation.NewReportService(postgres.NewReportService(e.DB)).WithTrust(postgres.NewTrustStore(e.DB))
	comments := e.comments(moderation.Default())
	report := func(ctx context.Context, c *parley.Comment) (*parley.Comment, error) {
		return reports.ReportComment(ctx, parley.ReportInput{CommentID: c.ID, Reason: parley.ReportSpam})
	}
	setup := func(t *testing.T, upd parley.SiteSettingsUpdate, level parley.TrustLevel) (*parley.Site, *parley.Comment, context.Context) {
		site, story := e.MustStory(t)
		e.MustSettings(t, site, upd)
		actx, _ := e.MustUser(t)
		c := MustComment(t, comments, actx, story.ID, "Something to report.")
		rctx, reporter := e.MustUser(t)
		e.MustLevel(t, site, reporter, level)
		return site, c, rctx
	}

	t.Run("a level 0 reader's report is forbidden, with the reason in words", func(t *testing.T) {
		_, c, ctx := setup(t, parley.SiteSettingsUpdate{}, parley.TrustNew)
		_, err := report(ctx, c)
		wantCode(t, err, parley.EFORBIDDEN)
		if !strings.Contains(err.Error(), "trust level 1") {
			t.Errorf("message %q does not say what opens reporting", err)
		}
		if n := e.count(t, `SELECT count(*) FROM reports WHERE comment_id = $1`, c.ID); n != 0 {
			t.Errorf("%d reports stored, want none", n)
		}
	})
	t.Run("a level 0 reader may report where the site lets new readers report", func(t *testing.T) {
		_, c, ctx := setup(t, parley.SiteSettingsUpdate{TrustEffects: &parley.TrustEffectSettings{NewMayReport: true}}, parley.TrustNew)
		got, err := report(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != parley.StatusPublished {
			t.Errorf("status = %s, want PUBLISHED", got.Status)
		}
	})
	t.Run("a level 1 reader's report is recorded and holds nothing", func(t *testing.T) {
		_, c, ctx := setup(t, parley.SiteSettingsUpdate{}, parley.TrustBasic)
		got, err := report(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != parley.StatusPublished || got.ReportCount != 1 {
			t.Errorf("status %s with %d reports, want PUBLISHED with 1", got.Status, got.ReportCount)
		}
	})
	t.Run("a level 3 reader's report holds the comment at once, logged with the level", func(t *testing.T) {
		_, c, ctx := setup(t, parley.SiteSettingsUpdate{}, parley.TrustRegular)
		got, err := report(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != parley.StatusPending {
			t.Errorf("status = %s, want PENDING", got.Status)
		}
		if n := e.count(t, `SELECT count(*) FROM moderator_actions WHERE comment_id = $1 AND action = 'HOLD' AND reason = $2`,
			c.ID, moderation.ReasonTrustedReport); n != 1 {
			t.Errorf("%d holds logged with %s, want 1", n, moderation.ReasonTrustedReport)
		}
	})
	t.Run("a report on a comment that does not exist is not found", func(t *testing.T) {
		ctx, _ := e.MustUser(t)
		_, err := reports.ReportComment(ctx, parley.ReportInput{CommentID: "00000000-0000-0000-0000-000000000000", Reason: parley.ReportSpam})
		wantCode(t, err, parley.ENOTFOUND)
	})
	t.Run("a report without a reason is invalid before anything is read", func(t *testing.T) {
		ctx, _ := e.MustUser(t)
		_, err := reports.ReportComment(ctx, parley.ReportInput{CommentID: "x"})
		wantCode(t, err, parley.EINVALID)
	})
	t.Run("an anonymous report asks to sign in", func(t *testing.T) {
		_, err := reports.ReportComment(context.Background(), parley.ReportInput{CommentID: "x", Reason: parley.ReportSpam})
		wantCode(t, err, parley.EUNAUTHENTICATED)
	})
}
