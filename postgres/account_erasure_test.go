package postgres_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/postgres/postgrestest"
)

// TestAccountErasure runs its steps in order, not in parallel: EraseDueAccounts erases every
// due account of the database, and only this test schedules any.
func TestAccountErasure(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	due := now.Add(parley.DefaultDeletionGrace)
	afterGrace := due.Add(time.Minute)

	t.Run("scheduling signs the account out everywhere and erases nothing yet", func(t *testing.T) {
		c := e.mustDeletionCast(t)
		postgrestest.Exec(t, e.db, `INSERT INTO tokens (id, user_id, kind, hash) VALUES (gen_random_uuid(), $1, 'session', sha256(gen_random_uuid()::text::bytea))`, c.author.ID)
		if err := e.accounts.ScheduleDeletion(ctx, c.author.ID, due, false); err != nil {
			t.Fatal(err)
		}
		if n := e.count(t, `SELECT count(*) FROM tokens WHERE user_id = $1 AND revoked_at IS NULL`, c.author.ID); n != 0 {
			t.Errorf("live tokens = %d, want 0", n)
		}
		if n := e.count(t, `SELECT count(*) FROM outbox WHERE kind = 'user.tokens_revoked' AND payload->>'userID' = $1`, c.author.ID); n != 1 {
			t.Errorf("user.tokens_revoked events = %d, want 1", n)
		}
		if n, err := e.accounts.EraseDueAccounts(ctx, now); err != nil || n != 0 {
			t.Errorf("erased within the grace = %d, %v; want 0", n, err)
		}
		if n := e.count(t, `SELECT count(*) FROM comments WHERE author_id = $1 AND status = 'PUBLISHED'`, c.author.ID); n != 3 {
			t.Errorf("published comments within the grace = %d, want 3", n)
		}
		cancel(t, e, c.author.ID)
	})
	t.Run("signing in within the grace cancels it, once", func(t *testing.T) {
		_, u := e.MustUser(t)
		if err := e.accounts.ScheduleDeletion(ctx, u.ID, due, false); err != nil {
			t.Fatal(err)
		}
		if ok, _, err := e.accounts.CancelDeletion(ctx, u.ID, due.Add(-time.Second)); err != nil || !ok {
			t.Fatalf("cancel = %v, %v; want true", ok, err)
		}
		if ok, _, err := e.accounts.CancelDeletion(ctx, u.ID, now); err != nil || ok {
			t.Errorf("second cancel = %v, %v; want false", ok, err)
		}
		if n, err := e.accounts.EraseDueAccounts(ctx, afterGrace); err != nil || n != 0 {
			t.Errorf("erased after a cancelled deletion = %d, %v; want 0", n, err)
		}
		if n := e.count(t, `SELECT count(*) FROM users WHERE id = $1`, u.ID); n != 1 {
			t.Error("the account is gone")
		}
	})
	t.Run("cancelling restores the API tokens the deletion revoked, and no other token", func(t *testing.T) {
		_, u := e.MustUser(t)
		token := func(kind, name, extra string) {
			postgrestest.Exec(t, e.db, `INSERT INTO tokens (id, user_id, kind, name, hash, expires_at, revoked_at)
				SELECT gen_random_uuid(), $1, $2, $3, sha256(gen_random_uuid()::text::bytea), `+extra, u.ID, kind, name)
		}
		token("api", "live", `NULL, NULL`)
		token("api", "revoked before", `NULL, now() - interval '1 day'`)
		token("api", "expires soon", `now() + interval '1 year', NULL`)
		token("session", "a session", `now() + interval '1 day', NULL`)
		if err := e.accounts.ScheduleDeletion(ctx, u.ID, due, false); err != nil {
			t.Fatal(err)
		}
		ok, restored, err := e.accounts.CancelDeletion(ctx, u.ID, now)
		if err != nil || !ok || restored != 2 {
			t.Fatalf("cancel = %v, %d restored, %v; want true, 2", ok, restored, err)
		}
		rows, err := e.db.Pool().Query(ctx, `SELECT name FROM tokens WHERE user_id = $1 AND revoked_at IS NULL ORDER BY name`, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		var live []string
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				t.Fatal(err)
			}
			live = append(live, n)
		}
		if len(live) != 2 || live[0] != "expires soon" || live[1] != "live" {
			t.Errorf("live tokens %q, want the two API tokens the deletion revoked", live)
		}
	})
	t.Run("signing in after the grace is unauthenticated", func(t *testing.T) {
		_, u := e.MustUser(t)
		if err := e.accounts.ScheduleDeletion(ctx, u.ID, due, false); err != nil {
			t.Fatal(err)
		}
		_, _, err := e.accounts.CancelDeletion(ctx, u.ID, due)
		wantCode(t, err, parley.EUNAUTHENTICATED)
		cancel(t, e, u.ID)
	})
	t.Run("after the grace the account is erased and its comments are tombstones", func(t *testing.T) {
		c := e.mustDeletionCast(t)
		if err := e.accounts.ScheduleDeletion(ctx, c.author.ID, due, false); err != nil {
			t.Fatal(err)
		}
		if n, err := e.accounts.EraseDueAccounts(ctx, afterGrace); err != nil || n != 1 {
			t.Fatalf("erased = %d, %v; want 1", n, err)
		}
		if n := e.count(t, `SELECT count(*) FROM users WHERE id = $1`, c.author.ID); n != 0 {
			t.Error("the account is still there")
		}
		if n := e.count(t, `SELECT count(*) FROM comments WHERE id = ANY($1) AND status = 'DELETED' AND author_id IS NULL AND body_source = ''`,
			[]string{c.mine.ID, c.edited.ID, c.myReply.ID}); n != 3 {
			t.Errorf("authorless tombstones = %d, want 3", n)
		}
		// comment.deleted is what federation's publisher (federation.Publisher.Handle) turns
		// into signed tombstones for peers: each must decode as the type it reads.
		rows, err := e.db.Pool().Query(ctx, `SELECT kind, payload FROM outbox WHERE kind = 'comment.deleted' AND payload->>'authorID' = $1`, c.author.ID)
		if err != nil {
			t.Fatal(err)
		}
		decoded := map[string]bool{}
		for rows.Next() {
			var oe parley.OutboxEvent
			if err := rows.Scan(&oe.Kind, &oe.Payload); err != nil {
				t.Fatal(err)
			}
			ev, err := oe.Decode()
			if d, ok := ev.Payload.(parley.CommentDeleted); err != nil || !ok || d.StoryID != c.story.ID {
				t.Errorf("comment.deleted %s decodes as %+v, %v", oe.Payload, ev.Payload, err)
			} else {
				decoded[d.ID] = true
			}
		}
		if rows.Err() != nil || len(decoded) != 3 || !decoded[c.mine.ID] || !decoded[c.edited.ID] || !decoded[c.myReply.ID] {
			t.Errorf("comment.deleted events for %v (%v), want the 3 comments", decoded, rows.Err())
		}
		for kind, key := range map[string]string{"user.deleted": "id", "user.tokens_revoked": "userID"} {
			if n := e.count(t, `SELECT count(*) FROM outbox WHERE kind = $1 AND payload->>$2 = $3`, kind, key, c.author.ID); n != 1 {
				t.Errorf("%s events = %d, want 1", kind, n)
			}
		}
		_, _, err = e.accounts.CancelDeletion(ctx, c.author.ID, now)
		wantCode(t, err, parley.ENOTFOUND)
	})
	t.Run("after erasure no row anywhere holds the reader's email, username or words", func(t *testing.T) {
		testErasureScrubs(t, e, due, afterGrace)
	})
	t.Run("when asked, comments without replies are removed and the rest stay tombstones", func(t *testing.T) {
		c := e.mustDeletionCast(t)
		if err := e.accounts.ScheduleDeletion(ctx, c.author.ID, due, true); err != nil {
			t.Fatal(err)
		}
		if n, err := e.accounts.EraseDueAccounts(ctx, afterGrace); err != nil || n != 1 {
			t.Fatalf("erased = %d, %v; want 1", n, err)
		}
		if n := e.count(t, `SELECT count(*) FROM comments WHERE id = ANY($1)`, []string{c.edited.ID, c.myReply.ID}); n != 0 {
			t.Errorf("comments without replies left: %d", n)
		}
		got, err := e.comments.FindCommentByID(ctx, c.mine.ID)
		if err != nil || got.Status != parley.StatusDeleted || got.AuthorID != "" || got.ReplyCount != 1 {
			t.Errorf("the tombstone above a reply = %+v, %v", got, err)
		}
		theirs, err := e.comments.FindCommentByID(ctx, c.theirs.ID)
		if err != nil || theirs.ReplyCount != 0 {
			t.Errorf("the comment whose reply was removed = %+v, %v; want 0 replies", theirs, err)
		}
		if got := e.storyCount(t, c.story.ID); got != 2 {
			t.Errorf("story count = %d, want 2", got)
		}
	})
	t.Run("an erasure waits for a moderator deciding on a comment, then tombstones it whole", func(t *testing.T) {
		c := e.mustDeletionCast(t)
		if err := e.accounts.ScheduleDeletion(ctx, c.author.ID, due, false); err != nil {
			t.Fatal(err)
		}
		moderation, err := e.db.Pool().Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer moderation.Rollback(ctx)
		if _, err := moderation.Exec(ctx, `UPDATE comments SET status = 'REJECTED', version = version + 1 WHERE id = $1`, c.mine.ID); err != nil {
			t.Fatal(err)
		}
		erased := make(chan error, 1)
		go func() {
			_, err := e.accounts.EraseDueAccounts(ctx, afterGrace)
			erased <- err
		}()
		// The erasure's first step locks the account's comments; wait until it waits on ours.
		for e.count(t, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'
			AND query LIKE '%author_id = $1 AND status <> ''DELETED'' FOR UPDATE%'`) == 0 {
			select {
			case err := <-erased:
				t.Fatalf("the erasure did not wait for the moderator: %v", err)
			default:
			}
		}
		if err := moderation.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if err := <-erased; err != nil {
			t.Fatal(err)
		}
		if n := e.count(t, `SELECT count(*) FROM comments WHERE id = $1 AND status = 'DELETED' AND author_id IS NULL AND body_source = ''`, c.mine.ID); n != 1 {
			t.Error("the moderated comment is not an authorless tombstone")
		}
		if n := e.count(t, `SELECT count(*) FROM users WHERE id = $1`, c.author.ID); n != 0 {
			t.Error("the account is still there")
		}
	})
	t.Run("two concurrent runners erase each account once", func(t *testing.T) {
		var ids []string
		for range 6 {
			c := e.mustDeletionCast(t)
			if err := e.accounts.ScheduleDeletion(ctx, c.author.ID, due, false); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, c.author.ID)
		}
		var wg sync.WaitGroup
		counts := make([]int, 2)
		errs := make([]error, 2)
		for i := range counts {
			wg.Go(func() { counts[i], errs[i] = e.accounts.EraseDueAccounts(ctx, afterGrace) })
		}
		wg.Wait()
		if errs[0] != nil || errs[1] != nil || counts[0]+counts[1] != len(ids) {
			t.Fatalf("runners erased %v (%v), want %d in all", counts, errs, len(ids))
		}
		if n := e.count(t, `SELECT count(*) FROM outbox WHERE kind = 'user.deleted' AND payload->>'id' = ANY($1)`, ids); n != len(ids) {
			t.Errorf("user.deleted events = %d, want %d (one per account)", n, len(ids))
		}
		if n, err := e.accounts.EraseDueAccounts(ctx, afterGrace); err != nil || n != 0 {
			t.Errorf("a third run erased %d, %v; want 0", n, err)
		}
	})
}

// cancel takes an account out of the schedule, so later steps' runs do not erase it.
func cancel(t *testing.T, e *env, userID string) {
	t.Helper()
	postgrestest.Exec(t, e.db, `UPDATE users SET deletion_due_at = NULL WHERE id = $1`, userID)
}
