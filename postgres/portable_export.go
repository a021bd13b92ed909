package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley"
)

// SiteMoveStore implements parley.SiteExportStore and parley.SiteImportStore: it reads a
// whole site in one snapshot and writes a site file's records keyed by their IDs.
type SiteMoveStore struct {
	db      *DB
	imports *ImportStore
}

// NewSiteMoveStore returns a SiteMoveStore on db.
func NewSiteMoveStore(db *DB) *SiteMoveStore {
	return &SiteMoveStore{db: db, imports: NewImportStore(db)}
}

var (
	_ parley.SiteExportStore = (*SiteMoveStore)(nil)
	_ parley.SiteImportStore = (*SiteMoveStore)(nil)
)

// sectionQueries read each section of parley.SiteSections for site $1, each in an order that
// lets an import write a record once the records it refers to are written: comments by depth,
// so a parent always comes before its replies.
var sectionQueries = map[string]string{
	"users": `
		WITH part AS (
			SELECT author_id AS id FROM comments WHERE site_id = $1 AND author_id IS NOT NULL
			UNION SELECT r.user_id FROM reactions r JOIN comments c ON c.id = r.comment_id WHERE c.site_id = $1
			UNION SELECT r.user_id FROM reports r JOIN comments c ON c.id = r.comment_id WHERE c.site_id = $1
			UNION SELECT user_id FROM site_roles WHERE site_id = $1
			UNION SELECT user_id FROM user_sanctions WHERE site_id = $1
			UNION SELECT moderator_id FROM user_sanctions WHERE site_id = $1 AND moderator_id IS NOT NULL
			UNION SELECT user_id FROM user_notes WHERE site_id = $1
			UNION SELECT moderator_id FROM user_notes WHERE site_id = $1 AND moderator_id IS NOT NULL
			UNION SELECT user_id FROM trust_levels WHERE site_id = $1
		)
		SELECT u.id, u.username, coalesce(u.guest_name, ''), coalesce(u.email, u.guest_email, ''),
			u.email_verified_at IS NOT NULL, u.password_hash, coalesce(sr.role, ''), u.guest,
			CASE WHEN u.sso_site_id = $1 THEN coalesce(u.sso_subject, '') ELSE '' END, u.created_at,
			u.deletion_due_at, u.deletion_removes_comments
		FROM users u JOIN part ON part.id = u.id LEFT JOIN site_roles sr ON sr.site_id = $1 AND sr.user_id = u.id
		ORDER BY u.id`,
	"stories": `SELECT id, url, title, closed, moderation, created_at FROM stories WHERE site_id = $1 ORDER BY id`,
	"comments": `
		SELECT id, story_id, coalesce(parent_id::text, ''), coalesce(author_id::text, ''), body, body_source, status,
			featured, version, created_at, edited_at, deleted_at, moderated_at
		FROM comments WHERE site_id = $1 ORDER BY depth, created_at, id`,
	"revisions": `
		SELECT r.id, r.comment_id, r.body, r.body_source, r.created_at
		FROM comment_revisions r JOIN comments c ON c.id = r.comment_id WHERE c.site_id = $1 ORDER BY r.id`,
	"reactions": `
		SELECT r.comment_id, r.user_id, r.kind, r.created_at
		FROM reactions r JOIN comments c ON c.id = r.comment_id WHERE c.site_id = $1 ORDER BY r.comment_id, r.user_id, r.kind`,
	"reports": `
		SELECT r.id, r.comment_id, r.user_id, r.reason, r.details, r.weight, r.created_at
		FROM reports r JOIN comments c ON c.id = r.comment_id WHERE c.site_id = $1 ORDER BY r.id`,
	"sanctions": `
		SELECT id, user_id, kind, message, coalesce(moderator_id::text, ''), created_at, expires_at, revoked_at, acknowledged_at
		FROM user_sanctions WHERE site_id = $1 ORDER BY id`,
	"notes":       `SELECT id, user_id, coalesce(moderator_id::text, ''), body, created_at FROM user_notes WHERE site_id = $1 ORDER BY id`,
	"wordLists":   `SELECT kind, terms, term_count, version, updated_at FROM word_lists WHERE site_id = $1 ORDER BY kind`,
	"trustLevels": `SELECT user_id, level, pinned, promoted_at FROM trust_levels WHERE site_id = $1 ORDER BY user_id`,
	"rules": `
		SELECT h.rule_id, h.name, h.version, h.retired,
			(SELECT json_agg(json_build_object('version', v.version, 'name', v.name, 'expression', v.expression,
				'effect', v.effect, 'shadow', v.shadow, 'retired', v.retired, 'proposalID', v.proposal_id,
				'enactedAt', v.enacted_at) ORDER BY v.version) FROM rule_versions v WHERE v.rule_id = h.rule_id)
		FROM rule_heads h WHERE h.site_id = $1 ORDER BY h.rule_id`,
}

