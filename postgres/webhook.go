package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley"
)

// WebhookStore implements parley.WebhookStore. It stores endpoints and deliveries; when to
// retry, when to give up and when to disable an endpoint are decided in package webhook.
type WebhookStore struct{ db *DB }

// NewWebhookStore returns a WebhookStore on db.
func NewWebhookStore(db *DB) *WebhookStore { return &WebhookStore{db: db} }

var _ parley.WebhookStore = (*WebhookStore)(nil)

const endpointColumns = `id, site_id, url, description, kinds, enabled, disabled_reason, disabled_at,
	failing_since, created_at, updated_at`

func scanEndpoint(row pgx.Row) (*parley.WebhookEndpoint, error) {
	var e parley.WebhookEndpoint
	err := row.Scan(&e.ID, &e.SiteID, &e.URL, &e.Description, &e.Kinds, &e.Enabled, &e.DisabledReason,
		&e.DisabledAt, &e.FailingSince, &e.CreatedAt, &e.UpdatedAt)
	return &e, err
}

// CreateWebhookEndpoint inserts the endpoint; a site that is gone is ENOTFOUND.
func (s *WebhookStore) CreateWebhookEndpoint(ctx context.Context, e *parley.WebhookEndpoint, secret string) error {
	if e.ID == "" {
		e.ID = newID()
	}
	row := s.db.pool.QueryRow(ctx, `
		INSERT INTO webhook_endpoints (id, site_id, url, description, kinds, secret, enabled)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		RETURNING `+endpointColumns, e.ID, e.SiteID, e.URL, e.Description, e.Kinds, secret, e.Enabled)
	got, err := scanEndpoint(row)
	if err != nil {
		return translateNotFound(err, "Site")
	}
	*e = *got
	return nil
}

// UpdateWebhookEndpoint stores the editable fields; enabling clears the notice and streak.
func (s *WebhookStore) UpdateWebhookEndpoint(ctx context.Context, e *parley.WebhookEndpoint) error {
	row := s.db.pool.QueryRow(ctx, `
		UPDATE webhook_endpoints SET url = $2, description = $3, kinds = $4, enabled = $5,
			disabled_reason = CASE WHEN $5 THEN '' ELSE disabled_reason END,
			disabled_at = CASE WHEN $5 THEN NULL WHEN enabled THEN now() ELSE disabled_at END,
			failing_since = CASE WHEN $5 AND NOT enabled THEN NULL ELSE failing_since END,
			updated_at = now()
		WHERE id = $1
		RETURNING `+endpointColumns, e.ID, e.URL, e.Description, e.Kinds, e.Enabled)
	got, err := scanEndpoint(row)
	if err != nil {
		return translateNotFound(err, "Webhook endpoint")
	}
	*e = *got
	return nil
}

// DeleteWebhookEndpoint removes the endpoint; its deliveries go with it (cascade).
func (s *WebhookStore) DeleteWebhookEndpoint(ctx context.Context, id string) error {
	tag, err := s.db.pool.Exec(ctx, `DELETE FROM webhook_endpoints WHERE id = $1`, id)
	if err != nil {
		return translateNotFound(err, "Webhook endpoint")
	}
	if tag.RowsAffected() == 0 {
		return notFound("Webhook endpoint")
	}
	return nil
}

// FindWebhookEndpoint returns one endpoint.
func (s *WebhookStore) FindWebhookEndpoint(ctx context.Context, id string) (*parley.WebhookEndpoint, error) {
	e, err := scanEndpoint(s.db.pool.QueryRow(ctx, `SELECT `+endpointColumns+` FROM webhook_endpoints WHERE id = $1`, id))
	if err != nil {
		return nil, translateNotFound(err, "Webhook endpoint")
	}
	return e, nil
}

// FindWebhookEndpoints returns a site's endpoints, oldest first.
func (s *WebhookStore) FindWebhookEndpoints(ctx context.Context, siteID string) ([]*parley.WebhookEndpoint, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT `+endpointColumns+` FROM webhook_endpoints
		WHERE site_id = $1 ORDER BY created_at, id`, siteID)
	if err != nil {
		return nil, translate(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*parley.WebhookEndpoint, error) { return scanEndpoint(r) })
	return out, translate(err)
}

// WebhookSecrets returns every endpoint's stored secret; there are at most a few per site.
func (s *WebhookStore) WebhookSecrets(ctx context.Context) (map[string]string, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT id::text, secret FROM webhook_endpoints`)
	if err != nil {
		return nil, translate(err)
	}
	out := map[string]string{}
	for rows.Next() {
		var id, secret string
		if err := rows.Scan(&id, &secret); err != nil {
			rows.Close()
			return nil, translate(err)
		}
		out[id] = secret
	}
	return out, translate(rows.Err())
}

// ReplaceWebhookSecret swaps an endpoint's secret if it is still prev.
func (s *WebhookStore) ReplaceWebhookSecret(ctx context.Context, id, prev, next string) (bool, error) {
	tag, err := s.db.pool.Exec(ctx, `UPDATE webhook_endpoints SET secret = $3 WHERE id = $1 AND secret = $2`, id, prev, next)
	if err != nil {
		return false, translate(err)
	}
	return tag.RowsAffected() == 1, nil
}

