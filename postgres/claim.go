package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley"
)

// ClaimStore implements parley.ClaimStore.
type ClaimStore struct{ db *DB }

// NewClaimStore returns a ClaimStore on db.
func NewClaimStore(db *DB) *ClaimStore { return &ClaimStore{db: db} }

var _ parley.ClaimStore = (*ClaimStore)(nil)

// claimSources selects the accounts whose comments an address claims: imported authors kept
// with that address whose accounts nobody signs in to, and guests who gave it. Each half is
// an index probe (import_keys_email_idx, users_guest_email_idx).
const claimSources = `
	SELECT k.local_id AS id FROM import_keys k JOIN users u ON u.id = k.local_id
	WHERE lower(k.email) = $2 AND k.kind = 'author' AND k.email <> '' AND k.local_id <> $1
		AND u.password_hash = '' AND u.email IS NULL AND NOT u.guest AND u.sso_site_id IS NULL
	UNION
	SELECT id FROM users WHERE guest_email = $2 AND guest`

// ClaimableComments implements parley.ClaimStore.
func (s *ClaimStore) ClaimableComments(ctx context.Context, userID, email string) (parley.ClaimSummary, error) {
	var out parley.ClaimSummary
	err := s.db.pool.QueryRow(ctx, `
		WITH src AS (`+claimSources+`)
		SELECT count(*) FILTER (WHERE NOT u.guest)::int, count(*) FILTER (WHERE u.guest)::int
		FROM comments c JOIN users u ON u.id = c.author_id WHERE c.author_id IN (SELECT id FROM src)`, userID, email).Scan(&out.Imported, &out.Guest)
	out.Total = out.Imported + out.Guest
	return out, translate(err)
}

// claimedSite is what a claim moved on one site, for its event.
type claimedSite struct {
	ev      parley.CommentsClaimed
	stories map[string]int
}

// ClaimComments implements parley.ClaimStore.
func (s *ClaimStore) ClaimComments(ctx context.Context, userID, email string) (parley.ClaimSummary, error) {
	var out parley.ClaimSummary
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		out = parley.ClaimSummary{}
		// The account's row is locked, so its address cannot change under the claim and two
		// claims of the same reader run one after the other.
		var current string
		var verified bool
		if err := tx.QueryRow(ctx, `SELECT lower(coalesce(email, '')), email_verified_at IS NOT NULL FROM users WHERE id = $1 FOR UPDATE`,
			userID).Scan(&current, &verified); err != nil {
			return translateNotFound(err, "User")
		}
		if current != email || !verified {
			return parley.Errorf(parley.ECONFLICT, "Your email address changed or is no longer verified; verify it and claim again.")
		}
		rows, err := tx.Query(ctx, claimSources, userID, email)
		if err != nil {
			return err
		}
		sources, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil || len(sources) == 0 {
			return err
		}
		rows, err = tx.Query(ctx, `
			UPDATE comments c SET author_id = $1 FROM users u
			WHERE u.id = c.author_id AND c.author_id = ANY($2)
			RETURNING c.site_id::text, c.story_id::text, c.status, u.guest`, userID, sources)
		if err != nil {
			return err
		}
		sites := map[string]*claimedSite{}
		for rows.Next() {
			var site, story, status string
			var guest bool
			if err := rows.Scan(&site, &story, &status, &guest); err != nil {
				rows.Close()
				return err
			}
			cs := sites[site]
			if cs == nil {
				cs = &claimedSite{ev: parley.CommentsClaimed{UserID: userID}, stories: map[string]int{}}
				sites[site] = cs
			}
			cs.ev.Comments++
			cs.stories[story]++
			switch parley.CommentStatus(status) {
			case parley.StatusPublished:
				cs.ev.Published++
			case parley.StatusRejected:
				cs.ev.Rejected++
			}
			if guest {
				out.Guest++
			} else {
				out.Imported++
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		out.Total = out.Imported + out.Guest
		// Reactions of the imported authors move too, one per comment and kind, never onto
		// one the reader already made; the counts do not change.
		if _, err := tx.Exec(ctx, `
			UPDATE reactions r SET user_id = $1
			FROM (SELECT DISTINCT ON (comment_id, kind) comment_id, kind, user_id FROM reactions
				WHERE user_id = ANY($2) ORDER BY comment_id, kind, user_id) one
			WHERE r.comment_id = one.comment_id AND r.kind = one.kind AND r.user_id = one.user_id
				AND NOT EXISTS (SELECT 1 FROM reactions x WHERE x.comment_id = r.comment_id AND x.kind = r.kind AND x.user_id = $1)`,
			userID, sources); err != nil {
			return err
		}
		// A later import of the same author writes to the reader's account, and the address
		// claims nothing twice.
		if _, err := tx.Exec(ctx, `UPDATE import_keys SET local_id = $1, email = '' WHERE kind = 'author' AND local_id = ANY($2)`,
			userID, sources); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET guest_email = NULL WHERE id = ANY($1) AND guest`, sources); err != nil {
			return err
		}
		for site, cs := range sites {
			for _, ev := range claimedEvents(cs) {
				if err := insertEvent(ctx, tx, parley.Event{SiteID: site, Payload: ev}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return parley.ClaimSummary{}, translate(err)
	}
	return out, nil
}

// claimedEvents tells one site's claim in events listing at most MaxEventEntries stories;
// the counts are the site's and are repeated in each.
func claimedEvents(cs *claimedSite) []parley.CommentsClaimed {
	done := parley.ImportDone{Stories: cs.stories}
	var out []parley.CommentsClaimed
	for _, part := range parley.ImportCompletedParts("", "", done) {
		ev := cs.ev
		ev.Stories = part.Stories
		out = append(out, ev)
	}
	return out
}
