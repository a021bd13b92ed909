package postgres_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/postgres/postgrestest"
)

func TestCreateComment(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	_, story := e.MustStory(t)
	ctx, u := e.MustUser(t)

	t.Run("stores source and sanitised HTML", func(t *testing.T) {
		c := e.MustComment(t, ctx, story.ID, "", "Hello **world** <script>alert(1)</script>")
		if c.Status != parley.StatusPublished || c.AuthorID != u.ID || c.Depth != 0 || c.RootID != c.ID {
			t.Fatalf("comment = %+v", c)
		}
		if !strings.Contains(c.Body, "<strong>world</strong>") || strings.Contains(c.Body, "<script") {
			t.Fatalf("body = %q", c.Body)
		}
		if c.BodySource != "Hello **world** <script>alert(1)</script>" {
			t.Fatalf("source = %q", c.BodySource)
		}
		if n := e.count(t, `SELECT count(*) FROM outbox WHERE kind = 'comment.created' AND payload->>'id' = $1`, c.ID); n != 1 {
			t.Fatalf("outbox rows = %d, want 1", n)
		}
	})
	t.Run("counts the story's published comments", func(t *testing.T) {
		before, _ := e.stories.FindStoryByID(ctx, story.ID)
		e.MustComment(t, ctx, story.ID, "", "one more")
		after, _ := e.stories.FindStoryByID(ctx, story.ID)
		if after.CommentCount != before.CommentCount+1 {
			t.Fatalf("count %d -> %d", before.CommentCount, after.CommentCount)
		}
	})
	t.Run("anonymous is unauthenticated", func(t *testing.T) {
		_, err := e.comments.CreateComment(context.Background(), parley.CreateCommentInput{StoryID: story.ID, Body: "hi"})
		wantCode(t, err, parley.EUNAUTHENTICATED)
	})
	t.Run("bad input is invalid", func(t *testing.T) {
		for name, in := range map[string]parley.CreateCommentInput{
			"empty body":     {StoryID: story.ID, Body: "   "},
			"too long":       {StoryID: story.ID, Body: strings.Repeat("x", 5001)},
			"invalid utf-8":  {StoryID: story.ID, Body: "bad \xff byte"},
			"no story":       {Body: "hello"},
			"bad story url":  {StoryURL: "javascript:alert(1)", Body: "hello"},
			"unknown story":  {StoryID: "not-an-id", Body: "hello"},
			"unknown parent": {StoryID: story.ID, ParentID: "0190a0a0-0000-7000-8000-000000000000", Body: "hello"},
			"foreign origin": {StoryURL: "https://unknown.example.net/a", Body: "hello"},
		} {
			_, err := e.comments.CreateComment(ctx, in)
			if code := parley.ErrorCode(err); code != parley.EINVALID && code != parley.ENOTFOUND {
				t.Errorf("%s: code %q (%v)", name, code, err)
			}
		}
	})
	t.Run("closed story is closed", func(t *testing.T) {
		_, closed := e.MustStory(t)
		yes := true
		if _, err := e.stories.UpdateStory(e.admin, closed.ID, parley.StoryUpdate{Closed: &yes}); err != nil {
			t.Fatal(err)
		}
		_, err := e.comments.CreateComment(ctx, parley.CreateCommentInput{StoryID: closed.ID, Body: "late"})
		wantCode(t, err, parley.ECLOSED)
	})
	t.Run("parent from another story is invalid", func(t *testing.T) {
		_, other := e.MustStory(t)
		parent := e.MustComment(t, ctx, other.ID, "", "elsewhere")
		_, err := e.comments.CreateComment(ctx, parley.CreateCommentInput{StoryID: story.ID, ParentID: parent.ID, Body: "reply"})
		wantCode(t, err, parley.EINVALID)
	})
	t.Run("story by URL is created once", func(t *testing.T) {
		site, s1 := e.MustStory(t)
		c, err := e.comments.CreateComment(ctx, parley.CreateCommentInput{StoryURL: s1.URL + "?utm_source=x#top", Body: "via url"})
		if err != nil {
			t.Fatal(err)
		}
		if c.StoryID != s1.ID || c.SiteID != site.ID {
			t.Fatalf("comment went to story %s, want %s", c.StoryID, s1.ID)
		}
	})
}

