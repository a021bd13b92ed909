package postgres

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley"
)

// TrustRecord reads a user's stored level; a user never evaluated is at level 0.
func (s *TrustStore) TrustRecord(ctx context.Context, siteID, userID string) (parley.TrustRecord, error) {
	var rec parley.TrustRecord
	if !parley.IsID(siteID) || !parley.IsID(userID) {
		return rec, parley.Errorf(parley.ENOTFOUND, "User not found.")
	}
	var pinned *int16
	var level int16
	var promoted *time.Time
	err := s.db.pool.QueryRow(ctx, `SELECT level, pinned, promoted_at FROM trust_levels WHERE site_id = $1 AND user_id = $2`,
		siteID, userID).Scan(&level, &pinned, &promoted)
	if noRows(err) {
		return rec, nil
	}
	if err != nil {
		return rec, translate(err)
	}
	rec.Level = parley.TrustLevel(level)
	if pinned != nil {
		p := parley.TrustLevel(*pinned)
		rec.Pinned = &p
	}
	if promoted != nil {
		rec.PromotedAt = *promoted
	}
	return rec, nil
}

// SetTrustLevel stores the level and the change in one transaction.
func (s *TrustStore) SetTrustLevel(ctx context.Context, rec parley.TrustRecord, ch parley.TrustChange) error {
	signals, err := json.Marshal(ch.Signals)
	if err != nil {
		return err
	}
	var pinned *int16
	if rec.Pinned != nil {
		p := int16(*rec.Pinned)
		pinned = &p
	}
	var promoted *time.Time
	if !rec.PromotedAt.IsZero() {
		promoted = &rec.PromotedAt
	}
	if ch.ID == "" {
		ch.ID = newID()
	}
	if ch.Crossed == nil {
		ch.Crossed = []string{}
	}
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `
			INSERT INTO trust_levels (site_id, user_id, level, pinned, promoted_at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (site_id, user_id) DO UPDATE SET level = $3, pinned = $4, promoted_at = $5`,
			ch.SiteID, ch.UserID, int16(rec.Level), pinned, promoted); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `
			INSERT INTO trust_changes (id, site_id, user_id, from_level, to_level, rule_version, signals, crossed, moderator_id, reason, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, nullif($9, '')::uuid, $10, $11)`,
			ch.ID, ch.SiteID, ch.UserID, int16(ch.From), int16(ch.To), ch.RuleVersion, signals, ch.Crossed, ch.ModeratorID, ch.Reason, ch.CreatedAt)
		return err
	})
}

// LastTrustChange reads the user's latest change.
func (s *TrustStore) LastTrustChange(ctx context.Context, siteID, userID string) (*parley.TrustChange, error) {
	if !parley.IsID(siteID) || !parley.IsID(userID) {
		return nil, parley.Errorf(parley.ENOTFOUND, "No change of level.")
	}
	var ch parley.TrustChange
	var from, to int16
	var signals []byte
	err := s.db.pool.QueryRow(ctx, `
		SELECT id::text, site_id::text, user_id::text, from_level, to_level, rule_version, signals, crossed,
			coalesce(moderator_id::text, ''), reason, created_at
		FROM trust_changes WHERE site_id = $1 AND user_id = $2 ORDER BY created_at DESC, id DESC LIMIT 1`, siteID, userID).Scan(
		&ch.ID, &ch.SiteID, &ch.UserID, &from, &to, &ch.RuleVersion, &signals, &ch.Crossed, &ch.ModeratorID, &ch.Reason, &ch.CreatedAt)
	if err != nil {
		return nil, translateNotFound(err, "Change of level")
	}
	ch.From, ch.To = parley.TrustLevel(from), parley.TrustLevel(to)
	if err := json.Unmarshal(signals, &ch.Signals); err != nil {
		return nil, err
	}
	return &ch, nil
}
