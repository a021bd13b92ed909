package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley"
)

// EditComment replaces a comment's body within the site's edit window and keeps the old
// body as a revision, applying no moderation: it is PrepareEdit and UpdateComment with no
// pipeline between them.
func (s *CommentService) EditComment(ctx context.Context, in parley.EditCommentInput) (*parley.Comment, error) {
	d, err := s.PrepareEdit(ctx, in)
	if err != nil {
		return nil, err
	}
	if d.Unchanged() {
		return d.Previous, nil
	}
	return s.UpdateComment(ctx, d, nil)
}

// errEditRaced answers an edit whose comment changed since the author saw it or since the
// edit was prepared for the pipeline.
var errEditRaced = parley.Errorf(parley.ECONFLICT,
	"This comment changed since you began to edit it: it was edited elsewhere, or a moderator decided on it. Reload it and edit again.")

// UpdateComment writes a prepared edit with the pipeline's outcome m (nil publishes it): the
// new body, the old one as a revision, the decision trail, the counters and the event, in one
// transaction of two statements. The comment's row is locked only for that write, and the
// edit goes through only if the comment still has the version the draft was prepared against.
func (s *CommentService) UpdateComment(ctx context.Context, d *parley.Draft, m *parley.Moderation) (*parley.Comment, error) {
	if d.Action != parley.ActionEdit || d.Comment == nil || d.Previous == nil {
		return nil, fmt.Errorf("postgres: UpdateComment needs a draft of an edit, not %q", d.Action)
	}
	previous, next := d.Previous, *d.Comment
	var decision, decidedBy string
	var trail []byte
	if m != nil {
		var err error
		next.Status, decision, decidedBy = m.Decision.Status(), string(m.Decision), m.DecidedBy
		if trail, err = json.Marshal(m.Trail); err != nil {
			return nil, err
		}
	}
	written := previous.CreatedAt
	if previous.EditedAt != nil {
		written = *previous.EditedAt
	}
	// What the status change does to the counters, as countComment would do it; the version
	// check makes the draft's previous status the one that stands.
	counts := func(st parley.CommentStatus) (story, reply int) {
		if st == parley.StatusPublished {
			story = 1
		}
		if previous.ParentID != "" && (st == parley.StatusPublished || st == parley.StatusDeleted) {
			reply = 1
		}
		return story, reply
	}
	wasStory, wasReply := counts(previous.Status)
	nowStory, nowReply := counts(next.Status)
	var c *parley.Comment
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		c, err = scanComment(tx.QueryRow(ctx, `
			WITH c AS (
				UPDATE comments SET body = $2, body_source = $3, status = $4, edited_at = now(), version = version + 1
				WHERE id = $1 AND version = $5
				RETURNING `+commentColumns+`
			), revision AS (
				INSERT INTO comment_revisions (id, comment_id, body, body_source, created_at)
				SELECT $6, $1, $7, $8, $9 FROM c
			), moderated AS (
				INSERT INTO comment_moderations (id, comment_id, action, decision, decided_by, trail)
				SELECT $10, $1, 'EDIT', $11, $12, $13 FROM c WHERE $13::jsonb IS NOT NULL
			), counted AS (
				INSERT INTO story_comment_counts (story_id, shard, count)
				SELECT $14, $15, $16::int FROM c WHERE $16::int <> 0
				ON CONFLICT (story_id, shard) DO UPDATE SET count = story_comment_counts.count + excluded.count
			), replied AS (
				UPDATE comments SET reply_count = reply_count + $17::int
				WHERE id = $18 AND $17::int <> 0 AND EXISTS (SELECT 1 FROM c)
			)
			SELECT * FROM c`,
			next.ID, next.Body, next.BodySource, string(next.Status), d.Version,
			newID(), previous.Body, previous.BodySource, written,
			newID(), decision, decidedBy, trail,
			next.StoryID, rand.IntN(storyCountShards), nowStory-wasStory,
			nowReply-wasReply, nullID(next.ParentID)))
		if noRows(err) {
			// Another edit, a moderator's decision or a deletion came first.
			return errEditRaced
		} else if err != nil {
			return err
		}
		return insertEvent(ctx, tx, parley.Event{SiteID: c.SiteID, StoryID: c.StoryID, Payload: parley.CommentEdited{
			CommentSnapshot: parley.SnapshotOf(c), PreviousStatus: previous.Status, DecidedBy: decidedBy}})
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// DeleteComment lets an author delete their comment. A comment nobody else has seen (pending)
// goes entirely; any other leaves a tombstone, without body or revisions, that keeps its
// replies in place. Deleting twice answers the tombstone again.
func (s *CommentService) DeleteComment(ctx context.Context, id string) (*parley.Comment, error) {
	u, err := requireUser(ctx)
	if err != nil {
		return nil, err
	}
	var c *parley.Comment
	err = s.db.inTx(ctx, func(tx pgx.Tx) error {
		c, err = findVisibleComment(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if c.AuthorID != u.ID {
			return parley.Errorf(parley.EFORBIDDEN, "You can only delete your own comments.")
		}
		was := c.Status
		switch was {
		case parley.StatusDeleted:
			return nil
		case parley.StatusPending:
			if _, err := tx.Exec(ctx, `DELETE FROM comments WHERE id = $1`, c.ID); err != nil {
				return err
			}
			now := s.db.now()
			c.Status, c.Body, c.BodySource, c.DeletedAt = parley.StatusDeleted, "", "", &now
		default:
			if _, err := tx.Exec(ctx, `DELETE FROM comment_revisions WHERE comment_id = $1`, c.ID); err != nil {
				return err
			}
			c, err = scanComment(tx.QueryRow(ctx, `
				UPDATE comments SET status = 'DELETED', body = '', body_source = '', deleted_at = now(), version = version + 1
				WHERE id = $1 RETURNING `+commentColumns, c.ID))
			if err != nil {
				return err
			}
			if was == parley.StatusPublished {
				// The tombstone still counts as a reply; only the story's count drops.
				if err := countComment(ctx, tx, &parley.Comment{StoryID: c.StoryID, Status: was}, -1); err != nil {
					return err
				}
			} else if err := countComment(ctx, tx, &parley.Comment{ParentID: c.ParentID, Status: parley.StatusDeleted}, 1); err != nil {
				return err
			}
		}
		return insertEvent(ctx, tx, parley.Event{SiteID: c.SiteID, StoryID: c.StoryID, Payload: parley.CommentDeleted{
			ID: c.ID, StoryID: c.StoryID, SiteID: c.SiteID, AuthorID: c.AuthorID, PreviousStatus: was, DeletedAt: c.DeletedAt}})
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}
