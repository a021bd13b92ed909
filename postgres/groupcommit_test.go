package postgres_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/postgres/postgrestest"
)

// TestCreateCommentGroupCommit writes comments from many authors at once, so that they share
// groups of one transaction each, some of them made to fail by a trigger and one aimed at a
// closed story: every comment acknowledged is stored with its count and exactly one event,
// every failure is answered as that comment's own and leaves nothing behind, and no failure
// fails the others of its group.
func TestCreateCommentGroupCommit(t *testing.T) {
	e := MustEnv(t)
	_, story := e.MustStory(t)
	_, closedStory := e.MustStory(t)
	postgrestest.Exec(t, e.db, `UPDATE stories SET closed = true WHERE id = $1`, closedStory.ID)
	postgrestest.Exec(t, e.db, `
		CREATE FUNCTION fail_group_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF NEW.payload->>'body' LIKE '%FAIL-GROUP%' THEN RAISE EXCEPTION 'injected outbox failure'; END IF;
			RETURN NEW;
		END $$`)
	postgrestest.Exec(t, e.db, `CREATE TRIGGER fail_group_outbox BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION fail_group_outbox()`)
	t.Cleanup(func() {
		postgrestest.Exec(t, e.db, `DROP TRIGGER fail_group_outbox ON outbox`)
		postgrestest.Exec(t, e.db, `DROP FUNCTION fail_group_outbox()`)
	})
	e.db.SetGroupCommitWindow(100 * time.Millisecond)
	t.Cleanup(func() { e.db.SetGroupCommitWindow(0) })
	groupsBefore, itemsBefore := e.db.GroupCommitStats()

	const writers = 40
	type outcome struct {
		input parley.CreateCommentInput
		c     *parley.Comment
		err   error
	}
	outcomes := make([]outcome, writers)
	var ready, wg sync.WaitGroup
	start := make(chan struct{})
	for i := range writers {
		ctx, _ := e.MustUser(t)
		in := parley.CreateCommentInput{StoryID: story.ID, Body: fmt.Sprintf("grouped comment %d", i)}
		switch {
		case i%10 == 3:
			in.Body = fmt.Sprintf("FAIL-GROUP comment %d", i)
		case i == 7:
			in.StoryID = closedStory.ID
		}
		ready.Add(1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			ready.Done()
			<-start
			c, err := e.comments.CreateComment(ctx, in)
			outcomes[i] = outcome{input: in, c: c, err: err}
		}()
	}
	ready.Wait()
	close(start)
	wg.Wait()

	groups, items := e.db.GroupCommitStats()
	if items-itemsBefore < writers-1 || groups-groupsBefore >= items-itemsBefore {
		t.Fatalf("%d writes went in %d groups, want fewer groups than writes", items-itemsBefore, groups-groupsBefore)
	}
	stored := 0
	for i, o := range outcomes {
		switch {
		case i%10 == 3:
			t.Run(fmt.Sprintf("failing write %d fails alone", i), func(t *testing.T) {
				wantCode(t, o.err, parley.EINTERNAL)
			})
		case i == 7:
			t.Run("write to a closed story is refused", func(t *testing.T) { wantCode(t, o.err, parley.ECLOSED) })
		default:
			if o.err != nil {
				t.Fatalf("write %d failed with its group: %v", i, o.err)
			}
			stored++
			if n := e.count(t, `SELECT count(*) FROM comments WHERE id = $1 AND body_source = $2`, o.c.ID, o.input.Body); n != 1 {
				t.Fatalf("acknowledged comment %d stored %d times", i, n)
			}
			if n := e.count(t, `SELECT count(*) FROM outbox WHERE kind = $1 AND payload->>'id' = $2`, parley.EventCommentCreated, o.c.ID); n != 1 {
				t.Fatalf("acknowledged comment %d has %d events, want 1", i, n)
			}
		}
	}
	t.Run("failed writes leave no comment or event", func(t *testing.T) {
		if n := e.count(t, `SELECT count(*) FROM comments WHERE body_source LIKE 'FAIL-GROUP%'`); n != 0 {
			t.Fatalf("comments left: %d", n)
		}
		if n := e.count(t, `SELECT count(*) FROM outbox WHERE payload->>'body' LIKE '%FAIL-GROUP%'`); n != 0 {
			t.Fatalf("events left: %d", n)
		}
		if n := e.count(t, `SELECT count(*) FROM comments WHERE story_id = $1`, closedStory.ID); n != 0 {
			t.Fatalf("closed story took %d comments", n)
		}
	})
	t.Run("story count matches the stored comments", func(t *testing.T) {
		if n := e.count(t, `SELECT count(*) FROM comments WHERE story_id = $1`, story.ID); n != stored {
			t.Fatalf("story holds %d comments, %d acknowledged", n, stored)
		}
		if n := e.count(t, `SELECT coalesce(sum(count), 0) FROM story_comment_counts WHERE story_id = $1`, story.ID); n != stored {
			t.Fatalf("story counts %d comments, %d acknowledged", n, stored)
		}
		if n := e.count(t, `SELECT count(*) FROM outbox WHERE kind = $1 AND story_id = $2`, parley.EventCommentCreated, story.ID); n != stored {
			t.Fatalf("story has %d events, %d comments acknowledged", n, stored)
		}
	})
}