func TestCreateCommentIsAtomic(t *testing.T) {
	e := MustEnv(t)
	_, story := e.MustStory(t)
	ctx, _ := e.MustUser(t)
	// A trigger makes the outbox insert, the last step of a create, fail for one marked body,
	// so the test can see what a failure midway leaves behind.
	postgrestest.Exec(t, e.db, `
		CREATE FUNCTION fail_marked_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF NEW.payload->>'body' LIKE '%FAIL-OUTBOX%' THEN RAISE EXCEPTION 'injected outbox failure'; END IF;
			RETURN NEW;
		END $$`)
	postgrestest.Exec(t, e.db, `CREATE TRIGGER fail_marked_outbox BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION fail_marked_outbox()`)
	t.Cleanup(func() {
		postgrestest.Exec(t, e.db, `DROP TRIGGER fail_marked_outbox ON outbox`)
		postgrestest.Exec(t, e.db, `DROP FUNCTION fail_marked_outbox()`)
	})

	t.Run("failed create leaves no comment, count or event", func(t *testing.T) {
		parent := e.MustComment(t, ctx, story.ID, "", "parent")
		_, err := e.comments.CreateComment(ctx, parley.CreateCommentInput{StoryID: story.ID, ParentID: parent.ID, Body: "FAIL-OUTBOX reply"})
		wantCode(t, err, parley.EINTERNAL)
		if n := e.count(t, `SELECT count(*) FROM comments WHERE body_source LIKE '%FAIL-OUTBOX%'`); n != 0 {
			t.Fatalf("comments left: %d", n)
		}
		got, _ := e.comments.FindCommentByID(ctx, parent.ID)
		if got.ReplyCount != 0 {
			t.Fatalf("parent reply count = %d, want 0", got.ReplyCount)
		}
		if n := e.count(t, `SELECT count(*) FROM outbox WHERE payload->>'body' LIKE '%FAIL-OUTBOX%'`); n != 0 {
			t.Fatalf("outbox rows left: %d", n)
		}
	})
	t.Run("failed edit leaves no revision", func(t *testing.T) {
		c := e.MustComment(t, ctx, story.ID, "", "original")
		_, err := e.comments.EditComment(ctx, parley.EditCommentInput{CommentID: c.ID, Body: "FAIL-OUTBOX edit"})
		wantCode(t, err, parley.EINTERNAL)
		if n := e.count(t, `SELECT count(*) FROM comment_revisions WHERE comment_id = $1`, c.ID); n != 0 {
			t.Fatalf("revisions left: %d", n)
		}
		got, _ := e.comments.FindCommentByID(ctx, c.ID)
		if got.BodySource != "original" || got.EditedAt != nil {
			t.Fatalf("comment changed: %+v", got)
		}
	})
}

func TestReplyDepthCap(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	site, story := e.MustStory(t)
	ctx, _ := e.MustUser(t)
	two := 2
	if _, err := e.sites.UpdateSiteSettings(e.admin, site.ID, parley.SiteSettingsUpdate{MaxDepth: &two}); err != nil {
		t.Fatal(err)
	}
	c0 := e.MustComment(t, ctx, story.ID, "", "depth 0")
	c1 := e.MustComment(t, ctx, story.ID, c0.ID, "depth 1")
	c2 := e.MustComment(t, ctx, story.ID, c1.ID, "depth 2")
	c3 := e.MustComment(t, ctx, story.ID, c2.ID, "would be depth 3")
	if c2.Depth != 2 || c3.Depth != 2 || c3.ParentID != c1.ID || c3.RootID != c0.ID {
		t.Fatalf("reply past the cap: depth %d parent %s root %s; want depth 2 under %s", c3.Depth, c3.ParentID, c3.RootID, c1.ID)
	}
}

func TestEditComment(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	_, story := e.MustStory(t)
	ctx, _ := e.MustUser(t)
	other, _ := e.MustUser(t)

	t.Run("keeps the old body as a revision", func(t *testing.T) {
		c := e.MustComment(t, ctx, story.ID, "", "first")
		edited, err := e.comments.EditComment(ctx, parley.EditCommentInput{CommentID: c.ID, Body: "second"})
		if err != nil {
			t.Fatal(err)
		}
		if edited.BodySource != "second" || edited.EditedAt == nil {
			t.Fatalf("edited = %+v", edited)
		}
		revs, err := e.comments.FindRevisions(ctx, c.ID)
		if err != nil || len(revs) != 1 || revs[0].BodySource != "first" {
			t.Fatalf("revisions = %v, %v", revs, err)
		}
	})
	t.Run("another user is forbidden", func(t *testing.T) {
		c := e.MustComment(t, ctx, story.ID, "", "mine")
		_, err := e.comments.EditComment(other, parley.EditCommentInput{CommentID: c.ID, Body: "theirs"})
		wantCode(t, err, parley.EFORBIDDEN)
	})
	t.Run("past the edit window is forbidden", func(t *testing.T) {
		c := e.MustComment(t, ctx, story.ID, "", "old")
		postgrestest.Exec(t, e.db, `UPDATE comments SET created_at = now() - interval '1 day' WHERE id = $1`, c.ID)
		_, err := e.comments.EditComment(ctx, parley.EditCommentInput{CommentID: c.ID, Body: "new"})
		wantCode(t, err, parley.EFORBIDDEN)
	})
}

