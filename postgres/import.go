package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley"
)

// ImportStore implements parley.ImportStore: it writes what package importer read and
// decided, keyed so that nothing is written twice.
type ImportStore struct{ db *DB }

// NewImportStore returns an ImportStore on db.
func NewImportStore(db *DB) *ImportStore { return &ImportStore{db: db} }

var _ parley.ImportStore = (*ImportStore)(nil)

// ImportThreads finds each thread's story by its key, then by its URL, and makes the others,
// with their story.created events, in one transaction of a few statements.
func (s *ImportStore) ImportThreads(ctx context.Context, siteID, source string, threads []parley.ImportThread) (map[string]string, error) {
	out := make(map[string]string, len(threads))
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		ids := make([]string, 0, len(threads))
		for _, t := range threads {
			ids = append(ids, t.ExternalID)
		}
		rows, err := tx.Query(ctx, `
			SELECT k.external_id, s.id::text FROM import_keys k JOIN stories s ON s.id = k.local_id
			WHERE k.external_id = ANY($3) AND k.kind = 'thread' AND k.source = $2 AND k.site_id = $1`, siteID, source, ids)
		if err != nil {
			return err
		}
		for rows.Next() {
			var ext, id string
			if err := rows.Scan(&ext, &id); err != nil {
				rows.Close()
				return err
			}
			out[ext] = id
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		var newIDs, urls, titles []string
		var closed []bool
		var created []time.Time
		for _, t := range threads {
			if _, ok := out[t.ExternalID]; !ok {
				newIDs, urls, titles = append(newIDs, newID()), append(urls, t.URL), append(titles, t.Title)
				closed, created = append(closed, t.Closed), append(created, t.CreatedAt)
			}
		}
		if len(newIDs) == 0 {
			return nil
		}
		rows, err = tx.Query(ctx, `
			INSERT INTO stories (id, site_id, url, title, closed, created_at)
			SELECT id, $1, url, title, closed, created_at
			FROM unnest($2::uuid[], $3::text[], $4::text[], $5::bool[], $6::timestamptz[]) AS t (id, url, title, closed, created_at)
			ON CONFLICT (site_id, url) DO NOTHING
			RETURNING id::text, url, title, closed, created_at, updated_at`, siteID, newIDs, urls, titles, closed, created)
		if err != nil {
			return err
		}
		made, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (parley.StoryCreated, error) {
			st := parley.StoryCreated{SiteID: siteID, Moderation: parley.StoryModerationSite}
			return st, r.Scan(&st.ID, &st.URL, &st.Title, &st.Closed, &st.CreatedAt, &st.UpdatedAt)
		})
		if err != nil {
			return err
		}
		for _, st := range made {
			if err := insertEvent(ctx, tx, parley.Event{SiteID: siteID, StoryID: st.ID, Payload: st}); err != nil {
				return err
			}
		}
		rows, err = tx.Query(ctx, `SELECT url, id::text FROM stories WHERE site_id = $1 AND url = ANY($2)`, siteID, urls)
		if err != nil {
			return err
		}
		byURL := map[string]string{}
		for rows.Next() {
			var u, id string
			if err := rows.Scan(&u, &id); err != nil {
				rows.Close()
				return err
			}
			byURL[u] = id
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		var keyIDs, keyStories []string
		for _, t := range threads {
			if _, ok := out[t.ExternalID]; !ok && byURL[t.URL] != "" {
				out[t.ExternalID] = byURL[t.URL]
				keyIDs, keyStories = append(keyIDs, t.ExternalID), append(keyStories, byURL[t.URL])
			}
		}
		_, err = tx.Exec(ctx, `
			INSERT INTO import_keys (site_id, source, kind, external_id, local_id)
			SELECT $1, $2, 'thread', ext, story FROM unnest($3::text[], $4::uuid[]) AS k (ext, story)
			ON CONFLICT (site_id, source, kind, external_id) DO UPDATE SET local_id = excluded.local_id`, siteID, source, keyIDs, keyStories)
		return err
	})
	if err != nil {
		return nil, translateNotFound(err, "Site")
	}
	return out, nil
}

// placed is where an imported comment sits in its thread.
type placed struct {
	id, rootID string
	depth      int
}

