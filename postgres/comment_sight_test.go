package postgres_test

import (
	"context"
	"sync"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/postgres"
)

// mustCountsAgree checks the stored counters of a story against the rule they keep: each
// comment counts the direct replies that are published or lead to a published comment, and
// the story counts its published comments.
func (e *env) mustCountsAgree(t *testing.T, storyID string) {
	t.Helper()
	if n := e.count(t, `
		WITH RECURSIVE shown AS (
			SELECT id, parent_id FROM comments WHERE story_id = $1 AND status = 'PUBLISHED'
			UNION
			SELECT p.id, p.parent_id FROM comments p JOIN shown s ON p.id = s.parent_id
		)
		SELECT count(*) FROM comments c WHERE story_id = $1
			AND reply_count <> (SELECT count(*) FROM shown s WHERE s.parent_id = c.id)`, storyID); n != 0 {
		t.Errorf("%d comments keep a reply count that is not what readers find", n)
	}
	if got, want := e.storyCount(t, storyID), e.count(t, `SELECT count(*) FROM comments WHERE story_id = $1 AND status = 'PUBLISHED'`, storyID); got != want {
		t.Errorf("story count %d, %d published", got, want)
	}
}

// page reads the top-level comments, or a comment's replies, as ctx's caller finds them.
func (e *env) page(t *testing.T, ctx context.Context, storyID, parentID string) []*parley.Comment {
	t.Helper()
	p, err := e.comments.FindComments(ctx, parley.CommentFilter{StoryID: storyID, ParentID: parentID, Order: parley.OrderOldest, First: 10})
	if err != nil {
		t.Fatal(err)
	}
	return p.Comments
}

func TestPlaceholderChain(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	queues := postgres.NewQueueService(e.db)
	_, story := e.MustStory(t)
	a, _ := e.MustUser(t)
	b, _ := e.MustUser(t)
	// c0 ← c1 ← c2 ← c3: only the deepest stays published.
	c := []*parley.Comment{e.MustComment(t, a, story.ID, "", "zero")}
	for i, who := range []context.Context{b, a, b} {
		c = append(c, e.MustComment(t, who, story.ID, c[i].ID, "deeper"))
	}
	for i, who := range []context.Context{a, b, a} {
		if _, err := e.comments.DeleteComment(who, c[i].ID); err != nil {
			t.Fatal(err)
		}
	}
	e.mustCountsAgree(t, story.ID)
	anonymous := context.Background()
	walk := func(t *testing.T, ctx context.Context) []*parley.Comment {
		t.Helper()
		var found []*parley.Comment
		parentID := ""
		for {
			p := e.page(t, ctx, story.ID, parentID)
			if len(p) == 0 {
				return found
			}
			if len(p) != 1 {
				t.Fatalf("%d comments below %q", len(p), parentID)
			}
			found = append(found, p[0])
			parentID = p[0].ID
		}
	}

	t.Run("tombstones above a published reply lead to it", func(t *testing.T) {
		found := walk(t, anonymous)
		if len(found) != 4 || found[3].ID != c[3].ID || found[3].Body == "" {
			t.Fatalf("found %d comments", len(found))
		}
		for i, f := range found[:3] {
			if f.Status != parley.StatusDeleted || f.AuthorID != "" || f.ReplyCount != 1 {
				t.Errorf("placeholder %d = %+v", i, f)
			}
		}
	})
	if _, err := queues.RejectComment(e.admin, parley.ModerateInput{CommentID: c[3].ID, Reason: parley.RejectSpam}); err != nil {
		t.Fatal(err)
	}
	e.mustCountsAgree(t, story.ID)
	t.Run("once it is rejected, readers find nothing", func(t *testing.T) {
		if found := walk(t, anonymous); len(found) != 0 {
			t.Errorf("found %+v", found)
		}
		if st, err := e.stories.FindStoryByID(anonymous, story.ID); err != nil || st.CommentCount != 0 {
			t.Errorf("story count %+v, %v", st, err)
		}
	})
	t.Run("its author still finds it, through placeholders only they see", func(t *testing.T) {
		found := walk(t, b)
		if len(found) != 4 || found[3].Status != parley.StatusRejected || found[3].Body == "" {
			t.Fatalf("found %+v", found)
		}
		for i, f := range found[:3] {
			if f.ReplyCount != 1 || f.SharedReplyCount != 0 {
				t.Errorf("placeholder %d counts %d replies (%d shared)", i, f.ReplyCount, f.SharedReplyCount)
			}
		}
		if got, err := e.comments.FindCommentByID(b, c[0].ID); err != nil || got.ReplyCount != 1 || got.AuthorID != "" {
			t.Errorf("by ID: %+v, %v", got, err)
		}
		if _, err := e.comments.FindCommentByID(anonymous, c[0].ID); parley.ErrorCode(err) != parley.ENOTFOUND {
			t.Errorf("anonymous by ID: %v", err)
		}
	})
	if _, err := queues.UndoModeration(e.admin, c[3].ID); err != nil {
		t.Fatal(err)
	}
	e.mustCountsAgree(t, story.ID)
	t.Run("undoing the rejection brings the chain back", func(t *testing.T) {
		if found := walk(t, anonymous); len(found) != 4 {
			t.Errorf("found %d comments", len(found))
		}
	})
}

