package moderation_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/moderation"
	"github.com/parleyhq/parley/postgres/postgrestest"
)

// gate is a plug-in stage that takes its whole budget: each check says it entered, then
// waits until the test opens the gate (or its budget ends). It passes.
type gate struct {
	entered chan string
	open    chan struct{}
}

func newGate(capacity int) *gate {
	return &gate{entered: make(chan string, capacity), open: make(chan struct{})}
}

func (g *gate) Name() string { return "plugin:gate" }

func (g *gate) Check(ctx context.Context, s *parley.Submission) (parley.Verdict, error) {
	g.entered <- s.Comment.ID
	select {
	case <-g.open:
		return parley.Verdict{Decision: parley.DecisionPass}, nil
	case <-ctx.Done():
		return parley.Verdict{}, ctx.Err()
	}
}

// waitEntered waits until n checks entered the gate; a minute without is a failure, since
// nothing else would end the wait (the old code never let more edits in than connections).
func (g *gate) waitEntered(tb testing.TB, n int) {
	tb.Helper()
	timeout := time.After(time.Minute)
	for i := 0; i < n; i++ {
		select {
		case <-g.entered:
		case <-timeout:
			tb.Fatalf("%d of %d checks entered the stage", i, n)
		}
	}
}

// TestSlowPluginHoldsNoConnection edits 200 comments at once through a plug-in that takes
// its whole budget: while every edit waits for it, no backend of the database is idle in a
// transaction, and anonymous readers of the same story are served.
func TestSlowPluginHoldsNoConnection(t *testing.T) {
	t.Parallel()
	const edits = 200
	e := MustOwnEnv(t)
	_, story := e.MustStory(t)
	author, _ := e.MustUser(t)
	g := newGate(edits)
	comments := e.comments(moderation.NewPipeline(moderation.Step{Stage: g, Budget: 2 * time.Minute}))
	originals := MustComments(t, e.store, author, story.ID, edits)
	defer func() {
		select {
		case <-g.open:
		default:
			close(g.open)
		}
	}()

	results := make(chan error, edits)
	for i, c := range originals {
		go func() {
			edited, err := comments.EditComment(author, parley.EditCommentInput{CommentID: c.ID, Body: fmt.Sprintf("comment %d, edited", i)})
			if err == nil && (edited.BodySource != fmt.Sprintf("comment %d, edited", i) || edited.Status != parley.StatusPublished) {
				err = fmt.Errorf("edit of comment %d stored %+v", i, edited)
			}
			results <- err
		}()
	}
	g.waitEntered(t, edits)

	t.Run("no backend is idle in a transaction while the plug-in runs", func(t *testing.T) {
		var inTx, backends int
		err := postgrestest.Pool(t, e.DB).QueryRow(context.Background(), `
			SELECT count(*) FILTER (WHERE state = 'idle in transaction'), count(*)
			FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'`).Scan(&inTx, &backends)
		if err != nil {
			t.Fatal(err)
		}
		if inTx != 0 {
			t.Fatalf("%d of %d backends are idle in a transaction", inTx, backends)
		}
	})
	t.Run("anonymous readers of the story are served meanwhile", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		for range 3 * 24 { // more reads than the pool has connections
			page, err := comments.FindComments(ctx, parley.CommentFilter{StoryID: story.ID, Order: parley.OrderNewest, First: 20})
			if err != nil || len(page.Comments) != 20 {
				t.Fatalf("page = %+v, %v", page, err)
			}
		}
		if _, err := comments.FindCommentByID(ctx, originals[0].ID); err != nil {
			t.Fatal(err)
		}
	})

	close(g.open)
	for range edits {
		if err := <-results; err != nil {
			t.Error(err)
		}
	}
}

