package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley"
)

// WordListStore keeps the sites' word lists; moderation.WordLists validates and compiles them.
type WordListStore struct{ db *DB }

// NewWordListStore returns a WordListStore on db.
func NewWordListStore(db *DB) *WordListStore { return &WordListStore{db: db} }

// SaveWordList replaces a site's list of a kind; for the site's moderators.
func (s *WordListStore) SaveWordList(ctx context.Context, l *parley.WordList) (*parley.WordList, error) {
	if err := requireModeratorOf(ctx, s.db.pool, l.SiteID); err != nil || l.SiteID == "" {
		if err == nil {
			err = parley.FieldErrorf("siteID", "Say which site the list is for.")
		}
		return nil, translate(err)
	}
	out := *l
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `
			INSERT INTO word_lists (site_id, kind, terms, term_count, version, updated_by) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (site_id, kind) DO UPDATE SET terms = excluded.terms, term_count = excluded.term_count,
				version = excluded.version, updated_by = excluded.updated_by, updated_at = now()
			RETURNING updated_at`, l.SiteID, string(l.Kind), l.Terms, l.TermCount, l.Version, nullID(parley.UserIDFromContext(ctx))).
			Scan(&out.UpdatedAt); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			UPDATE sites SET settings = jsonb_set(settings, '{wordListVersions}',
				coalesce(settings->'wordListVersions', '{}') || jsonb_build_object($2::text, $3::text)), updated_at = now()
			WHERE id = $1`, l.SiteID, string(l.Kind), l.Version); err != nil {
			return err
		}
		return insertEvent(ctx, tx, parley.Event{SiteID: l.SiteID,
			Payload: parley.WordListChanged{WordList: l.Kind, Version: l.Version, TermCount: l.TermCount}})
	})
	return &out, err
}

// FindWordLists returns a site's lists; for the site's moderators.
func (s *WordListStore) FindWordLists(ctx context.Context, siteID string) ([]*parley.WordList, error) {
	if err := requireModeratorOf(ctx, s.db.pool, siteID); err != nil || siteID == "" {
		if err == nil {
			err = parley.FieldErrorf("siteID", "Say which site.")
		}
		return nil, translate(err)
	}
	rows, err := s.db.pool.Query(ctx, `
		SELECT site_id, kind, terms, term_count, version, updated_at FROM word_lists WHERE site_id = $1 ORDER BY kind`, siteID)
	if err != nil {
		return nil, translate(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*parley.WordList, error) {
		var l parley.WordList
		var kind string
		err := r.Scan(&l.SiteID, &kind, &l.Terms, &l.TermCount, &l.Version, &l.UpdatedAt)
		l.Kind = parley.WordListKind(kind)
		return &l, err
	})
	return out, translate(err)
}

// WordListTerms returns a list's text and version, for compiling; no role is checked.
func (s *WordListStore) WordListTerms(ctx context.Context, siteID string, kind parley.WordListKind) (string, string, error) {
	var terms, version string
	err := s.db.pool.QueryRow(ctx, `SELECT terms, version FROM word_lists WHERE site_id = $1 AND kind = $2`, siteID, string(kind)).Scan(&terms, &version)
	return terms, version, translateNotFound(err, "Word list")
}
