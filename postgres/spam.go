package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/moderation/spam"
)

// SpamStore implements spam.Store: one model per site, in two tables.
type SpamStore struct{ db *DB }

// NewSpamStore returns a SpamStore on db.
func NewSpamStore(db *DB) *SpamStore { return &SpamStore{db: db} }

var _ spam.Store = (*SpamStore)(nil)

// Model reads the site's document counts and the counts of the given tokens.
func (s *SpamStore) Model(ctx context.Context, siteID string, tokens []string) (spam.Counts, map[string]spam.Counts, error) {
	var docs spam.Counts
	err := s.db.pool.QueryRow(ctx, `SELECT spam, ham FROM spam_docs WHERE site_id = $1`, siteID).Scan(&docs.Spam, &docs.Ham)
	if err == pgx.ErrNoRows {
		return docs, map[string]spam.Counts{}, nil
	} else if err != nil {
		return docs, nil, translate(err)
	}
	rows, err := s.db.pool.Query(ctx, `SELECT token, spam, ham FROM spam_tokens WHERE site_id = $1 AND token = ANY($2)`, siteID, tokens)
	if err != nil {
		return docs, nil, translate(err)
	}
	counts := map[string]spam.Counts{}
	var token string
	var c spam.Counts
	_, err = pgx.ForEachRow(rows, []any{&token, &c.Spam, &c.Ham}, func() error {
		counts[token] = c
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
