package moderation_test

import (
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/moderation"
	"github.com/parleyhq/parley/moderation/spam"
	"github.com/parleyhq/parley/postgres"
)

func TestReportThreshold(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		threshold, reports int
		status             parley.CommentStatus
		hold               bool
	}{
		"off":                        {0, 50, parley.StatusPublished, false},
		"below the threshold":        {3, 2, parley.StatusPublished, false},
		"at the threshold":           {3, 3, parley.StatusPublished, true},
		"past it":                    {3, 7, parley.StatusPublished, true},
		"already held":               {3, 3, parley.StatusPending, false},
		"rejected by a person since": {3, 3, parley.StatusRejected, false},
	} {
		why := moderation.ReportThreshold(&parley.Comment{ReportCount: tc.reports, Status: tc.status}, float64(tc.reports), parley.SiteSettings{ReportHoldThreshold: tc.threshold})
		if (why != nil) != tc.hold {
			t.Errorf("%s: %+v, want hold %v", name, why, tc.hold)
		}
		if why != nil && (why.Reason != moderation.ReasonReports || why.Note == "") {
			t.Errorf("%s: logged as %+v", name, why)
		}
	}
}

func TestReportsHoldAtTheSiteThreshold(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	site, story := e.MustStory(t)
	e.MustSettings(t, site, parley.SiteSettingsUpdate{ReportHoldThreshold: ptr(2)})
	author, _ := e.MustUser(t)
	c := MustComment(t, e.store, author, story.ID, "controversial")
	for i, want := range []parley.CommentStatus{parley.StatusPublished, parley.StatusPending} {
		reader, _ := e.MustUser(t)
		got, err := e.reports.ReportComment(reader, parley.ReportInput{CommentID: c.ID, Reason: parley.ReportOffensive})
		if err != nil || got.Status != want {
			t.Fatalf("report %d: %+v, %v; want %s", i+1, got, err, want)
		}
	}
	n := e.count(t, `SELECT count(*) FROM moderator_actions WHERE comment_id = $1 AND action = 'HOLD' AND reason = 'REPORTS' AND moderator_id IS NULL`, c.ID)
	if n != 1 {
		t.Fatalf("hold logged %d times", n)
	}
	if got := e.count(t, `SELECT count(*) FROM comments WHERE id = $1 AND status = 'PENDING'`, c.ID); got != 1 {
		t.Fatal("the hold was not stored")
	}
}

func TestLearningQueue(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	site, story := e.MustStory(t)
	mod, _ := e.MustModerator(t, site)
	author, _ := e.MustUser(t)
	queues := moderation.NewLearningQueue(e.queues, spam.New(postgres.NewSpamStore(e.DB)), nil)
	t.Run("a rejection for spam teaches the model", func(t *testing.T) {
		c := MustComment(t, e.store, author, story.ID, "zyzzyva zyzzyva offers")
		if _, err := queues.RejectComment(mod, parley.ModerateInput{CommentID: c.ID, Reason: parley.RejectSpam}); err != nil {
			t.Fatal(err)
		}
		if n := e.count(t, `SELECT spam FROM spam_tokens WHERE site_id = $1 AND token = 'zyzzyva'`, site.ID); n != 1 {
			t.Fatalf("token learnt %d times as spam", n)
		}
	})
	t.Run("an approval teaches the model what is good", func(t *testing.T) {
		c := MustComment(t, e.store, author, story.ID, "quixotic council budget")
		if _, err := queues.ApproveComment(mod, parley.ModerateInput{CommentID: c.ID}); err != nil {
			t.Fatal(err)
		}
		if n := e.count(t, `SELECT ham FROM spam_tokens WHERE site_id = $1 AND token = 'quixotic'`, site.ID); n != 1 {
			t.Fatalf("token learnt %d times as good", n)
		}
	})
}