// ImportComments writes the batch with COPY, after one query each for the keys already
// there, the parents imported before and the authors known. Each of those is an index probe
// per ID: the key's index starts with external_id (see migration 0019).
func (s *ImportStore) ImportComments(ctx context.Context, siteID, source string, batch []parley.ImportComment) (parley.ImportBatch, error) {
	var out parley.ImportBatch
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		out = parley.ImportBatch{}
		ids := make([]string, 0, len(batch))
		var parentIDs []string
		for _, c := range batch {
			ids = append(ids, c.ExternalID)
			if c.ParentID != "" {
				parentIDs = append(parentIDs, c.ParentID)
			}
		}
		seen, err := importedKeys(ctx, tx, siteID, source, ids)
		if err != nil {
			return err
		}
		parents := map[string]placed{}
		rows, err := tx.Query(ctx, `
			SELECT k.external_id, c.id, c.root_id, c.depth FROM import_keys k JOIN comments c ON c.id = k.local_id
			WHERE k.site_id = $1 AND k.source = $2 AND k.kind = 'comment' AND k.external_id = ANY($3)`, siteID, source, parentIDs)
		if err != nil {
			return err
		}
		for rows.Next() {
			var ext string
			var p placed
			if err := rows.Scan(&ext, &p.id, &p.rootID, &p.depth); err != nil {
				rows.Close()
				return err
			}
			parents[ext] = p
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		var wanted []parley.ImportAuthor
		for _, c := range batch {
			if !seen[c.ExternalID] {
				wanted = append(wanted, c.Author)
			}
		}
		authors, err := importAuthors(ctx, tx, siteID, source, wanted)
		if err != nil {
			return err
		}
		var comments, keys [][]any
		now := time.Now()
		for _, c := range batch {
			if seen[c.ExternalID] {
				out.Duplicates++
				continue
			}
			p := placed{id: newID()}
			p.rootID = p.id
			if c.ParentID != "" {
				parent, ok := parents[c.ParentID]
				if !ok {
					out.Orphans = append(out.Orphans, c.ExternalID)
					continue
				}
				p.rootID, p.depth = parent.rootID, parent.depth+1
			}
			var parentID, deletedAt any
			if c.ParentID != "" {
				parentID = parents[c.ParentID].id
			}
			if c.Status == parley.StatusDeleted {
				deletedAt = now
			}
			comments = append(comments, []any{p.id, c.StoryID, siteID, authors[c.Author.ExternalID], parentID, p.rootID, p.depth,
				c.Body, c.BodySource, string(c.Status), c.CreatedAt, deletedAt})
			keys = append(keys, []any{siteID, source, "comment", c.ExternalID, p.id})
			if out.Stories == nil {
				out.Stories = map[string]int{}
			}
			out.Stories[c.StoryID]++
			if a, ok := authors[c.Author.ExternalID].(string); ok && (c.Status == parley.StatusPublished || c.Status == parley.StatusRejected) {
				if out.Authors == nil {
					out.Authors = map[string]parley.AuthorComments{}
				}
				n := out.Authors[a]
				n.UserID = a
				if c.Status == parley.StatusPublished {
					n.Published++
				} else {
					n.Rejected++
				}
				out.Authors[a] = n
			}
			parents[c.ExternalID] = p
			seen[c.ExternalID] = true // a repeat later in the batch is a duplicate
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"comments"}, []string{"id", "story_id", "site_id", "author_id", "parent_id",
			"root_id", "depth", "body", "body_source", "status", "created_at", "deleted_at"}, pgx.CopyFromRows(comments)); err != nil {
			return fmt.Errorf("import comments: %w", err)
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"import_keys"}, []string{"site_id", "source", "kind", "external_id", "local_id"},
			pgx.CopyFromRows(keys)); err != nil {
			return fmt.Errorf("import keys: %w", err)
		}
		out.Imported = len(comments)
		return nil
	})
	if err != nil {
		return parley.ImportBatch{}, translate(err)
	}
	return out, nil
}

// importedKeys returns which of ids (comments) this source imported before.
func importedKeys(ctx context.Context, tx pgx.Tx, siteID, source string, ids []string) (map[string]bool, error) {
	rows, err := tx.Query(ctx, `SELECT external_id FROM import_keys
		WHERE site_id = $1 AND source = $2 AND kind = 'comment' AND external_id = ANY($3)`, siteID, source, ids)
	if err != nil {
		return nil, err
	}
	found, err := pgx.CollectRows(rows, pgx.RowTo[string])
	seen := make(map[string]bool, len(found))
	for _, id := range found {
		seen[id] = true
	}
	return seen, err
}

