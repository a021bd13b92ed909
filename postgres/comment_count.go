package postgres

import (
	"context"
	"math/rand/v2"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley"
)

// The counters a comment takes part in, kept in step with every change of status so that a
// count never needs to count rows:
//
//   - story_comment_counts sums, over a few shards, the story's published comments: what
//     Story.commentCount and storyCounts answer, the same for every reader;
//   - comments.reply_count counts the direct replies that show to every reader: the
//     published ones, and placeholders (replies readers may not read that stay in the thread
//     because a reply below them shows). A comment shows to every reader when it is
//     published or its reply_count is above zero, so a placeholder appearing or disappearing
//     moves its own parent's count in turn, up the thread.
//
// A reader's own pending and rejected comments, and the placeholders above them, show to that
// reader alone; reads add them (see comment_sight.go).

// storyCountShards is how many rows hold one story's comment count.
const storyCountShards = 16

// shared reports whether a comment with this status and reply count shows in its thread to
// every reader: as itself when published, as a placeholder while a reply below it shows.
func shared(status parley.CommentStatus, replyCount int) bool {
	return status == parley.StatusPublished || replyCount > 0
}

// restatus moves the counters that a change of a comment's status moves. c is the comment
// as the change left it, read under its row's lock so that its reply count is current; was
// is its status before the change.
func restatus(ctx context.Context, tx pgx.Tx, c *parley.Comment, was parley.CommentStatus) error {
	delta := 0
	if was == parley.StatusPublished {
		delta--
	}
	if c.Status == parley.StatusPublished {
		delta++
	}
	if delta != 0 {
		if err := countStory(ctx, tx, c.StoryID, delta); err != nil {
			return err
		}
	}
	return reshow(ctx, tx, c.ParentID, shared(was, c.SharedReplyCount), shared(c.Status, c.SharedReplyCount))
}

// countStory adds delta to a story's published-comment count, in a random shard.
func countStory(ctx context.Context, tx pgx.Tx, storyID string, delta int) error {
	_, err := tx.Exec(ctx, `
		INSERT INTO story_comment_counts (story_id, shard, count) VALUES ($1, $2, $3)
		ON CONFLICT (story_id, shard) DO UPDATE SET count = story_comment_counts.count + excluded.count`,
		storyID, rand.IntN(storyCountShards), delta)
	return err
}

// reshow tells the parent of a comment whose showing to every reader went from was to is:
// its reply count moves by one, and while that makes the parent itself appear or disappear
// as a placeholder, the walk goes on to the grandparent. Each step locks one row, always a
// comment's ancestor after the comment, and reads the parent as it stands under that lock.
func reshow(ctx context.Context, tx pgx.Tx, parentID string, was, is bool) error {
	for parentID != "" && was != is {
		delta := -1
		if is {
			delta = 1
		}
		var status string
		var count int
		if err := tx.QueryRow(ctx, `
			UPDATE comments SET reply_count = reply_count + $2 WHERE id = $1
			RETURNING status, reply_count, coalesce(parent_id::text, '')`, parentID, delta).Scan(&status, &count, &parentID); err != nil {
			return err
		}
		st := parley.CommentStatus(status)
		was, is = shared(st, count-delta), shared(st, count)
	}
	return nil
}

// recountThreads returns the SQL that sets the reply counts of every comment in the threads
// whose top-level comments the array roots names, from what the comments are rather than from
// what changed: a comment shows to every reader when it or a comment below it is published.
// Changes made in bulk (an account's deletion) use it rather than walking each comment's
// ancestors, and migration 0014 is the same statement over every thread.
func recountThreads(roots string) string {
	return `
	WITH RECURSIVE shown AS (
		SELECT id, parent_id FROM comments WHERE root_id = ANY(` + roots + `) AND status = 'PUBLISHED'
		UNION
		SELECT p.id, p.parent_id FROM comments p JOIN shown s ON p.id = s.parent_id
	), counted AS (
		SELECT c.id, count(s.id)::int AS n
		FROM comments c LEFT JOIN shown s ON s.parent_id = c.id
		WHERE c.root_id = ANY(` + roots + `)
		GROUP BY c.id
	)
	UPDATE comments c SET reply_count = counted.n
	FROM counted WHERE c.id = counted.id AND c.reply_count <> counted.n`
}