// CountWebhookEndpoints counts a site's endpoints.
func (s *WebhookStore) CountWebhookEndpoints(ctx context.Context, siteID string) (int, error) {
	var n int
	err := s.db.pool.QueryRow(ctx, `SELECT count(*) FROM webhook_endpoints WHERE site_id = $1`, siteID).Scan(&n)
	return n, translate(err)
}

// EnqueueWebhookEvent records the event's body, then a delivery for each subscribed endpoint,
// in one transaction. The event's primary key is the guard against a second delivery of the
// same event; an event no endpoint wants is not kept at all.
func (s *WebhookStore) EnqueueWebhookEvent(ctx context.Context, e parley.OutboxEvent, body []byte) (int, error) {
	var n int
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		var wanted bool
		err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM webhook_endpoints
			WHERE site_id = $1 AND enabled AND $2 = ANY (kinds))`, e.SiteID, e.Kind).Scan(&wanted)
		if err != nil || !wanted {
			return err
		}
		tag, err := tx.Exec(ctx, `
			INSERT INTO webhook_events (event_id, site_id, kind, body, event_at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (event_id) DO NOTHING`, e.ID, e.SiteID, e.Kind, body, e.CreatedAt)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		tag, err = tx.Exec(ctx, `
			INSERT INTO webhook_deliveries (id, endpoint_id, event_id, next_attempt_at)
			SELECT gen_random_uuid(), id, $3, now() FROM webhook_endpoints
			WHERE site_id = $1 AND enabled AND $2 = ANY (kinds)
			ON CONFLICT (endpoint_id, event_id) DO NOTHING`, e.SiteID, e.Kind, e.ID)
		n = int(tag.RowsAffected())
		return err
	})
	return n, err
}

// WantedWebhookEvents asks in one statement which of es an enabled endpoint of their site
// is subscribed to.
func (s *WebhookStore) WantedWebhookEvents(ctx context.Context, es []parley.OutboxEvent) (map[string]bool, error) {
	ids, sites, kinds := make([]string, 0, len(es)), make([]string, 0, len(es)), make([]string, 0, len(es))
	for _, e := range es {
		if parley.IsID(e.SiteID) {
			ids, sites, kinds = append(ids, e.ID), append(sites, e.SiteID), append(kinds, e.Kind)
		}
	}
	wanted := map[string]bool{}
	if len(ids) == 0 {
		return wanted, nil
	}
	rows, err := s.db.pool.Query(ctx, `
		SELECT e.id FROM unnest($1::text[], $2::uuid[], $3::text[]) AS e (id, site_id, kind)
		WHERE EXISTS (SELECT 1 FROM webhook_endpoints w WHERE w.site_id = e.site_id AND w.enabled AND e.kind = ANY (w.kinds))`,
		ids, sites, kinds)
	if err != nil {
		return nil, translate(err)
	}
	found, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, translate(err)
	}
	for _, id := range found {
		wanted[id] = true
	}
	return wanted, nil
}

// ClaimWebhookJobs leases due deliveries: the row locks are held only for the claim, so a
// slow endpoint never holds a transaction open; the lease keeps other replicas off.
func (s *WebhookStore) ClaimWebhookJobs(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]parley.WebhookJob, error) {
	rows, err := s.db.pool.Query(ctx, `
		WITH due AS (
			SELECT d.id FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
			WHERE d.state = 'PENDING' AND d.next_attempt_at <= $1 AND e.enabled
			ORDER BY d.next_attempt_at
			LIMIT $2
			FOR UPDATE OF d SKIP LOCKED
		)
		UPDATE webhook_deliveries d SET next_attempt_at = $1 + $3 * interval '1 millisecond', attempts = d.attempts + 1
		FROM due, webhook_endpoints e, webhook_events ev
		WHERE d.id = due.id AND e.id = d.endpoint_id AND ev.event_id = d.event_id
		RETURNING `+deliveryReturning+`, e.url, e.secret, ev.body, e.failing_since`, now, limit, lease.Milliseconds())
	if err != nil {
		return nil, translate(err)
	}
	jobs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (parley.WebhookJob, error) {
		var j parley.WebhookJob
		var body []byte
		err := r.Scan(append(deliveryDest(&j.Delivery), &j.URL, &j.Secret, &body, &j.FailingSince)...)
		j.Body = body
		return j, err
	})
	return jobs, translate(err)
}

// deliveryReturning are a delivery's columns with its event's, d and ev being the tables.
const deliveryReturning = `d.id, d.endpoint_id, d.event_id, ev.kind, d.state, d.attempts, d.last_status,
	d.last_error, d.last_attempt_at, d.next_attempt_at, d.delivered_at, ev.event_at, d.retry_from, d.created_at`

func deliveryDest(d *parley.WebhookDelivery) []any {
	return []any{&d.ID, &d.EndpointID, &d.EventID, &d.Kind, &d.State, &d.Attempts, &d.LastStatus,
		&d.LastError, &d.LastAttemptAt, &d.NextAttemptAt, &d.DeliveredAt, &d.EventAt, &d.RetryFrom, &d.CreatedAt}
}

// RecordWebhookAttempt stores the outcome on the delivery and the endpoint's failure streak
// in one transaction, and disables the endpoint when asked.
func (s *WebhookStore) RecordWebhookAttempt(ctx context.Context, a parley.WebhookAttempt) error {
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		state := parley.WebhookPending
		switch {
		case a.OK:
			state = parley.WebhookDelivered
		case a.Next == nil:
			state = parley.WebhookFailed
		}
		_, err := tx.Exec(ctx, `
			UPDATE webhook_deliveries SET state = $2, last_attempt_at = $3, last_status = $4, last_error = $5,
				next_attempt_at = CASE WHEN $2 = 'PENDING' THEN $6::timestamptz END,
				delivered_at = CASE WHEN $2 = 'DELIVERED' THEN $3 ELSE delivered_at END
			WHERE id = $1`, a.DeliveryID, state, a.At, a.Status, a.Error, a.Next)
		if err != nil {
			return err
		}
		if a.OK {
			_, err = tx.Exec(ctx, `UPDATE webhook_endpoints SET failing_since = NULL WHERE id = $1 AND failing_since IS NOT NULL`, a.EndpointID)
			return err
		}
		_, err = tx.Exec(ctx, `
			UPDATE webhook_endpoints SET failing_since = coalesce(failing_since, $2),
				enabled = enabled AND $3 = '',
				disabled_reason = CASE WHEN $3 <> '' AND enabled THEN $3 ELSE disabled_reason END,
				disabled_at = CASE WHEN $3 <> '' AND enabled THEN $2 ELSE disabled_at END
			WHERE id = $1`, a.EndpointID, a.At, a.Disable)
		return err
	})
}

// FindWebhookDeliveries returns an endpoint's newest deliveries.
func (s *WebhookStore) FindWebhookDeliveries(ctx context.Context, endpointID string, limit int) ([]*parley.WebhookDelivery, error) {
	rows, err := s.db.pool.Query(ctx, `
		SELECT `+deliveryReturning+` FROM webhook_deliveries d JOIN webhook_events ev ON ev.event_id = d.event_id
		WHERE d.endpoint_id = $1 ORDER BY d.created_at DESC, d.id DESC LIMIT $2`, endpointID, limit)
	if err != nil {
		return nil, translate(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*parley.WebhookDelivery, error) {
		var d parley.WebhookDelivery
		return &d, r.Scan(deliveryDest(&d)...)
	})
	return out, translate(err)
}

// FindWebhookDelivery returns one delivery.
func (s *WebhookStore) FindWebhookDelivery(ctx context.Context, id string) (*parley.WebhookDelivery, error) {
	var d parley.WebhookDelivery
	err := s.db.pool.QueryRow(ctx, `
		SELECT `+deliveryReturning+` FROM webhook_deliveries d JOIN webhook_events ev ON ev.event_id = d.event_id
		WHERE d.id = $1`, id).Scan(deliveryDest(&d)...)
	if err != nil {
		return nil, translateNotFound(err, "Webhook delivery")
	}
	return &d, nil
}

// RedeliverWebhook makes the delivery due now. Its attempt count stays, so the log shows
// every try; retries after a failed resend run until a day after the resend.
func (s *WebhookStore) RedeliverWebhook(ctx context.Context, id string, now time.Time) (*parley.WebhookDelivery, error) {
	var d parley.WebhookDelivery
	err := s.db.pool.QueryRow(ctx, `
		UPDATE webhook_deliveries d SET state = 'PENDING', next_attempt_at = $2, retry_from = $2
		FROM webhook_events ev WHERE d.id = $1 AND ev.event_id = d.event_id
		RETURNING `+deliveryReturning, id, now).Scan(deliveryDest(&d)...)
	if err != nil {
		return nil, translateNotFound(err, "Webhook delivery")
	}
	return &d, nil
}

// PruneWebhookDeliveries deletes ended deliveries older than before, a few thousand at a time
// so that no statement holds many locks, then the events left without a delivery.
func (s *WebhookStore) PruneWebhookDeliveries(ctx context.Context, before time.Time) (int, error) {
	total := 0
	for {
		tag, err := s.db.pool.Exec(ctx, `
			DELETE FROM webhook_deliveries WHERE id IN (
				SELECT id FROM webhook_deliveries
				WHERE state <> 'PENDING' AND coalesce(last_attempt_at, created_at) < $1 LIMIT 5000)`, before)
		if err != nil {
			return total, translate(err)
		}
		total += int(tag.RowsAffected())
		if tag.RowsAffected() < 5000 {
			break
		}
	}
	_, err := s.db.pool.Exec(ctx, `
		DELETE FROM webhook_events ev WHERE ev.created_at < $1
			AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = ev.event_id)`, before)
	return total, translate(err)
}
