package postgres

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley"
)

// PasswordHash returns a user's password hash, "" for an account without a password.
func (s *AccountStore) PasswordHash(ctx context.Context, userID string) (string, error) {
	if !parley.IsID(userID) {
		return "", notFound("User")
	}
	var hash string
	err := s.db.pool.QueryRow(ctx, `SELECT password_hash FROM users WHERE id = $1`, userID).Scan(&hash)
	return hash, translateNotFound(err, "User")
}

// lastAdminLock serialises the deletions of administrators, so that two last admins
// deleting themselves at once cannot both succeed: the second counts after the first commits.
const lastAdminLock = `SELECT pg_advisory_xact_lock(hashtext('parley:last-admin'))`

// eraseSteps run in order inside one transaction. Each is one statement whatever the
// number of rows, and each writes the events its change needs, in the JSON of their types
// (parley.ReactionRemoved, parley.CommentDeleted): a test decodes them; $1 is the user's ID.
var eraseSteps = []struct{ what, sql string }{
	{"lock comments", `SELECT 1 FROM comments WHERE author_id = $1 AND status <> 'DELETED' FOR UPDATE`},
	// Reactions the user gave: the per-kind and per-comment totals drop with them, and live
	// readers hear of it as if the user had taken each back.
	{"remove reactions", `
		WITH gone AS (
			DELETE FROM reactions WHERE user_id = $1 RETURNING comment_id, kind
		), kinds AS (
			UPDATE reaction_counts rc SET count = rc.count - 1
			FROM gone WHERE rc.comment_id = gone.comment_id AND rc.kind = gone.kind
		), totals AS (
			UPDATE comments c SET reaction_count = c.reaction_count - n.n
			FROM (SELECT comment_id, count(*) AS n FROM gone GROUP BY comment_id) n WHERE c.id = n.comment_id
			RETURNING c.id, c.site_id, c.story_id, c.author_id, c.reaction_count
		)
		INSERT INTO outbox (id, kind, site_id, story_id, payload)
		SELECT gen_random_uuid(), '` + parley.EventReactionRemoved + `', t.site_id, t.story_id,
			jsonb_build_object('v', 1, 'commentID', t.id, 'authorID', coalesce(t.author_id::text, ''), 'userID', $1::text,
				'kind', gone.kind, 'reactionCount', t.reaction_count)
		FROM gone JOIN totals t ON t.id = gone.comment_id`},
	{"remove reports", `
		WITH gone AS (DELETE FROM reports WHERE user_id = $1 RETURNING comment_id)
		UPDATE comments c SET report_count = c.report_count - n.n
		FROM (SELECT comment_id, count(*) AS n FROM gone GROUP BY comment_id) n WHERE c.id = n.comment_id`},
	// As DeleteComment does: a pending comment no one else has seen goes entirely, unless
	// replies hang from it (it was published, then held), which keep their thread.
	{"remove unseen comments", `
		WITH gone AS (
			DELETE FROM comments c WHERE author_id = $1 AND status = 'PENDING'
				AND NOT EXISTS (SELECT 1 FROM comments r WHERE r.parent_id = c.id)
			RETURNING id, site_id, story_id
		)
		INSERT INTO outbox (id, kind, site_id, story_id, payload)
		SELECT gen_random_uuid(), '` + parley.EventCommentDeleted + `', site_id, story_id,
			jsonb_build_object('v', 1, 'id', id, 'storyID', story_id, 'siteID', site_id, 'authorID', $1::text,
				'previousStatus', 'PENDING', 'deletedAt', now())
		FROM gone`},
	// The story counts before the tombstones, while the statuses are still there to read:
	// the story loses its published comments (into a random shard, as countStory does).
	{"count stories", `
		INSERT INTO story_comment_counts (story_id, shard, count)
		SELECT story_id, floor(random() * ` + strconv.Itoa(storyCountShards) + `), -count(*) FROM comments WHERE author_id = $1 AND status = 'PUBLISHED' GROUP BY story_id
		ON CONFLICT (story_id, shard) DO UPDATE SET count = story_comment_counts.count + excluded.count`},
	{"remove revisions", `DELETE FROM comment_revisions r USING comments c WHERE r.comment_id = c.id AND c.author_id = $1`},
	{"leave tombstones", `
		WITH done AS (
			UPDATE comments c SET status = 'DELETED', body = '', body_source = '', deleted_at = now(), version = c.version + 1
			FROM (SELECT id, status FROM comments WHERE author_id = $1 AND status <> 'DELETED') old
			WHERE c.id = old.id
			RETURNING c.id, c.site_id, c.story_id, old.status AS was, c.deleted_at
		)
		INSERT INTO outbox (id, kind, site_id, story_id, payload)
		SELECT gen_random_uuid(), '` + parley.EventCommentDeleted + `', site_id, story_id,
			jsonb_build_object('v', 1, 'id', id, 'storyID', story_id, 'siteID', site_id, 'authorID', $1::text,
				'previousStatus', was, 'deletedAt', deleted_at)
		FROM done`},
	// The reply counts after the tombstones, in every thread the user wrote in: a tombstone
	// stays as a placeholder only while a reply below it shows (see recountThreads).
	{"count replies", recountThreads(`ARRAY(SELECT DISTINCT root_id FROM comments WHERE author_id = $1)`)},
}

// deleteAccountSteps are eraseSteps, then scrubSteps (which read the account's row), then
// the account itself: its sessions, API tokens, roles, mutes (either way), sanctions and notes
// go with it by cascade, and its comments lose their author.
var deleteAccountSteps = slices.Concat(eraseSteps, scrubSteps, []struct{ what, sql string }{{"remove account", `DELETE FROM users WHERE id = $1`}})

// DeleteUser erases an account in one transaction (see parley.AuthService.DeleteAccount);
// the last administrator is ECONFLICT.
func (s *AccountStore) DeleteUser(ctx context.Context, userID string) error {
	if !parley.IsID(userID) {
		return notFound("User")
	}
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		var admin bool
		if err := tx.QueryRow(ctx, `SELECT admin FROM users WHERE id = $1 FOR UPDATE`, userID).Scan(&admin); err != nil {
			return translateNotFound(err, "User")
		}
		if admin {
			if err := lastAdmin(ctx, tx, userID); err != nil {
				return err
			}
		}
		for _, step := range deleteAccountSteps {
			if _, err := tx.Exec(ctx, step.sql, userID); err != nil {
				return fmt.Errorf("delete account: %s: %w", step.what, err)
			}
		}
		return insertEvent(ctx, tx, parley.Event{Payload: parley.UserDeleted{ID: userID}})
	})
}

// lastAdmin answers ECONFLICT when no other administrator would remain; one whose account
// is scheduled for erasure does not count, so two admins cannot each leave it to the other.
func lastAdmin(ctx context.Context, tx pgx.Tx, userID string) error {
	if _, err := tx.Exec(ctx, lastAdminLock); err != nil {
		return err
	}
	var others int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM users WHERE admin AND id <> $1 AND deletion_due_at IS NULL`, userID).Scan(&others); err != nil {
		return err
	}
	if others == 0 {
		return parley.Errorf(parley.ECONFLICT, "You are the last administrator; make someone else an administrator before deleting your account.")
	}
	return nil
}
