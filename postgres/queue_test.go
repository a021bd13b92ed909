package postgres_test

import (
	"context"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/postgres/postgrestest"
)

func TestModerationQueues(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	queues := postgres.NewQueueService(e.db)
	site, story := e.MustStory(t)
	otherSite, _ := e.MustStory(t)
	author, _ := e.MustUser(t)
	mod, modUser := e.MustUser(t)
	elsewhere, elsewhereUser := e.MustUser(t)
	for _, g := range []struct{ site, user string }{{site.ID, modUser.ID}, {otherSite.ID, elsewhereUser.ID}} {
		if err := e.users.SetSiteRole(e.admin, g.site, g.user, parley.RoleModerator); err != nil {
			t.Fatal(err)
		}
	}
	held := e.MustComment(t, author, story.ID, "", "held one")
	postgrestest.Exec(t, e.db, `UPDATE comments SET status = 'PENDING' WHERE id = $1`, held.ID)
	plain := e.MustComment(t, author, story.ID, "", "plain one")

	in := func(q parley.ModerationQueue) map[string]bool {
		t.Helper()
		page, err := queues.ModerationQueue(mod, parley.QueueFilter{Queue: q, SiteID: site.ID, First: 50})
		if err != nil {
			t.Fatal(err)
		}
		ids := map[string]bool{}
		for _, c := range page.Comments {
			ids[c.ID] = true
		}
		return ids
	}

	t.Run("comments start in pending or unmoderated", func(t *testing.T) {
		if !in(parley.QueuePending)[held.ID] || !in(parley.QueueUnmoderated)[plain.ID] || in(parley.QueuePending)[plain.ID] {
			t.Fatal("queues do not hold what they should")
		}
		counts, err := queues.QueueCounts(mod, site.ID, "")
		if err != nil || counts[parley.QueuePending] != 1 || counts[parley.QueueUnmoderated] != 1 {
			t.Fatalf("counts = %v, %v", counts, err)
		}
	})
	t.Run("approving a held comment publishes and counts it", func(t *testing.T) {
		before, _ := e.stories.FindStoryByID(context.Background(), story.ID)
		c, err := queues.ApproveComment(mod, parley.ModerateInput{CommentID: held.ID})
		if err != nil || c.Status != parley.StatusPublished {
			t.Fatalf("approve: %+v, %v", c, err)
		}
		after, _ := e.stories.FindStoryByID(context.Background(), story.ID)
		if after.CommentCount != before.CommentCount+1 || !in(parley.QueueApproved)[held.ID] || in(parley.QueuePending)[held.ID] {
			t.Fatalf("count %d -> %d, or queues wrong", before.CommentCount, after.CommentCount)
		}
	})
	t.Run("a report brings an approved comment back to reported", func(t *testing.T) {
		reader, _ := e.MustUser(t)
		if _, err := e.reports.ReportComment(reader, parley.ReportInput{CommentID: held.ID, Reason: parley.ReportAbusive}); err != nil {
			t.Fatal(err)
		}
		if !in(parley.QueueReported)[held.ID] {
			t.Fatal("not in REPORTED")
		}
	})
	t.Run("rejecting needs a reason and removes the comment from view", func(t *testing.T) {
		_, err := queues.RejectComment(mod, parley.ModerateInput{CommentID: plain.ID})
		wantCode(t, err, parley.EINVALID)
		c, err := queues.RejectComment(mod, parley.ModerateInput{CommentID: plain.ID, Reason: parley.RejectSpam, Note: "link farm"})
		if err != nil || c.Status != parley.StatusRejected || !in(parley.QueueRejected)[plain.ID] {
			t.Fatalf("reject: %+v, %v", c, err)
		}
		if _, err := e.comments.FindCommentByID(context.Background(), plain.ID); parley.ErrorCode(err) != parley.ENOTFOUND {
			t.Fatalf("rejected comment still public: %v", err)
		}
		n := e.count(t, `SELECT count(*) FROM moderator_actions WHERE comment_id = $1 AND action = 'REJECT' AND reason = 'SPAM' AND note = 'link farm' AND moderator_id = $2`, plain.ID, modUser.ID)
		if n != 1 {
			t.Fatalf("log entries = %d", n)
		}
	})
	t.Run("featuring needs a published comment", func(t *testing.T) {
		c, err := queues.FeatureComment(mod, held.ID, true)
		if err != nil || !c.Featured {
			t.Fatalf("feature: %+v, %v", c, err)
		}
		_, err = queues.FeatureComment(mod, plain.ID, true)
		wantCode(t, err, parley.EINVALID)
	})
	t.Run("moderators of another site and commenters are forbidden", func(t *testing.T) {
		for _, ctx := range []context.Context{elsewhere, author} {
			_, err := queues.ApproveComment(ctx, parley.ModerateInput{CommentID: plain.ID})
			if code := parley.ErrorCode(err); code != parley.EFORBIDDEN && code != parley.ENOTFOUND {
				t.Errorf("approve: %v", err)
			}
			_, err = queues.ModerationQueue(ctx, parley.QueueFilter{Queue: parley.QueuePending, SiteID: site.ID, First: 10})
			wantCode(t, err, parley.EFORBIDDEN)
		}
		_, err := queues.ApproveComment(context.Background(), parley.ModerateInput{CommentID: plain.ID})
		if code := parley.ErrorCode(err); code != parley.EUNAUTHENTICATED {
			t.Errorf("anonymous approve: %v", err)
		}
	})
	t.Run("a hold rule holds a comment in the report's transaction", func(t *testing.T) {
		c := e.MustComment(t, author, story.ID, "", "controversial")
		atTwo := func(c *parley.Comment, _ float64, _ parley.SiteSettings) *parley.ActionReason {
			if c.ReportCount < 2 {
				return nil
			}
			return &parley.ActionReason{Reason: "TEST", Note: "two reports"}
		}
		for i, want := range []parley.CommentStatus{parley.StatusPublished, parley.StatusPending} {
			reader, _ := e.MustUser(t)
			got, err := e.reports.RecordReport(reader, parley.ReportInput{CommentID: c.ID, Reason: parley.ReportOffensive}, parley.DefaultReportWeight, atTwo)
			if err != nil || got.Status != want {
				t.Fatalf("report %d: %+v, %v; want %s", i+1, got, err, want)
			}
		}
		if !in(parley.QueuePending)[c.ID] {
			t.Fatal("comment not in PENDING after the rule held it")
		}
		n := e.count(t, `SELECT count(*) FROM moderator_actions WHERE comment_id = $1 AND action = 'HOLD' AND reason = 'TEST' AND moderator_id IS NULL`, c.ID)
		if n != 1 {
			t.Fatalf("hold logged %d times", n)
		}
	})
	t.Run("without a rule a report holds nothing", func(t *testing.T) {
		c := e.MustComment(t, author, story.ID, "", "reported a lot")
		for i := 0; i < 3; i++ {
			reader, _ := e.MustUser(t)
			if got, err := e.reports.ReportComment(reader, parley.ReportInput{CommentID: c.ID, Reason: parley.ReportOffensive}); err != nil || got.Status != parley.StatusPublished {
				t.Fatalf("report: %+v, %v", got, err)
			}
		}
	})
	t.Run("a decision on a version that no longer stands is a conflict", func(t *testing.T) {
		c := e.MustComment(t, author, story.ID, "", "judged as written")
		seen := c.Version
		if _, err := e.comments.EditComment(author, parley.EditCommentInput{CommentID: c.ID, Body: "rewritten after the moderator looked"}); err != nil {
			t.Fatal(err)
		}
		_, err := queues.RejectComment(mod, parley.ModerateInput{CommentID: c.ID, Reason: parley.RejectSpam, Version: seen})
		wantCode(t, err, parley.ECONFLICT)
		now, err := e.comments.FindCommentByID(mod, c.ID)
		if err != nil || now.Status != parley.StatusPublished || now.Version != seen+1 {
			t.Fatalf("comment = %+v, %v", now, err)
		}
		decided, err := queues.RejectComment(mod, parley.ModerateInput{CommentID: c.ID, Reason: parley.RejectSpam, Version: now.Version})
		if err != nil || decided.Status != parley.StatusRejected || decided.Version != now.Version+1 {
			t.Fatalf("decision on the current version: %+v, %v", decided, err)
		}
	})
	t.Run("queue pages follow each other without gaps", func(t *testing.T) {
		_, s2 := e.MustStory(t)
		for i := 0; i < 7; i++ {
			e.MustComment(t, author, s2.ID, "", "queued")
		}
		seen := map[string]bool{}
		var after *parley.Cursor
		for {
			page, err := queues.ModerationQueue(e.admin, parley.QueueFilter{Queue: parley.QueueUnmoderated, StoryID: s2.ID, First: 3, After: after})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range page.Comments {
				if seen[c.ID] {
					t.Fatalf("%s twice", c.ID)
				}
				seen[c.ID] = true
			}
			if !page.HasNextPage {
				break
			}
			cur := parley.CursorFor(parley.OrderNewest, page.Comments[len(page.Comments)-1])
			after = &cur
		}
		if len(seen) != 7 {
			t.Fatalf("saw %d of 7", len(seen))
		}
	})
}

