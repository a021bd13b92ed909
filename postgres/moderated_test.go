package postgres_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/postgres"
)

// TestBatchModerationReadsAgreeWithSingleOnes reads the trails and reports of several
// comments at once and one by one: a moderator gets the same lists (empty ones included),
// and a reader who moderates nothing gets none, where the single reads refuse.
func TestBatchModerationReadsAgreeWithSingleOnes(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	queues := postgres.NewQueueService(e.db)
	_, story := e.MustStory(t)
	author, _ := e.MustUser(t)
	b, _ := e.MustUser(t)
	c, _ := e.MustUser(t)
	x := e.MustComment(t, author, story.ID, "", "reported and rejected")
	y := e.MustComment(t, author, story.ID, "", "left alone")
	for _, reader := range []context.Context{b, c} {
		if _, err := e.reports.ReportComment(reader, parley.ReportInput{CommentID: x.ID, Reason: parley.ReportSpam}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := queues.RejectComment(e.admin, parley.ModerateInput{CommentID: x.ID, Reason: parley.RejectSpam}); err != nil {
		t.Fatal(err)
	}
	// Two stored decisions on x, as the pipeline writes them.
	for _, decision := range []string{"HOLD", "APPROVE"} {
		if _, err := e.db.Pool().Exec(context.Background(), `
			INSERT INTO comment_moderations (id, comment_id, action, decision, decided_by, trail, site_id)
			SELECT gen_random_uuid(), id, 'CREATE', $2, 'test', '[]', site_id FROM comments WHERE id = $1`, x.ID, decision); err != nil {
			t.Fatal(err)
		}
	}
	ids := []string{x.ID, y.ID, "not-an-id", x.ID}

	t.Run("a moderator reads the same lists", func(t *testing.T) {
		trails, err := e.comments.ModerationsOf(e.admin, ids)
		if err != nil {
			t.Fatal(err)
		}
		reports, err := e.reports.ReportsOf(e.admin, ids)
		if err != nil {
			t.Fatal(err)
		}
		if len(trails) != 2 || len(reports) != 2 {
			t.Fatalf("%d trails and %d report lists for 2 comments", len(trails), len(reports))
		}
		for _, id := range []string{x.ID, y.ID} {
			trail, err := e.comments.FindModerations(e.admin, id)
			if err != nil || !reflect.DeepEqual(trails[id], trail) {
				t.Errorf("trail of %s: batch %+v, single %+v (%v)", id, trails[id], trail, err)
			}
			reps, err := e.reports.FindReports(e.admin, id)
			if err != nil || !reflect.DeepEqual(reports[id], reps) {
				t.Errorf("reports of %s: batch %+v, single %+v (%v)", id, reports[id], reps, err)
			}
		}
		if len(trails[x.ID]) < 2 || len(reports[x.ID]) != 2 {
			t.Errorf("x has %d decisions and %d reports", len(trails[x.ID]), len(reports[x.ID]))
		}
	})
	t.Run("a reader reads none, as the single reads refuse", func(t *testing.T) {
		trails, err := e.comments.ModerationsOf(b, ids)
		if err != nil || len(trails) != 0 {
			t.Errorf("trails %+v, %v", trails, err)
		}
		reports, err := e.reports.ReportsOf(b, ids)
		if err != nil || len(reports) != 0 {
			t.Errorf("reports %+v, %v", reports, err)
		}
		if _, err := e.comments.FindModerations(b, x.ID); err == nil {
			t.Error("the single read answered a reader")
		}
	})
}
