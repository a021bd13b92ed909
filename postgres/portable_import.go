package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/parleyhq/parley"
)

// PrepareSiteImport makes the site when no site has its ID, or takes the file's settings into
// the empty site that has it; a site with stories another source wrote is refused.
func (s *SiteMoveStore) PrepareSiteImport(ctx context.Context, site parley.PortableSite, source string, create bool) error {
	settings, err := json.Marshal(site.Settings)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		if !create {
			if _, err := findSite(ctx, tx, site.ID, true); err != nil {
				return err
			}
		}
		tag, err := tx.Exec(ctx, `
			INSERT INTO sites (id, name, allowed_origins, settings, sso_secret, created_at) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (id) DO NOTHING`, site.ID, site.Name, site.AllowedOrigins, settings, site.SSOSecret, site.CreatedAt)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 1 {
			made := &parley.Site{ID: site.ID, Name: site.Name, AllowedOrigins: site.AllowedOrigins, Settings: site.Settings}
			return insertEvent(ctx, tx, parley.Event{SiteID: site.ID, Payload: parley.SiteCreatedOf(made)})
		}
		var foreign int
		if err := tx.QueryRow(ctx, `
			SELECT (SELECT count(*) FROM stories WHERE site_id = $1)
				- (SELECT count(*) FROM import_keys WHERE site_id = $1 AND source = $2 AND kind = 'thread')`,
			site.ID, source).Scan(&foreign); err != nil {
			return err
		}
		if foreign > 0 {
			return parley.Errorf(parley.ECONFLICT, "The site %s already has stories of its own: import into a new site or an empty one.", site.ID)
		}
		_, err = tx.Exec(ctx, `UPDATE sites SET settings = $2, sso_secret = CASE WHEN sso_secret = '' THEN $3 ELSE sso_secret END,
			updated_at = now() WHERE id = $1`, site.ID, settings, site.SSOSecret)
		return err
	})
}