func TestDeleteComment(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	_, story := e.MustStory(t)
	ctx, _ := e.MustUser(t)
	other, _ := e.MustUser(t)
	parent := e.MustComment(t, ctx, story.ID, "", "parent")
	e.MustComment(t, ctx, parent.ID[:0]+story.ID, parent.ID, "reply")
	if _, err := e.comments.EditComment(ctx, parley.EditCommentInput{CommentID: parent.ID, Body: "parent, edited"}); err != nil {
		t.Fatal(err)
	}

	t.Run("another user is forbidden", func(t *testing.T) {
		_, err := e.comments.DeleteComment(other, parent.ID)
		wantCode(t, err, parley.EFORBIDDEN)
	})
	t.Run("author leaves a tombstone that keeps replies", func(t *testing.T) {
		c, err := e.comments.DeleteComment(ctx, parent.ID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Status != parley.StatusDeleted || c.Body != "" || c.BodySource != "" || c.DeletedAt == nil {
			t.Fatalf("tombstone = %+v", c)
		}
		if n := e.count(t, `SELECT count(*) FROM comment_revisions WHERE comment_id = $1`, c.ID); n != 0 {
			t.Fatalf("revisions kept: %d", n)
		}
		page, err := e.comments.FindComments(context.Background(), parley.CommentFilter{StoryID: story.ID, Order: parley.OrderNewest, First: 10})
		if err != nil || len(page.Comments) != 1 || page.Comments[0].ReplyCount != 1 {
			t.Fatalf("page = %+v, %v", page, err)
		}
	})
	t.Run("deleting twice answers the tombstone", func(t *testing.T) {
		c, err := e.comments.DeleteComment(ctx, parent.ID)
		if err != nil || c.Status != parley.StatusDeleted {
			t.Fatalf("second delete = %+v, %v", c, err)
		}
	})
}

func TestFindCommentsPagination(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	_, story := e.MustStory(t)
	ctx, _ := e.MustUser(t)
	readers := make([]context.Context, 3)
	for i := range readers {
		readers[i], _ = e.MustUser(t)
	}
	var ids []string
	for i := 0; i < 25; i++ {
		c := e.MustComment(t, ctx, story.ID, "", "comment")
		ids = append(ids, c.ID)
		for r := 0; r < i%4 && r < len(readers); r++ {
			if _, err := e.reactions.AddReaction(readers[r], c.ID, "respect"); err != nil {
				t.Fatal(err)
			}
		}
		if i%5 == 0 {
			e.MustComment(t, readers[0], story.ID, c.ID, "reply")
		}
	}
	for _, order := range []parley.CommentOrder{parley.OrderNewest, parley.OrderOldest, parley.OrderMostReplies, parley.OrderMostReactions} {
		t.Run(string(order)+" pages without gaps or repeats", func(t *testing.T) {
			seen := map[string]bool{}
			var after *parley.Cursor
			var prev *parley.Comment
			for pages := 0; ; pages++ {
				page, err := e.comments.FindComments(context.Background(), parley.CommentFilter{StoryID: story.ID, Order: order, First: 7, After: after})
				if err != nil {
					t.Fatal(err)
				}
				for _, c := range page.Comments {
					if seen[c.ID] {
						t.Fatalf("%s seen twice", c.ID)
					}
					seen[c.ID] = true
					if prev != nil && !inOrder(order, prev, c) {
						t.Fatalf("%s before %s breaks %s", prev.ID, c.ID, order)
					}
					prev = c
				}
				if !page.HasNextPage {
					break
				}
				cur := parley.CursorFor(order, page.Comments[len(page.Comments)-1])
				decoded, err := parley.DecodeCursor(cur.Encode(), order)
				if err != nil {
					t.Fatal(err)
				}
				after = decoded
			}
			if len(seen) != len(ids) {
				t.Fatalf("saw %d comments, want %d", len(seen), len(ids))
			}
		})
	}
}

func inOrder(o parley.CommentOrder, a, b *parley.Comment) bool {
	key := func(c *parley.Comment) int {
		switch o {
		case parley.OrderMostReplies:
			return c.ReplyCount
		case parley.OrderMostReactions:
			return c.ReactionCount
		}
		return 0
	}
	if key(a) != key(b) {
		return key(a) > key(b)
	}
	if !a.CreatedAt.Equal(b.CreatedAt) {
		return a.CreatedAt.After(b.CreatedAt) == (o != parley.OrderOldest)
	}
	return (a.ID > b.ID) == (o != parley.OrderOldest)
}

func TestPendingVisibility(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	site, story := e.MustStory(t)
	author, _ := e.MustUser(t)
	other, _ := e.MustUser(t)
	mod, modUser := e.MustUser(t)
	if err := e.users.SetSiteRole(e.admin, site.ID, modUser.ID, parley.RoleModerator); err != nil {
		t.Fatal(err)
	}
	c := e.MustComment(t, author, story.ID, "", "held for review")
	postgrestest.Exec(t, e.db, `UPDATE comments SET status = 'PENDING' WHERE id = $1`, c.ID)

	for name, tc := range map[string]struct {
		ctx  context.Context
		sees bool
	}{
		"author sees it":      {author, true},
		"moderator sees it":   {mod, true},
		"other user does not": {other, false},
		"anonymous does not":  {context.Background(), false},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := e.comments.FindCommentByID(tc.ctx, c.ID)
			if (err == nil) != tc.sees {
				t.Fatalf("err = %v", err)
			}
			page, err := e.comments.FindComments(tc.ctx, parley.CommentFilter{StoryID: story.ID, Order: parley.OrderNewest, First: 10})
			if err != nil {
				t.Fatal(err)
			}
			// Moderators work pending comments in queues, not in the public stream.
			inStream := len(page.Comments) == 1
			if inStream != (tc.ctx == author) {
				t.Fatalf("in stream = %v", inStream)
			}
		})
	}
}

