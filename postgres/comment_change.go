package postgres

import (
	"context"
	"encoding/json"
	"fmt"

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
// transaction (two statements, more when a changed status moves counts up the thread). The
// comment's row is locked only for that write, and the edit goes through only if the comment
// still has the version the draft was prepared against, so the draft's previous status is the
// one that stands.
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
				INSERT INTO comment_moderations (id, comment_id, action, decision, decided_by, trail, site_id)
				SELECT $10, $1, 'EDIT', $11, $12, $13, c.site_id FROM c WHERE $13::jsonb IS NOT NULL
			)
			SELECT * FROM c`,
			next.ID, next.Body, next.BodySource, string(next.Status), d.Version,
			newID(), previous.Body, previous.BodySource, written,
			newID(), decision, decidedBy, trail))
		if noRows(err) {
			// Another edit, a moderator's decision or a deletion came first.
			return errEditRaced
		} else if err != nil {
			return err
		}
		if c.Status != previous.Status {
			if err := restatus(ctx, tx, c, previous.Status); err != nil {
				return err
			}
		}
		return insertEvent(ctx, tx, parley.Event{SiteID: c.SiteID, StoryID: c.StoryID, Payload: parley.CommentEdited{
			CommentSnapshot: parley.SnapshotOf(c), PreviousStatus: previous.Status, DecidedBy: decidedBy}})
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// DeleteComment lets an author delete their comment; deleting their rejected comment is how
// an author dismisses it. A comment nobody else has seen (pending, with no reply) goes
// entirely; any other leaves a tombstone, without body or revisions, which stays in its
// thread as a placeholder while a reply below it shows. Deleting twice answers the tombstone
// again.
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
		if was == parley.StatusDeleted {
			return nil
		}
		// A pending comment with replies was published once (an edit of it is held): its
		// replies keep their thread, and a reply row of any status would go with it.
		gone := false
		if was == parley.StatusPending {
			res, err := tx.Exec(ctx, `
				DELETE FROM comments c WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM comments r WHERE r.parent_id = c.id)`, c.ID)
			if err != nil {
				return err
			}
			gone = res.RowsAffected() == 1
		}
		if gone {
			now := s.db.now()
			c.Status, c.Body, c.BodySource, c.DeletedAt = parley.StatusDeleted, "", "", &now
		} else {
			if _, err := tx.Exec(ctx, `DELETE FROM comment_revisions WHERE comment_id = $1`, c.ID); err != nil {
				return err
			}
			c, err = scanComment(tx.QueryRow(ctx, `
				UPDATE comments SET status = 'DELETED', body = '', body_source = '', deleted_at = now(), version = version + 1
				WHERE id = $1 RETURNING `+commentColumns, c.ID))
			if err != nil {
				return err
			}
			if err := restatus(ctx, tx, c, was); err != nil {
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
