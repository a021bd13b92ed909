package postgres_test

import (
	"context"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/postgres/postgrestest"
)

// deletionCast is a story where a doomed author and another reader have talked: the author
// wrote a comment (replied to by the other), edited one, and replied to, reacted to and
// reported the other's comment, and muted the other.
type deletionCast struct {
	ctx                   context.Context
	author                *parley.User
	story                 *parley.Story
	mine, edited, myReply *parley.Comment
	theirs, theirReply    *parley.Comment
}

func (e *env) mustDeletionCast(t *testing.T) *deletionCast {
	t.Helper()
	_, story := e.MustStory(t)
	ctx, author := e.MustUser(t)
	other, _ := e.MustUser(t)
	c := &deletionCast{ctx: ctx, author: author, story: story}
	c.mine = e.MustComment(t, ctx, story.ID, "", "mine")
	c.theirReply = e.MustComment(t, other, story.ID, c.mine.ID, "their reply")
	c.edited = e.MustComment(t, ctx, story.ID, "", "first draft")
	if _, err := e.comments.EditComment(ctx, parley.EditCommentInput{CommentID: c.edited.ID, Body: "second draft"}); err != nil {
		t.Fatal(err)
	}
	c.theirs = e.MustComment(t, other, story.ID, "", "theirs")
	c.myReply = e.MustComment(t, ctx, story.ID, c.theirs.ID, "my reply")
	if _, err := e.reactions.AddReaction(ctx, c.theirs.ID, "respect"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.reports.ReportComment(ctx, parley.ReportInput{CommentID: c.theirs.ID, Reason: parley.ReportSpam}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.users.MuteUser(ctx, parley.UserFromContext(other).ID); err != nil {
		t.Fatal(err)
	}
	return c
}

// storyCount is a story's published-comment count, summed over its shards.
func (e *env) storyCount(t *testing.T, storyID string) int {
	return e.count(t, `SELECT coalesce(sum(count), 0) FROM story_comment_counts WHERE story_id = $1`, storyID)
}

func TestDeleteUser(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	c := e.mustDeletionCast(t)
	if err := e.accounts.DeleteUser(context.Background(), c.author.ID); err != nil {
		t.Fatal(err)
	}

	t.Run("the account and everything hanging from it is gone", func(t *testing.T) {
		for sql, what := range map[string]string{
			`SELECT count(*) FROM users WHERE id = $1`:            "users",
			`SELECT count(*) FROM tokens WHERE user_id = $1`:      "tokens",
			`SELECT count(*) FROM reactions WHERE user_id = $1`:   "reactions",
			`SELECT count(*) FROM reports WHERE user_id = $1`:     "reports",
			`SELECT count(*) FROM user_mutes WHERE muter_id = $1`: "mutes",
			`SELECT count(*) FROM comments WHERE author_id = $1`:  "authored comments",
		} {
			if n := e.count(t, sql, c.author.ID); n != 0 {
				t.Errorf("%s left: %d", what, n)
			}
		}
	})
	t.Run("comments stay as tombstones without author, body or revisions", func(t *testing.T) {
		for _, id := range []string{c.mine.ID, c.edited.ID, c.myReply.ID} {
			if n := e.count(t, `SELECT count(*) FROM comments WHERE id = $1 AND status = 'DELETED' AND author_id IS NULL
				AND body = '' AND body_source = '' AND deleted_at IS NOT NULL`, id); n != 1 {
				t.Errorf("comment %s is not an authorless tombstone", id)
			}
		}
		if n := e.count(t, `SELECT count(*) FROM comment_revisions WHERE comment_id = $1`, c.edited.ID); n != 0 {
			t.Errorf("revisions left: %d", n)
		}
	})
	t.Run("a tombstone stays in its thread only while a reply below it shows", func(t *testing.T) {
		got, err := e.comments.FindCommentByID(context.Background(), c.mine.ID)
		if err != nil || got.Status != parley.StatusDeleted || got.AuthorID != "" || got.ReplyCount != 1 {
			t.Fatalf("the tombstone above a reply = %+v, %v", got, err)
		}
		if _, err := e.comments.FindCommentByID(context.Background(), c.theirReply.ID); err != nil {
			t.Errorf("the reply to a deleted comment: %v", err)
		}
		for _, id := range []string{c.edited.ID, c.myReply.ID} {
			_, err := e.comments.FindCommentByID(context.Background(), id)
			wantCode(t, err, parley.ENOTFOUND)
		}
	})
	t.Run("counters stay consistent", func(t *testing.T) {
		if got := e.storyCount(t, c.story.ID); got != 2 {
			t.Errorf("story count = %d, want 2 (the other reader's comments)", got)
		}
		theirs, err := e.comments.FindCommentByID(context.Background(), c.theirs.ID)
		if err != nil {
			t.Fatal(err)
		}
		if theirs.ReactionCount != 0 || theirs.ReportCount != 0 || theirs.ReplyCount != 0 {
			t.Errorf("their comment's counts = reactions %d, reports %d, replies %d; want 0, 0, 0 (no reply left shows)",
				theirs.ReactionCount, theirs.ReportCount, theirs.ReplyCount)
		}
		if n := e.count(t, `SELECT coalesce(sum(count), 0) FROM reaction_counts WHERE comment_id = $1`, c.theirs.ID); n != 0 {
			t.Errorf("reaction_counts = %d, want 0", n)
		}
	})
	t.Run("events tell live readers", func(t *testing.T) {
		if n := e.count(t, `SELECT count(*) FROM outbox WHERE kind = 'comment.deleted' AND payload->>'id' = ANY($1)`,
			[]string{c.mine.ID, c.edited.ID, c.myReply.ID}); n != 3 {
			t.Errorf("comment.deleted events = %d, want 3", n)
		}
		if n := e.count(t, `SELECT count(*) FROM outbox WHERE kind = 'reaction.removed' AND payload->>'commentID' = $1 AND (payload->>'reactionCount')::int = 0`, c.theirs.ID); n != 1 {
			t.Errorf("reaction.removed events = %d, want 1", n)
		}
		if n := e.count(t, `SELECT count(*) FROM outbox WHERE kind = 'user.deleted' AND payload->>'id' = $1`, c.author.ID); n != 1 {
			t.Errorf("user.deleted events = %d, want 1", n)
		}
	})
	t.Run("deleting again is not found", func(t *testing.T) {
		wantCode(t, e.accounts.DeleteUser(context.Background(), c.author.ID), parley.ENOTFOUND)
	})
}

func TestDeleteUserIsAtomic(t *testing.T) {
	e := MustEnv(t)
	c := e.mustDeletionCast(t)
	// The account's event is the last write of a deletion; failing it must undo the rest.
	postgrestest.Exec(t, e.db, `
		CREATE FUNCTION fail_user_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF NEW.kind = 'user.deleted' THEN RAISE EXCEPTION 'injected outbox failure'; END IF;
			RETURN NEW;
		END $$`)
	postgrestest.Exec(t, e.db, `CREATE TRIGGER fail_user_deleted BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION fail_user_deleted()`)
	t.Cleanup(func() {
		postgrestest.Exec(t, e.db, `DROP TRIGGER fail_user_deleted ON outbox`)
		postgrestest.Exec(t, e.db, `DROP FUNCTION fail_user_deleted()`)
	})
	before := e.storyCount(t, c.story.ID)
	events := e.count(t, `SELECT count(*) FROM outbox`)

	wantCode(t, e.accounts.DeleteUser(context.Background(), c.author.ID), parley.EINTERNAL)
	if n := e.count(t, `SELECT count(*) FROM users WHERE id = $1`, c.author.ID); n != 1 {
		t.Errorf("users = %d, want 1", n)
	}
	if n := e.count(t, `SELECT count(*) FROM comments WHERE author_id = $1 AND status = 'PUBLISHED' AND body_source <> ''`, c.author.ID); n != 3 {
		t.Errorf("published comments = %d, want 3", n)
	}
	for sql, want := range map[string]int{
		`SELECT count(*) FROM reactions WHERE user_id = $1`:                                                      1,
		`SELECT count(*) FROM reports WHERE user_id = $1`:                                                        1,
		`SELECT count(*) FROM user_mutes WHERE muter_id = $1`:                                                    1,
		`SELECT count(*) FROM comment_revisions r JOIN comments c ON c.id = r.comment_id WHERE c.author_id = $1`: 1,
	} {
		if n := e.count(t, sql, c.author.ID); n != want {
			t.Errorf("%s = %d, want %d", sql, n, want)
		}
	}
	if got := e.storyCount(t, c.story.ID); got != before {
		t.Errorf("story count = %d, want %d", got, before)
	}
	theirs, _ := e.comments.FindCommentByID(context.Background(), c.theirs.ID)
	if theirs.ReactionCount != 1 || theirs.ReportCount != 1 {
		t.Errorf("their comment's counts = reactions %d, reports %d; want 1, 1", theirs.ReactionCount, theirs.ReportCount)
	}
	if n := e.count(t, `SELECT count(*) FROM outbox`); n != events {
		t.Errorf("outbox rows = %d, want %d", n, events)
	}
}

func TestDeleteLastAdmin(t *testing.T) {
	t.Parallel()
	db := postgrestest.MustOpenDB(t)
	accounts := postgres.NewAccountStore(db)
	ctx := context.Background()
	first, second := &parley.User{Username: "first", Admin: true}, &parley.User{Username: "second", Admin: true}
	if err := accounts.CreateUser(ctx, first, ""); err != nil {
		t.Fatal(err)
	}
	wantCode(t, accounts.DeleteUser(ctx, first.ID), parley.ECONFLICT)
	if err := accounts.CreateUser(ctx, second, ""); err != nil {
		t.Fatal(err)
	}
	if err := accounts.DeleteUser(ctx, first.ID); err != nil {
		t.Fatalf("deleting one of two admins: %v", err)
	}
	wantCode(t, accounts.DeleteUser(ctx, second.ID), parley.ECONFLICT)
}
