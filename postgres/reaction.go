package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley"
)

// ReactionService implements parley.ReactionService.
type ReactionService struct{ db *DB }

// NewReactionService returns a ReactionService on db.
func NewReactionService(db *DB) *ReactionService { return &ReactionService{db: db} }

// AddReaction records the caller's reaction; reacting twice with one kind changes nothing.
func (s *ReactionService) AddReaction(ctx context.Context, commentID, kind string) (*parley.Comment, error) {
	return s.react(ctx, commentID, kind, true)
}

// RemoveReaction takes the caller's reaction back; removing one never given changes nothing.
func (s *ReactionService) RemoveReaction(ctx context.Context, commentID, kind string) (*parley.Comment, error) {
	return s.react(ctx, commentID, kind, false)
}

func (s *ReactionService) react(ctx context.Context, commentID, kind string, add bool) (*parley.Comment, error) {
	u, err := requireUser(ctx)
	if err != nil {
		return nil, err
	}
	var c *parley.Comment
	err = s.db.inTx(ctx, func(tx pgx.Tx) error {
		c, err = findVisibleComment(ctx, tx, commentID, false)
		if err != nil {
			return err
		}
		if c.Status != parley.StatusPublished {
			return parley.FieldErrorf("commentID", "Only published comments take reactions.")
		}
		if c.AuthorID == u.ID {
			return parley.Errorf(parley.EFORBIDDEN, "You can't react to your own comment.")
		}
		settings, err := siteSettings(ctx, tx, c.SiteID)
		if err != nil {
			return err
		}
		if !settings.HasReactionKind(kind) {
			return parley.FieldErrorf("kind", "This site has no %q reaction.", kind)
		}
		var tag string
		var delta int
		if add {
			tag, delta = `INSERT INTO reactions (comment_id, user_id, kind) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, 1
		} else {
			tag, delta = `DELETE FROM reactions WHERE comment_id = $1 AND user_id = $2 AND kind = $3`, -1
		}
		res, err := tx.Exec(ctx, tag, c.ID, u.ID, kind)
		if err != nil || res.RowsAffected() == 0 {
			return err
		}
		count := `INSERT INTO reaction_counts (comment_id, kind, count) VALUES ($1, $2, 1)
			ON CONFLICT (comment_id, kind) DO UPDATE SET count = reaction_counts.count + 1`
		if !add {
			count = `UPDATE reaction_counts SET count = count - 1 WHERE comment_id = $1 AND kind = $2`
		}
		if _, err := tx.Exec(ctx, count, c.ID, kind); err != nil {
			return err
		}
		c, err = scanComment(tx.QueryRow(ctx, `
			UPDATE comments SET reaction_count = reaction_count + $2 WHERE id = $1 RETURNING `+commentColumns, c.ID, delta))
		if err != nil {
			return err
		}
		var event parley.EventPayload = parley.ReactionAdded{CommentID: c.ID, AuthorID: c.AuthorID, UserID: u.ID, ReactionKind: kind, ReactionCount: c.ReactionCount}
		if !add {
			event = parley.ReactionRemoved(event.(parley.ReactionAdded))
		}
		return insertEvent(ctx, tx, parley.Event{SiteID: c.SiteID, StoryID: c.StoryID, Payload: event})
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// ReactionCounts returns the non-zero counts per comment and kind, with whether the caller
// gave each, in one query.
func (s *ReactionService) ReactionCounts(ctx context.Context, commentIDs []string) (map[string][]parley.ReactionCount, error) {
	rows, err := s.db.pool.Query(ctx, `
		SELECT rc.comment_id, rc.kind, rc.count, r.user_id IS NOT NULL
		FROM reaction_counts rc
		LEFT JOIN reactions r ON r.comment_id = rc.comment_id AND r.kind = rc.kind AND r.user_id = $2
		WHERE rc.comment_id = ANY($1::uuid[]) AND rc.count > 0
		ORDER BY rc.comment_id, rc.kind`, validIDs(commentIDs), nullID(parley.UserIDFromContext(ctx)))
	if err != nil {
		return nil, translate(err)
	}
	out := map[string][]parley.ReactionCount{}
	var id string
	var rc parley.ReactionCount
	_, err = pgx.ForEachRow(rows, []any{&id, &rc.Kind, &rc.Count, &rc.ViewerReacted}, func() error {
		out[id] = append(out[id], rc)
		return nil
	})
	return out, translate(err)
}