// ImportSiteUsers finds or makes each account, then grants its site role.
func (s *SiteMoveStore) ImportSiteUsers(ctx context.Context, siteID string, users []parley.PortableUser) (map[string]string, error) {
	out := make(map[string]string, len(users))
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		clear(out)
		for _, u := range users {
			id, err := importSiteUser(ctx, tx, siteID, u)
			if err != nil {
				return fmt.Errorf("import user %s: %w", u.ID, err)
			}
			out[u.ID] = id
			if u.Role != "" && u.Role != parley.RoleAdmin {
				if _, err := tx.Exec(ctx, `INSERT INTO site_roles (site_id, user_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
					siteID, id, string(u.Role)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, translate(err)
	}
	return out, nil
}

// importSiteUser returns the account u becomes: the one with its ID (an earlier run made it),
// the one with its verified email when u may merge, or a new one, which keeps a scheduled
// erasure (an account joined to an existing one brings no schedule: its owner still has the
// account here). A new account whose
// username is taken gets a suffix; one whose email or sign-on subject is taken here goes
// without it, since only a verified match may join two accounts.
func importSiteUser(ctx context.Context, tx pgx.Tx, siteID string, u parley.PortableUser) (string, error) {
	var id string
	err := tx.QueryRow(ctx, `SELECT id::text FROM users WHERE id = $1`, u.ID).Scan(&id)
	if err == nil || !noRows(err) {
		return id, err
	}
	email := strings.TrimSpace(u.Email)
	if u.MergeByEmail && email != "" && !u.Guest {
		err := tx.QueryRow(ctx, `SELECT id::text FROM users WHERE lower(email) = lower($1) AND email_verified_at IS NOT NULL AND NOT guest`, email).Scan(&id)
		if err == nil || !noRows(err) {
			return id, err
		}
	}
	if u.Guest {
		_, err := tx.Exec(ctx, `INSERT INTO users (id, username, guest, guest_name, guest_email, created_at) VALUES ($1, $2, true, $3, $4, $5)`,
			u.ID, "guest:"+u.ID, u.DisplayName, nullString(email), u.CreatedAt)
		return u.ID, err
	}
	var taken bool
	if email != "" {
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE lower(email) = lower($1))`, email).Scan(&taken); err != nil {
			return "", err
		}
	}
	if taken || email == "" {
		email = ""
	}
	var ssoSite, ssoSubject any
	if u.SSOSubject != "" {
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE sso_site_id = $1 AND sso_subject = $2)`, siteID, u.SSOSubject).Scan(&taken); err != nil {
			return "", err
		}
		if !taken {
			ssoSite, ssoSubject = siteID, u.SSOSubject
		}
	}
	for attempt := 0; ; attempt++ {
		name := u.Username
		if attempt > 0 {
			sum := sha256.Sum256(fmt.Appendf(nil, "%s/%d", u.ID, attempt))
			name = truncateRunes(u.Username, parley.MaxUsernameLength-7) + "-" + hex.EncodeToString(sum[:3])
		}
		tag, err := tx.Exec(ctx, `
			INSERT INTO users (id, username, email, email_verified_at, password_hash, sso_site_id, sso_subject, created_at,
				deletion_requested_at, deletion_due_at, deletion_removes_comments)
			VALUES ($1, $2, $3, CASE WHEN $4 AND $3::text IS NOT NULL THEN now() END, $5, $6, $7, $8,
				CASE WHEN $9::timestamptz IS NOT NULL THEN now() END, $9, $10)
			ON CONFLICT (lower(username)) DO NOTHING`,
			u.ID, name, nullString(email), u.EmailVerified, u.PasswordHash, ssoSite, ssoSubject, u.CreatedAt, u.DeletionDueAt, u.DeletionRemovesComments)
		if err != nil {
			return "", err
		}
		if tag.RowsAffected() == 1 {
			return u.ID, nil
		}
		if attempt == 5 {
			return "", fmt.Errorf("no free username for %q", u.Username)
		}
	}
}

// ImportSiteRecords writes each section of b with INSERT … ON CONFLICT DO NOTHING, each row
// checked to belong to the site (its story, comment or user), in one transaction.
func (s *SiteMoveStore) ImportSiteRecords(ctx context.Context, siteID, source string, b parley.PortableBatch) (int, []string, error) {
	var written int
	var orphans []string
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		written, orphans = 0, nil
		batch := &pgx.Batch{}
		queue := func(sql string, args ...any) {
			batch.Queue(sql, args...).Exec(func(tag pgconn.CommandTag) error {
				written += int(tag.RowsAffected())
				return nil
			})
		}
		for _, st := range b.Stories {
			queue(`INSERT INTO stories (id, site_id, url, title, closed, moderation, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
				ON CONFLICT DO NOTHING`, st.ID, siteID, st.URL, st.Title, st.Closed, orDefault(st.Moderation, "SITE"), st.CreatedAt)
			batch.Queue(`INSERT INTO import_keys (site_id, source, kind, external_id, local_id)
				SELECT $1, $2, 'thread', $3, $4 WHERE EXISTS (SELECT 1 FROM stories WHERE id = $4 AND site_id = $1)
				ON CONFLICT DO NOTHING`, siteID, source, st.ID, st.ID)
		}
		var err error
		if orphans, err = queueComments(ctx, tx, siteID, b.Comments, queue); err != nil {
			return err
		}
		for _, r := range b.Revisions {
			queue(`INSERT INTO comment_revisions (id, comment_id, body, body_source, created_at)
				SELECT $1, $2, $3, $4, $5 WHERE EXISTS (SELECT 1 FROM comments WHERE id = $2 AND site_id = $6)
				ON CONFLICT DO NOTHING`, r.ID, r.CommentID, r.Body, r.BodySource, r.CreatedAt, siteID)
		}
		for _, r := range b.Reactions {
			queue(`INSERT INTO reactions (comment_id, user_id, kind, created_at)
				SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM comments WHERE id = $1 AND site_id = $5)
					AND EXISTS (SELECT 1 FROM users WHERE id = $2)
				ON CONFLICT DO NOTHING`, r.CommentID, r.UserID, r.Kind, r.CreatedAt, siteID)
		}
		for _, r := range b.Reports {
			queue(`INSERT INTO reports (id, comment_id, user_id, reason, details, weight, created_at)
				SELECT $1, $2, $3, $4, $5, $6, $7 WHERE EXISTS (SELECT 1 FROM comments WHERE id = $2 AND site_id = $8)
					AND EXISTS (SELECT 1 FROM users WHERE id = $3)
				ON CONFLICT DO NOTHING`, r.ID, r.CommentID, r.UserID, r.Reason, r.Details, r.Weight, r.CreatedAt, siteID)
		}
		for _, r := range b.Sanctions {
			queue(`INSERT INTO user_sanctions (id, user_id, site_id, kind, message, moderator_id, created_at, expires_at, revoked_at, acknowledged_at)
				SELECT $1, $2, $3, $4, $5, (SELECT id FROM users WHERE id = $6::uuid), $7, $8, $9, $10
				WHERE EXISTS (SELECT 1 FROM users WHERE id = $2)
				ON CONFLICT DO NOTHING`, r.ID, r.UserID, siteID, r.Kind, r.Message, nullString(r.ModeratorID), r.CreatedAt, r.ExpiresAt, r.RevokedAt, r.AcknowledgedAt)
		}
		for _, r := range b.Notes {
			queue(`INSERT INTO user_notes (id, user_id, site_id, moderator_id, body, created_at)
				SELECT $1, $2, $3, (SELECT id FROM users WHERE id = $4::uuid), $5, $6
				WHERE EXISTS (SELECT 1 FROM users WHERE id = $2)
				ON CONFLICT DO NOTHING`, r.ID, r.UserID, siteID, nullString(r.ModeratorID), r.Body, r.CreatedAt)
		}
		for _, w := range b.WordLists {
			// The file holds the list whole: a second run writes the same list again.
			queue(`INSERT INTO word_lists (site_id, kind, terms, term_count, version, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
				ON CONFLICT (site_id, kind) DO UPDATE SET terms = excluded.terms, term_count = excluded.term_count,
					version = excluded.version, updated_at = excluded.updated_at
				WHERE word_lists.version <> excluded.version`, siteID, string(w.Kind), w.Terms, w.TermCount, w.Version, w.UpdatedAt)
		}
		for _, r := range b.Rules {
			queue(`INSERT INTO rule_heads (rule_id, site_id, name, version, retired) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
				r.ID, siteID, r.Name, r.Version, r.Retired)
			for _, v := range r.Versions {
				batch.Queue(`INSERT INTO rule_versions (rule_id, version, site_id, name, expression, effect, shadow, retired, proposal_id, enacted_at)
					SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10 WHERE EXISTS (SELECT 1 FROM rule_heads WHERE rule_id = $1 AND site_id = $3)
					ON CONFLICT DO NOTHING`, r.ID, v.Version, siteID, v.Name, v.Expression, []byte(v.Effect), v.Shadow, v.Retired, v.ProposalID, v.EnactedAt)
			}
		}
		for _, t := range b.TrustLevels {
			queue(`INSERT INTO trust_levels (site_id, user_id, level, pinned, promoted_at)
				SELECT $1, $2, $3, $4, $5 WHERE EXISTS (SELECT 1 FROM users WHERE id = $2)
				ON CONFLICT DO NOTHING`, siteID, t.UserID, t.Level, t.Pinned, t.PromotedAt)
		}
		if batch.Len() == 0 {
			return nil
		}
		return tx.SendBatch(ctx, batch).Close()
	})
	if err != nil {
		return 0, nil, translate(err)
	}
	return written, orphans, nil
}