func TestReactionsAndReports(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	_, story := e.MustStory(t)
	author, _ := e.MustUser(t)
	reader, _ := e.MustUser(t)
	c := e.MustComment(t, author, story.ID, "", "react to me")

	t.Run("adding twice counts once", func(t *testing.T) {
		for i := 0; i < 2; i++ {
			got, err := e.reactions.AddReaction(reader, c.ID, "respect")
			if err != nil || got.ReactionCount != 1 {
				t.Fatalf("add #%d: %+v, %v", i, got, err)
			}
		}
		counts, err := e.reactions.ReactionCounts(reader, []string{c.ID})
		if err != nil || len(counts[c.ID]) != 1 || counts[c.ID][0] != (parley.ReactionCount{Kind: "respect", Count: 1, ViewerReacted: true}) {
			t.Fatalf("counts = %v, %v", counts, err)
		}
	})
	t.Run("unknown kind is invalid", func(t *testing.T) {
		_, err := e.reactions.AddReaction(reader, c.ID, "love")
		wantCode(t, err, parley.EINVALID)
	})
	t.Run("own comment is forbidden", func(t *testing.T) {
		_, err := e.reactions.AddReaction(author, c.ID, "respect")
		wantCode(t, err, parley.EFORBIDDEN)
	})
	t.Run("removing brings the count back", func(t *testing.T) {
		got, err := e.reactions.RemoveReaction(reader, c.ID, "respect")
		if err != nil || got.ReactionCount != 0 {
			t.Fatalf("remove: %+v, %v", got, err)
		}
	})
	t.Run("second report conflicts", func(t *testing.T) {
		in := parley.ReportInput{CommentID: c.ID, Reason: parley.ReportSpam}
		if _, err := e.reports.ReportComment(reader, in); err != nil {
			t.Fatal(err)
		}
		_, err := e.reports.ReportComment(reader, in)
		wantCode(t, err, parley.ECONFLICT)
	})
	t.Run("other without details is invalid", func(t *testing.T) {
		_, err := e.reports.ReportComment(author, parley.ReportInput{CommentID: c.ID, Reason: parley.ReportOther})
		wantCode(t, err, parley.EINVALID)
	})
}

func TestStoryByURLRace(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	site, _ := e.MustStory(t)
	url := site.AllowedOrigins[0] + "/race"
	ids := make(chan string, 8)
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		go func() {
			s, err := e.stories.FindStoryByURL(context.Background(), url)
			if err != nil {
				errs <- err
				return
			}
			ids <- s.ID
		}()
	}
	first := ""
	for i := 0; i < 8; i++ {
		select {
		case err := <-errs:
			t.Fatal(err)
		case id := <-ids:
			if first == "" {
				first = id
			} else if id != first {
				t.Fatalf("two stories for one URL: %s and %s", first, id)
			}
		case <-time.After(30 * time.Second):
			t.Fatal(errors.New("timed out"))
		}
	}
}

func TestCommentingDisabled(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	site, story := e.MustStory(t)
	ctx, _ := e.MustUser(t)
	off, msg := true, "Comments are paused during the election."
	if _, err := e.sites.UpdateSiteSettings(e.admin, site.ID, parley.SiteSettingsUpdate{CommentingDisabled: &off, ClosedMessage: &msg}); err != nil {
		t.Fatal(err)
	}
	_, err := e.comments.CreateComment(ctx, parley.CreateCommentInput{StoryID: story.ID, Body: "hello"})
	wantCode(t, err, parley.ECLOSED)
	if parley.ErrorMessage(err) != msg {
		t.Fatalf("message = %q", parley.ErrorMessage(err))
	}
}
