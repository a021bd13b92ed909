package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley"
)

// EditComment replaces a comment's body within the site's edit window and keeps the old
// body as a revision.
func (s *CommentService) EditComment(ctx context.Context, in parley.EditCommentInput) (*parley.Comment, error) {
	u, err := requireUser(ctx)
	if err != nil {
		return nil, err
	}
	var c *parley.Comment
	err = s.db.inTx(ctx, func(tx pgx.Tx) error {
		c, err = findVisibleComment(ctx, tx, in.CommentID, true)
		if err != nil {
			return err
		}
		if c.AuthorID != u.ID {
			return parley.Errorf(parley.EFORBIDDEN, "You can only edit your own comments.")
		}
		switch c.Status {
		case parley.StatusDeleted:
			return parley.Errorf(parley.ENOTFOUND, "This comment was deleted.")
		case parley.StatusRejected:
			return parley.Errorf(parley.EFORBIDDEN, "A rejected comment can't be edited.")
		}
		story, settings, err := storyWithSettings(ctx, tx, c.StoryID)
		if err != nil {
			return err
		}
		if story.Closed {
			return parley.Errorf(parley.ECLOSED, "This story is closed; its comments can no longer be edited.")
		}
		if window := settings.EditWindow(); s.db.now().Sub(c.CreatedAt) > window {
			return parley.Errorf(parley.EFORBIDDEN, "Comments can be edited for %s after posting; this one can no longer be edited.", window)
		}
		body, err := parley.ValidateBody(in.Body, settings)
		if err != nil {
			return err
		}
		if body == c.BodySource {
			return nil
		}
		written := c.CreatedAt
		if c.EditedAt != nil {
			written = *c.EditedAt
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO comment_revisions (id, comment_id, body, body_source, created_at) VALUES ($1, $2, $3, $4, $5)`,
			newID(), c.ID, c.Body, c.BodySource, written); err != nil {
			return err
		}
		// An edit is judged like a new comment: an approved comment whose new text is held
		// or rejected leaves public view.
		previous := *c
		next := previous
		next.Body, next.BodySource = s.renderer.Render(body), body
		mod, err := s.moderate(ctx, tx, parley.ActionEdit, &next, story, settings, u, &previous)
		if err != nil {
			return err
		}
		if mod != nil {
			next.Status = mod.Decision.Status()
		}
		c, err = scanComment(tx.QueryRow(ctx, `
			UPDATE comments SET body = $2, body_source = $3, status = $4, edited_at = now() WHERE id = $1
			RETURNING `+commentColumns, c.ID, next.Body, next.BodySource, string(next.Status)))
		if err != nil {
			return err
		}
		if mod != nil {
			if err := recordModeration(ctx, tx, c.ID, parley.ActionEdit, mod); err != nil {
				return err
			}
		}
		if previous.Status != c.Status {
			if err := countComment(ctx, tx, &previous, -1); err != nil {
				return err
			}
			if err := countComment(ctx, tx, c, 1); err != nil {
				return err
			}
		}
		return insertEvent(ctx, tx, parley.Event{SiteID: c.SiteID, StoryID: c.StoryID, Payload: parley.CommentEdited{
			CommentSnapshot: parley.SnapshotOf(c), PreviousStatus: previous.Status, DecidedBy: deciderOf(mod)}})
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
				UPDATE comments SET status = 'DELETED', body = '', body_source = '', deleted_at = now()
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

// deciderOf names the stage whose verdict decided a submission, "" when none ran or all
// passed it; events carry it.
func deciderOf(mod *parley.Moderation) string {
	if mod == nil {
		return ""
	}
	return mod.DecidedBy
}