// queueComments queues the batch's comments, each placed under its parent (found earlier in
// the batch or written before on the site); a reply whose parent is neither is left out.
func queueComments(ctx context.Context, tx pgx.Tx, siteID string, comments []parley.PortableComment, queue func(string, ...any)) ([]string, error) {
	var parentIDs []string
	for _, c := range comments {
		if c.ParentID != "" {
			parentIDs = append(parentIDs, c.ParentID)
		}
	}
	parents := map[string]placed{}
	if len(parentIDs) > 0 {
		rows, err := tx.Query(ctx, `SELECT id::text, root_id::text, depth FROM comments WHERE id = ANY($1::uuid[]) AND site_id = $2`, parentIDs, siteID)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var p placed
			if err := rows.Scan(&p.id, &p.rootID, &p.depth); err != nil {
				rows.Close()
				return nil, err
			}
			parents[p.id] = p
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	var orphans []string
	for _, c := range comments {
		p := placed{id: c.ID, rootID: c.ID}
		var parentID any
		if c.ParentID != "" {
			parent, ok := parents[c.ParentID]
			if !ok {
				orphans = append(orphans, c.ID)
				continue
			}
			p.rootID, p.depth, parentID = parent.rootID, parent.depth+1, c.ParentID
		}
		parents[c.ID] = p
		queue(`INSERT INTO comments (id, story_id, site_id, author_id, parent_id, root_id, depth, body, body_source, status,
				featured, version, created_at, edited_at, deleted_at, moderated_at)
			SELECT $1, $2, $3, (SELECT id FROM users WHERE id = $4::uuid), $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16
			WHERE EXISTS (SELECT 1 FROM stories WHERE id = $2 AND site_id = $3)
			ON CONFLICT DO NOTHING`, c.ID, c.StoryID, siteID, nullString(c.AuthorID), parentID, p.rootID, p.depth, c.Body, c.BodySource,
			string(c.Status), c.Featured, max(c.Version, 1), c.CreatedAt, c.EditedAt, c.DeletedAt, c.ModeratedAt)
	}
	return orphans, nil
}

// FinishImport recounts what the source's runs wrote: replies and story counts as package
// importer's runs do, then the reactions and reports of the site's comments. It writes no
// import.completed event: a moved site brings its trust levels with it rather than having
// them recounted, and its pages were empty (or not yet served) before the move.
func (s *SiteMoveStore) FinishImport(ctx context.Context, siteID, source string) error {
	if err := s.imports.FinishImport(ctx, siteID, source, parley.ImportDone{}); err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `
			INSERT INTO reaction_counts (comment_id, kind, count)
			SELECT r.comment_id, r.kind, count(*) FROM reactions r JOIN comments c ON c.id = r.comment_id
			WHERE c.site_id = $1 GROUP BY r.comment_id, r.kind
			ON CONFLICT (comment_id, kind) DO UPDATE SET count = excluded.count`, siteID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `
			UPDATE comments c SET reaction_count = coalesce(x.reactions, 0), report_count = coalesce(x.reports, 0),
				reported_at = CASE WHEN coalesce(x.reports, 0) > 0 THEN coalesce(c.reported_at, x.last_report) END
			FROM (SELECT c2.id,
					(SELECT count(*) FROM reactions r WHERE r.comment_id = c2.id) AS reactions,
					(SELECT count(*) FROM reports r WHERE r.comment_id = c2.id) AS reports,
					(SELECT max(created_at) FROM reports r WHERE r.comment_id = c2.id) AS last_report
				FROM comments c2 WHERE c2.site_id = $1) x
			WHERE c.id = x.id AND (c.reaction_count <> coalesce(x.reactions, 0) OR c.report_count <> coalesce(x.reports, 0))`, siteID)
		return err
	})
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