func TestBulkAndUndo(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	queues := postgres.NewQueueService(e.db)
	site, story := e.MustStory(t)
	_, otherStory := e.MustStory(t)
	author, _ := e.MustUser(t)
	mod, modUser := e.MustUser(t)
	if err := e.users.SetSiteRole(e.admin, site.ID, modUser.ID, parley.RoleModerator); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for range 3 {
		ids = append(ids, e.MustComment(t, author, story.ID, "", "bulk").ID)
	}
	foreign := e.MustComment(t, author, otherStory.ID, "", "elsewhere")

	t.Run("a batch with a comment the moderator may not touch changes nothing", func(t *testing.T) {
		_, err := queues.BulkModerate(mod, append(ids[:2:2], foreign.ID), parley.StatusRejected, parley.RejectSpam, "")
		wantCode(t, err, parley.EFORBIDDEN)
		if got, _ := e.comments.FindCommentByID(context.Background(), ids[0]); got == nil || got.Status != parley.StatusPublished {
			t.Fatalf("first comment changed: %+v", got)
		}
	})
	t.Run("a batch rejects every comment", func(t *testing.T) {
		out, err := queues.BulkModerate(mod, ids, parley.StatusRejected, parley.RejectSpam, "")
		if err != nil || len(out) != 3 || out[2].Status != parley.StatusRejected {
			t.Fatalf("bulk = %v, %v", out, err)
		}
	})
	t.Run("undo restores the status before the last decision", func(t *testing.T) {
		c, err := queues.UndoModeration(mod, ids[0])
		if err != nil || c.Status != parley.StatusPublished {
			t.Fatalf("undo = %+v, %v", c, err)
		}
		page, _ := queues.ModerationQueue(mod, parley.QueueFilter{Queue: parley.QueueUnmoderated, SiteID: site.ID, First: 50})
		found := false
		for _, p := range page.Comments {
			found = found || p.ID == ids[0]
		}
		if !found {
			t.Fatal("undone comment is not back in UNMODERATED")
		}
		_, err = queues.UndoModeration(mod, ids[0])
		wantCode(t, err, parley.EINVALID)
	})
}
