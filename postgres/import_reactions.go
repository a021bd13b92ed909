package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley"
)

// ImportReactions writes reactions to imported comments. A reaction is a row of its own key
// (comment, user, kind), so a second run adds nothing and needs no import key; the counts of
// the comments it reached grow by what was really added.
func (s *ImportStore) ImportReactions(ctx context.Context, siteID, source string, batch []parley.ImportReaction) (parley.ImportBatch, error) {
	var out parley.ImportBatch
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		out = parley.ImportBatch{}
		ids := make([]string, 0, len(batch))
		users := make([]parley.ImportAuthor, 0, len(batch))
		for _, r := range batch {
			ids = append(ids, r.CommentID)
			users = append(users, r.User)
		}
		rows, err := tx.Query(ctx, `SELECT external_id, local_id::text FROM import_keys
			WHERE site_id = $1 AND source = $2 AND kind = 'comment' AND external_id = ANY($3)`, siteID, source, ids)
		if err != nil {
			return err
		}
		comments := map[string]string{}
		for rows.Next() {
			var ext, id string
			if err := rows.Scan(&ext, &id); err != nil {
				rows.Close()
				return err
			}
			comments[ext] = id
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		accounts, err := importAuthors(ctx, tx, siteID, source, users)
		if err != nil {
			return err
		}
		var commentIDs, userIDs, kinds []string
		var created []time.Time
		for _, r := range batch {
			c, ok := comments[r.CommentID]
			if !ok {
				out.Orphans = append(out.Orphans, r.ExternalID)
				continue
			}
			u, _ := accounts[r.User.ExternalID].(string)
			if u == "" {
				continue // the importer names every reaction's user
			}
			commentIDs, userIDs, kinds, created = append(commentIDs, c), append(userIDs, u), append(kinds, r.Kind), append(created, r.CreatedAt)
		}
		if len(commentIDs) == 0 {
			return nil
		}
		return tx.QueryRow(ctx, `
			WITH added AS (
				INSERT INTO reactions (comment_id, user_id, kind, created_at)
				SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[])
				ON CONFLICT DO NOTHING
				RETURNING comment_id, kind
			), per_kind AS (
				INSERT INTO reaction_counts (comment_id, kind, count)
				SELECT comment_id, kind, count(*) FROM added GROUP BY comment_id, kind
				ON CONFLICT (comment_id, kind) DO UPDATE SET count = reaction_counts.count + excluded.count
			), per_comment AS (
				UPDATE comments c SET reaction_count = c.reaction_count + n.n
				FROM (SELECT comment_id, count(*)::int AS n FROM added GROUP BY comment_id) n WHERE c.id = n.comment_id
			)
			SELECT count(*)::int FROM added`, commentIDs, userIDs, kinds, created).Scan(&out.Imported)
	})
	if err != nil {
		return parley.ImportBatch{}, translate(err)
	}
	return out, nil
}