// importAuthors returns the account of every author given, making an unclaimed one (no
// password, no email; the email stays on the key) for each it has not seen.
func importAuthors(ctx context.Context, tx pgx.Tx, siteID, source string, list []parley.ImportAuthor) (map[string]any, error) {
	wanted := map[string]parley.ImportAuthor{}
	for _, a := range list {
		if a.ExternalID != "" {
			wanted[a.ExternalID] = a
		}
	}
	ids := make([]string, 0, len(wanted))
	for id := range wanted {
		ids = append(ids, id)
	}
	rows, err := tx.Query(ctx, `SELECT k.external_id, k.local_id FROM import_keys k JOIN users u ON u.id = k.local_id
		WHERE k.site_id = $1 AND k.source = $2 AND k.kind = 'author' AND k.external_id = ANY($3)`, siteID, source, ids)
	if err != nil {
		return nil, err
	}
	accounts := map[string]any{}
	for rows.Next() {
		var ext, id string
		if err := rows.Scan(&ext, &id); err != nil {
			rows.Close()
			return nil, err
		}
		accounts[ext] = id
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for ext, a := range wanted {
		if accounts[ext] != nil {
			continue
		}
		id := newID()
		base := importUsername(a.Name, ext)
		for attempt := 0; ; attempt++ {
			name := base
			if attempt > 0 {
				sum := sha256.Sum256([]byte(fmt.Sprintf("%s/%s/%s/%d", siteID, source, ext, attempt)))
				name = truncateRunes(base, parley.MaxUsernameLength-7) + "-" + hex.EncodeToString(sum[:3])
			}
			tag, err := tx.Exec(ctx, `INSERT INTO users (id, username) VALUES ($1, $2) ON CONFLICT DO NOTHING`, id, name)
			if err != nil {
				return nil, err
			}
			if tag.RowsAffected() == 1 {
				break
			}
			if attempt == 5 {
				return nil, fmt.Errorf("import author %q: no free username", ext)
			}
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO import_keys (site_id, source, kind, external_id, local_id, email) VALUES ($1, $2, 'author', $3, $4, $5)
			ON CONFLICT (site_id, source, kind, external_id) DO UPDATE SET local_id = excluded.local_id, email = excluded.email`,
			siteID, source, ext, id, strings.ToLower(strings.TrimSpace(a.Email))); err != nil {
			return nil, err
		}
		accounts[ext] = id
	}
	return accounts, nil
}

// importUsername makes a valid username from a display name: letters and digits kept,
// spaces as '_', the rest dropped; "imported" when nothing is left.
func importUsername(name, ext string) string {
	var b strings.Builder
	for _, r := range strings.TrimSpace(name) {
		switch {
		case (unicode.IsLetter(r) || unicode.IsDigit(r)) && !parley.IsInvisible(r), r == '_', r == '-', r == '.':
			b.WriteRune(r)
		case unicode.IsSpace(r):
			b.WriteRune('_')
		}
	}
	s := truncateRunes(b.String(), parley.MaxUsernameLength)
	if parley.ValidateUsername(s) != nil {
		sum := sha256.Sum256([]byte(ext))
		return "imported-" + hex.EncodeToString(sum[:3])
	}
	return s
}

func truncateRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// FinishImport recounts, 5,000 stories at a time, the reply counts (the replies that
// show to every reader, as migration 0014 defines them) and published-comment counts of every
// story the source's threads map to. Replies have no index by story, so each batch reads the
// comments table once: batches of 500 took 20 scans (90 s) after 200,000 comments.
func (s *ImportStore) FinishImport(ctx context.Context, siteID, source string, done parley.ImportDone) error {
	if err := s.recount(ctx, siteID, source); err != nil {
		return err
	}
	if done.Imported == 0 && done.Reactions == 0 {
		return nil
	}
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		for _, p := range parley.ImportCompletedParts(newID(), source, done) {
			if err := insertEvent(ctx, tx, parley.Event{SiteID: siteID, Payload: p}); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *ImportStore) recount(ctx context.Context, siteID, source string) error {
	after := "00000000-0000-0000-0000-000000000000"
	for {
		var stories []string
		rows, err := s.db.pool.Query(ctx, `SELECT DISTINCT local_id::text FROM import_keys
			WHERE site_id = $1 AND source = $2 AND kind = 'thread' AND local_id > $3 ORDER BY 1 LIMIT 5000`, siteID, source, after)
		if err == nil {
			stories, err = pgx.CollectRows(rows, pgx.RowTo[string])
		}
		if err != nil {
			return translate(err)
		}
		if len(stories) == 0 {
			return nil
		}
		after = stories[len(stories)-1]
		err = s.db.inTx(ctx, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `
				WITH RECURSIVE shown AS (
					SELECT id, parent_id FROM comments WHERE story_id = ANY($1) AND status = 'PUBLISHED'
					UNION
					SELECT p.id, p.parent_id FROM comments p JOIN shown s ON p.id = s.parent_id
				), counted AS (
					SELECT c.id, count(s.id)::int AS n FROM comments c LEFT JOIN shown s ON s.parent_id = c.id
					WHERE c.story_id = ANY($1) GROUP BY c.id
				)
				UPDATE comments c SET reply_count = counted.n FROM counted WHERE c.id = counted.id AND c.reply_count <> counted.n`, stories); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `DELETE FROM story_comment_counts WHERE story_id = ANY($1)`, stories); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `
				INSERT INTO story_comment_counts (story_id, shard, count)
				SELECT story_id, 0, count(*) FROM comments WHERE story_id = ANY($1) AND status = 'PUBLISHED' GROUP BY story_id`, stories)
			return err
		})
		if err != nil {
			return err
		}
	}
}