// TestCountsUnderConcurrency replies to one comment while moderators reject and approve it
// and its replies at the same time: the counts must end as the rule says.
func TestCountsUnderConcurrency(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	queues := postgres.NewQueueService(e.db)
	_, story := e.MustStory(t)
	a, _ := e.MustUser(t)
	parent := e.MustComment(t, a, story.ID, "", "parent")
	mid := e.MustComment(t, a, story.ID, parent.ID, "mid")
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 8 {
		ctx, _ := e.MustUser(t)
		wg.Add(3)
		go func() {
			defer wg.Done()
			c, err := e.comments.CreateComment(ctx, parley.CreateCommentInput{StoryID: story.ID, ParentID: mid.ID, Body: "reply"})
			if err == nil && i%2 == 0 {
				_, err = queues.RejectComment(e.admin, parley.ModerateInput{CommentID: c.ID, Reason: parley.RejectSpam})
			}
			errs <- err
		}()
		go func() {
			defer wg.Done()
			id := []string{parent.ID, mid.ID}[i%2]
			_, err := queues.RejectComment(e.admin, parley.ModerateInput{CommentID: id, Reason: parley.RejectSpam})
			errs <- err
		}()
		go func() {
			defer wg.Done()
			id := []string{mid.ID, parent.ID}[i%2]
			_, err := queues.ApproveComment(e.admin, parley.ModerateInput{CommentID: id})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		// A reply to a comment rejected meanwhile is refused (not found while it prepares,
		// invalid when it writes), and two changes that lock the same comments in opposite
		// orders may answer CONFLICT: answers, not faults.
		if code := parley.ErrorCode(err); err != nil && code != parley.ENOTFOUND && code != parley.EINVALID && code != parley.ECONFLICT {
			t.Errorf("%v", err)
		}
	}
	e.mustCountsAgree(t, story.ID)
}

// TestDeletingAHeldCommentKeepsItsReplies deletes a comment held after an edit, once it had
// a reply: a pending comment nobody saw goes entirely, but this one leaves a tombstone, or
// its reply would go with it.
func TestDeletingAHeldCommentKeepsItsReplies(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	_, story := e.MustStory(t)
	a, _ := e.MustUser(t)
	b, _ := e.MustUser(t)
	parent := e.MustComment(t, a, story.ID, "", "parent")
	reply := e.MustComment(t, b, story.ID, parent.ID, "reply")
	d, err := e.comments.PrepareEdit(a, parley.EditCommentInput{CommentID: parent.ID, Body: "parent, held"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.comments.UpdateComment(context.Background(), d, &parley.Moderation{Decision: parley.DecisionHold}); err != nil {
		t.Fatal(err)
	}
	gone, err := e.comments.DeleteComment(a, parent.ID)
	if err != nil || gone.Status != parley.StatusDeleted {
		t.Fatalf("delete = %+v, %v", gone, err)
	}
	if got, err := e.comments.FindCommentByID(context.Background(), reply.ID); err != nil || got.Status != parley.StatusPublished {
		t.Fatalf("the reply = %+v, %v", got, err)
	}
	if found := e.page(t, context.Background(), story.ID, ""); len(found) != 1 || found[0].ID != parent.ID || found[0].ReplyCount != 1 {
		t.Errorf("top level = %+v", found)
	}
	e.mustCountsAgree(t, story.ID)
}
