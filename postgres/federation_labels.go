package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley"
)

// LabelStore implements parley.LabelStore on the federation tables of migration 0024.
type LabelStore struct{ db *DB }

// NewLabelStore returns a LabelStore on db.
func NewLabelStore(db *DB) *LabelStore { return &LabelStore{db: db} }

var _ parley.LabelStore = (*LabelStore)(nil)

// PutLabel upserts the origin's label for the subject and value, keeping the newer one.
func (s *LabelStore) PutLabel(ctx context.Context, l parley.Label) error {
	_, err := s.db.pool.Exec(ctx, `
		INSERT INTO federation_labels (origin, subject_type, subject_instance, subject_id, value, neg, exp, reason, created)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (subject_type, subject_instance, subject_id, value, origin) DO UPDATE
		SET neg = EXCLUDED.neg, exp = EXCLUDED.exp, reason = EXCLUDED.reason, created = EXCLUDED.created
		WHERE federation_labels.created <= EXCLUDED.created`,
		l.Origin, l.SubjectType, l.SubjectInstance, l.SubjectID, l.Value, l.Neg, l.Exp, l.Reason, l.Created)
	return translate(err)
}

// SubjectLabels returns the subject's current labels, by value and origin.
func (s *LabelStore) SubjectLabels(ctx context.Context, subjectType, instance, id string, at time.Time) ([]parley.Label, error) {
	rows, err := s.db.pool.Query(ctx, `
		SELECT origin, subject_type, subject_instance, subject_id, value, neg, exp, reason, created
		FROM federation_labels
		WHERE subject_type = $1 AND subject_instance = $2 AND subject_id = $3 AND NOT neg AND (exp IS NULL OR exp > $4)
		ORDER BY value, origin`, subjectType, instance, id, at)
	if err != nil {
		return nil, translate(err)
	}
	labels, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (parley.Label, error) {
		var l parley.Label
		err := r.Scan(&l.Origin, &l.SubjectType, &l.SubjectInstance, &l.SubjectID, &l.Value, &l.Neg, &l.Exp, &l.Reason, &l.Created)
		return l, err
	})
	return labels, translate(err)
}

// SubscribeLabels upserts the site's subscription to the peer.
func (s *LabelStore) SubscribeLabels(ctx context.Context, sub *parley.LabelSubscription) error {
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			INSERT INTO federation_label_subscriptions (site_id, peer_id, weight, action, quorum)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (site_id, peer_id) DO UPDATE
			SET weight = EXCLUDED.weight, action = EXCLUDED.action, quorum = EXCLUDED.quorum, updated_at = now()
			RETURNING created_at, updated_at, (SELECT name FROM federation_peers WHERE id = $2)`,
			sub.SiteID, sub.PeerID, sub.Weight, string(sub.Action), sub.Quorum).Scan(&sub.CreatedAt, &sub.UpdatedAt, &sub.PeerName)
		if err != nil {
			return err
		}
		return insertEvent(ctx, tx, parley.Event{SiteID: sub.SiteID, Payload: parley.LabelSubscriptionChanged{PeerID: sub.PeerID}})
	})
}

// UnsubscribeLabels deletes a site's subscription to a peer; ENOTFOUND when there is none.
func (s *LabelStore) UnsubscribeLabels(ctx context.Context, siteID, peerID string) error {
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM federation_label_subscriptions WHERE site_id = $1 AND peer_id = $2`, siteID, peerID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return notFound("Label subscription")
		}
		return insertEvent(ctx, tx, parley.Event{SiteID: siteID, Payload: parley.LabelSubscriptionChanged{PeerID: peerID, Removed: true}})
	})
}

// LabelSubscriptions returns the site's subscriptions of peers that are not defederated.
func (s *LabelStore) LabelSubscriptions(ctx context.Context, siteID string) ([]*parley.LabelSubscription, error) {
	rows, err := s.db.pool.Query(ctx, `
		SELECT s.site_id, s.peer_id, p.name, s.weight, s.action, s.quorum, s.created_at, s.updated_at
		FROM federation_label_subscriptions s JOIN federation_peers p ON p.id = s.peer_id
		WHERE s.site_id = $1 AND p.state <> 'DEFEDERATED'
		ORDER BY p.name`, siteID)
	if err != nil {
		return nil, translate(err)
	}
	subs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*parley.LabelSubscription, error) {
		var sub parley.LabelSubscription
		var action string
		err := r.Scan(&sub.SiteID, &sub.PeerID, &sub.PeerName, &sub.Weight, &action, &sub.Quorum, &sub.CreatedAt, &sub.UpdatedAt)
		sub.Action = parley.LabelAction(action)
		return &sub, err
	})
	return subs, translate(err)
}