// sectionScans read one row of each section.
var sectionScans = map[string]func(pgx.Rows) (any, error){
	"users": func(r pgx.Rows) (any, error) {
		var u parley.PortableUser
		return u, r.Scan(&u.ID, &u.Username, &u.DisplayName, &u.Email, &u.EmailVerified, &u.PasswordHash, &u.Role, &u.Guest, &u.SSOSubject, &u.CreatedAt,
			&u.DeletionDueAt, &u.DeletionRemovesComments)
	},
	"stories": func(r pgx.Rows) (any, error) {
		var s parley.PortableStory
		return s, r.Scan(&s.ID, &s.URL, &s.Title, &s.Closed, &s.Moderation, &s.CreatedAt)
	},
	"comments": func(r pgx.Rows) (any, error) {
		var c parley.PortableComment
		return c, r.Scan(&c.ID, &c.StoryID, &c.ParentID, &c.AuthorID, &c.Body, &c.BodySource, &c.Status, &c.Featured, &c.Version,
			&c.CreatedAt, &c.EditedAt, &c.DeletedAt, &c.ModeratedAt)
	},
	"revisions": func(r pgx.Rows) (any, error) {
		var v parley.PortableRevision
		return v, r.Scan(&v.ID, &v.CommentID, &v.Body, &v.BodySource, &v.CreatedAt)
	},
	"reactions": func(r pgx.Rows) (any, error) {
		var v parley.PortableReaction
		return v, r.Scan(&v.CommentID, &v.UserID, &v.Kind, &v.CreatedAt)
	},
	"reports": func(r pgx.Rows) (any, error) {
		var v parley.PortableReport
		return v, r.Scan(&v.ID, &v.CommentID, &v.UserID, &v.Reason, &v.Details, &v.Weight, &v.CreatedAt)
	},
	"sanctions": func(r pgx.Rows) (any, error) {
		var v parley.PortableSanction
		return v, r.Scan(&v.ID, &v.UserID, &v.Kind, &v.Message, &v.ModeratorID, &v.CreatedAt, &v.ExpiresAt, &v.RevokedAt, &v.AcknowledgedAt)
	},
	"notes": func(r pgx.Rows) (any, error) {
		var v parley.PortableNote
		return v, r.Scan(&v.ID, &v.UserID, &v.ModeratorID, &v.Body, &v.CreatedAt)
	},
	"wordLists": func(r pgx.Rows) (any, error) {
		var v parley.PortableWordList
		return v, r.Scan(&v.Kind, &v.Terms, &v.TermCount, &v.Version, &v.UpdatedAt)
	},
	"trustLevels": func(r pgx.Rows) (any, error) {
		var v parley.PortableTrustLevel
		var pinned *int16
		var level int16
		err := r.Scan(&v.UserID, &level, &pinned, &v.PromotedAt)
		v.Level = int(level)
		if pinned != nil {
			p := int(*pinned)
			v.Pinned = &p
		}
		return v, err
	},
	"rules": func(r pgx.Rows) (any, error) {
		var v parley.PortableRule
		var versions []byte
		if err := r.Scan(&v.ID, &v.Name, &v.Version, &v.Retired, &versions); err != nil {
			return nil, err
		}
		if len(versions) > 0 {
			if err := json.Unmarshal(versions, &v.Versions); err != nil {
				return nil, err
			}
		}
		return v, nil
	},
}

// ExportSite reads the site and its sections in one read-only repeatable-read transaction:
// a site that keeps taking comments during the export comes out as it was at its start.
// Rows stream from the server as they are emitted.
func (s *SiteMoveStore) ExportSite(ctx context.Context, siteID string, site func(parley.PortableSite) error, emit func(string, any) error) error {
	if !parley.IsID(siteID) {
		return notFound("Site")
	}
	tx, err := s.db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return translate(err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	var ps parley.PortableSite
	var settings []byte
	err = tx.QueryRow(ctx, `SELECT id, name, allowed_origins, settings, sso_secret, created_at FROM sites WHERE id = $1`, siteID).
		Scan(&ps.ID, &ps.Name, &ps.AllowedOrigins, &settings, &ps.SSOSecret, &ps.CreatedAt)
	if err != nil {
		return translateNotFound(err, "Site")
	}
	ps.Settings = parley.DefaultSiteSettings()
	if err := json.Unmarshal(settings, &ps.Settings); err != nil {
		return err
	}
	if err := site(ps); err != nil {
		return err
	}
	for _, section := range parley.SiteSections {
		if err := exportSection(ctx, tx, siteID, section, emit); err != nil {
			return err
		}
	}
	return nil
}

func exportSection(ctx context.Context, tx pgx.Tx, siteID, section string, emit func(string, any) error) error {
	query, scan := sectionQueries[section], sectionScans[section]
	if query == "" || scan == nil {
		return fmt.Errorf("export: no query for section %q", section)
	}
	rows, err := tx.Query(ctx, query, siteID)
	if err != nil {
		return translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		rec, err := scan(rows)
		if err != nil {
			return fmt.Errorf("export %s: %w", section, err)
		}
		if err := emit(section, rec); err != nil {
			return err
		}
	}
	return translate(rows.Err())
}