// MustComments posts n comments at once, "comment <i> as first written", in order of i.
func MustComments(tb testing.TB, comments parley.CommentService, ctx context.Context, storyID string, n int) []*parley.Comment {
	tb.Helper()
	out := make([]*parley.Comment, n)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Go(func() {
			for i := w; i < n; i += 16 {
				c, err := comments.CreateComment(ctx, parley.CreateCommentInput{StoryID: storyID, Body: fmt.Sprintf("comment %d as first written", i)})
				out[i] = c
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			tb.Fatal(err)
		}
	}
	return out
}

// TestModeratorsAndAnEditInFlight has two moderators decide on a held comment while its
// author's edit waits for a plug-in: one decision is stored, the other moderator and the
// author get CONFLICT, and the trail shows the one decision and no edit.
func TestModeratorsAndAnEditInFlight(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	site, story := e.MustStory(t)
	author, _ := e.MustUser(t)
	approver, _ := e.MustModerator(t, site)
	rejecter, _ := e.MustModerator(t, site)
	held := MustComment(t, e.comments(moderation.NewPipeline(moderation.Step{Stage: fixed{"hold", parley.Verdict{Decision: parley.DecisionHold}, nil}})),
		author, story.ID, "held for a moderator")
	if held.Status != parley.StatusPending {
		t.Fatalf("status = %s", held.Status)
	}
	g := newGate(1)
	comments := e.comments(moderation.NewPipeline(moderation.Step{Stage: g, Budget: time.Minute}))
	edited := make(chan error, 1)
	go func() {
		_, err := comments.EditComment(author, parley.EditCommentInput{CommentID: held.ID, Body: "changed while the moderators looked"})
		edited <- err
	}()
	g.waitEntered(t, 1)

	// Both moderators judged the comment as it was held; they decide at once.
	decisions := map[string]func() (*parley.Comment, error){
		parley.ActionApprove: func() (*parley.Comment, error) {
			return e.queues.ApproveComment(approver, parley.ModerateInput{CommentID: held.ID, Version: held.Version})
		},
		parley.ActionReject: func() (*parley.Comment, error) {
			return e.queues.RejectComment(rejecter, parley.ModerateInput{CommentID: held.ID, Reason: parley.RejectOffTopic, Version: held.Version})
		},
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	start := make(chan struct{})
	errs := map[string]error{}
	stored := map[string]*parley.Comment{}
	for action, decide := range decisions {
		wg.Go(func() {
			<-start
			c, err := decide()
			mu.Lock()
			defer mu.Unlock()
			errs[action], stored[action] = err, c
		})
	}
	close(start)
	wg.Wait()
	close(g.open)
	editErr := <-edited

	var winner string
	for action, err := range errs {
		switch parley.ErrorCode(err) {
		case "":
			if winner != "" {
				t.Fatalf("both decisions were stored: %v", errs)
			}
			winner = action
		case parley.ECONFLICT:
		default:
			t.Fatalf("%s: %v", action, err)
		}
	}
	if winner == "" {
		t.Fatalf("no decision was stored: %v", errs)
	}
	wantCode(t, editErr, parley.ECONFLICT)

	now, err := e.store.FindCommentByID(e.Admin, held.ID)
	if err != nil {
		t.Fatal(err)
	}
	if now.Status != stored[winner].Status || now.BodySource != "held for a moderator" || now.Version != held.Version+1 {
		t.Fatalf("comment = %+v after %s won", now, winner)
	}
	if n := e.count(t, `SELECT count(*) FROM moderator_actions WHERE comment_id = $1`, held.ID); n != 1 {
		t.Fatalf("moderator_actions has %d entries, want the one decision", n)
	}
	if n := e.count(t, `SELECT count(*) FROM moderator_actions WHERE comment_id = $1 AND action = $2`, held.ID, winner); n != 1 {
		t.Fatalf("the log does not name %s", winner)
	}
	records, err := e.store.FindModerations(e.Admin, held.ID)
	if err != nil || len(records) != 1 || records[0].Action != parley.ActionCreate {
		t.Fatalf("comment_moderations = %+v, %v; want the first run only", records, err)
	}
	if n := e.count(t, `SELECT count(*) FROM comment_revisions WHERE comment_id = $1`, held.ID); n != 0 {
		t.Fatalf("%d revisions kept of an edit that was refused", n)
	}
}

// TestOneOutcomeOfThree races an author's edit and two moderators' decisions, all made on
// the same version of a comment, many times: each time exactly one is stored, and the trail
// holds that one alone.
func TestOneOutcomeOfThree(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	site, story := e.MustStory(t)
	author, _ := e.MustUser(t)
	approver, _ := e.MustModerator(t, site)
	rejecter, _ := e.MustModerator(t, site)
	comments := e.comments(moderation.Default())
	wins := map[string]int{}
	for round := range 30 {
		c := MustComment(t, comments, author, story.ID, fmt.Sprintf("round %d as written", round))
		attempts := map[string]func() error{
			"edit": func() error {
				_, err := comments.EditComment(author, parley.EditCommentInput{CommentID: c.ID, Version: c.Version, Body: fmt.Sprintf("round %d rewritten", round)})
				return err
			},
			parley.ActionApprove: func() error {
				_, err := e.queues.ApproveComment(approver, parley.ModerateInput{CommentID: c.ID, Version: c.Version})
				return err
			},
			parley.ActionReject: func() error {
				_, err := e.queues.RejectComment(rejecter, parley.ModerateInput{CommentID: c.ID, Reason: parley.RejectSpam, Version: c.Version})
				return err
			},
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		start := make(chan struct{})
		var winners []string
		for name, attempt := range attempts {
			wg.Go(func() {
				<-start
				err := attempt()
				mu.Lock()
				defer mu.Unlock()
				switch parley.ErrorCode(err) {
				case "":
					winners = append(winners, name)
				case parley.ECONFLICT:
				default:
					t.Errorf("round %d, %s: %v", round, name, err)
				}
			})
		}
		close(start)
		wg.Wait()
		if len(winners) != 1 {
			t.Fatalf("round %d: stored %v, want exactly one", round, winners)
		}
		winner := winners[0]
		wins[winner]++
		edits := e.count(t, `SELECT count(*) FROM comment_moderations WHERE comment_id = $1 AND action = 'EDIT'`, c.ID)
		decisions := e.count(t, `SELECT count(*) FROM moderator_actions WHERE comment_id = $1`, c.ID)
		decided := e.count(t, `SELECT count(*) FROM moderator_actions WHERE comment_id = $1 AND action = $2`, c.ID, winner)
		switch {
		case winner == "edit" && (edits != 1 || decisions != 0):
			t.Fatalf("round %d: the edit won, but the trail has %d edit runs and %d decisions", round, edits, decisions)
		case winner != "edit" && (edits != 0 || decisions != 1 || decided != 1):
			t.Fatalf("round %d: %s won, but the trail has %d edit runs and %d decisions", round, winner, edits, decisions)
		}
	}
	t.Logf("winners over 30 rounds: %v", wins)
}
