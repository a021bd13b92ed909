package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley"
)

// SpamStore implements parley.SpamStore: one model per site, in two tables.
type SpamStore struct{ db *DB }

// NewSpamStore returns a SpamStore on db.
func NewSpamStore(db *DB) *SpamStore { return &SpamStore{db: db} }

var _ parley.SpamStore = (*SpamStore)(nil)

// Model reads the site's document counts and the counts of the given tokens, in one query.
func (s *SpamStore) Model(ctx context.Context, siteID string, tokens []string) (parley.SpamCounts, map[string]parley.SpamCounts, error) {
	var docs parley.SpamCounts
	counts := map[string]parley.SpamCounts{}
	rows, err := s.db.pool.Query(ctx, `
		SELECT d.spam, d.ham, t.token, coalesce(t.spam, 0), coalesce(t.ham, 0)
		FROM spam_docs d LEFT JOIN spam_tokens t ON t.site_id = d.site_id AND t.token = ANY($2)
		WHERE d.site_id = $1`, siteID, tokens)
	if err != nil {
		return docs, nil, translate(err)
	}
	var token *string
	var c parley.SpamCounts
	_, err = pgx.ForEachRow(rows, []any{&docs.Spam, &docs.Ham, &token, &c.Spam, &c.Ham}, func() error {
		if token != nil {
			counts[*token] = c
		}
		return nil
	})
	return docs, counts, translate(err)
}

// Train adds one document to a class, in one transaction.
func (s *SpamStore) Train(ctx context.Context, siteID string, tokens []string, isSpam bool) error {
	sp, ham := 0, 1
	if isSpam {
		sp, ham = 1, 0
	}
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `
			INSERT INTO spam_docs (site_id, spam, ham) VALUES ($1, $2, $3)
			ON CONFLICT (site_id) DO UPDATE SET spam = spam_docs.spam + excluded.spam, ham = spam_docs.ham + excluded.ham`,
			siteID, sp, ham); err != nil {
			return err
		}
		// Sorted by the primary key's order, so concurrent trainings lock rows in one order.
		_, err := tx.Exec(ctx, `
			INSERT INTO spam_tokens (site_id, token, spam, ham)
			SELECT $1, t, $3, $4 FROM (SELECT DISTINCT unnest($2::text[]) AS t ORDER BY 1) AS tokens
			ON CONFLICT (site_id, token) DO UPDATE SET spam = spam_tokens.spam + excluded.spam, ham = spam_tokens.ham + excluded.ham`,
			siteID, tokens, sp, ham)
		return err
	})
}
