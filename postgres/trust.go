package postgres

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley"
)

// TrustStore implements parley.TrustStore. It stores what the trust consumer decides; the
// decisions (which event changes which signal, which level follows) are in package trust.
type TrustStore struct{ db *DB }

// NewTrustStore returns a TrustStore on db.
func NewTrustStore(db *DB) *TrustStore { return &TrustStore{db: db} }

var _ parley.TrustStore = (*TrustStore)(nil)

// ApplyTrustEvent inserts the event into the ledger first: the primary key on its ID is the
// guard, so an event delivered twice (a redelivery, a replay of the stream) changes nothing.
func (s *TrustStore) ApplyTrustEvent(ctx context.Context, e parley.OutboxEvent, ops []parley.TrustOp) (bool, error) {
	var applied bool
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock_shared($1)`, trustLockKey); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `
			INSERT INTO trust_ledger (event_id, site_id, story_id, kind, payload, created_at)
			VALUES ($1, nullif($2, '')::uuid, nullif($3, '')::uuid, $4, $5, $6)
			ON CONFLICT (event_id) DO NOTHING`, e.ID, e.SiteID, e.StoryID, e.Kind, []byte(e.Payload), e.CreatedAt)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		applied = true
		return applyTrustOps(ctx, tx, e.SiteID, ops)
	})
	return applied, err
}

// ApplyTrustEvents records a run of events and applies the ops of the new ones in one
// transaction and three round trips whatever their number: the lock and the ledger rows go
// in one, the ops in the next (as ReplayTrustOps sends them), then the commit. The ledger's
// ON CONFLICT is the guard, as for one event; RETURNING names the events it took.
func (s *TrustStore) ApplyTrustEvents(ctx context.Context, events []parley.TrustEventOps) ([]bool, error) {
	applied := make([]bool, len(events))
	if len(events) == 0 {
		return applied, nil
	}
	n := len(events)
	ids, sites, stories, kinds, payloads := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	created := make([]time.Time, n)
	for i, e := range events {
		ids[i], sites[i], stories[i], kinds[i] = e.Event.ID, e.Event.SiteID, e.Event.StoryID, e.Event.Kind
		payloads[i], created[i] = string(e.Event.Payload), e.Event.CreatedAt
	}
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		b.Queue(`SELECT pg_advisory_xact_lock_shared($1)`, trustLockKey)
		// Rows go in the events' order, so the ledger's seq keeps it for recompute.
		b.Queue(`
			INSERT INTO trust_ledger (event_id, site_id, story_id, kind, payload, created_at)
			SELECT e.id, nullif(e.site, '')::uuid, nullif(e.story, '')::uuid, e.kind, e.payload::jsonb, e.created
			FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[])
				WITH ORDINALITY AS e (id, site, story, kind, payload, created, ord)
			ORDER BY e.ord
			ON CONFLICT (event_id) DO NOTHING
			RETURNING event_id::text`, ids, sites, stories, kinds, payloads, created).Query(func(rows pgx.Rows) error {
			taken := map[string]bool{}
			var id string
			_, err := pgx.ForEachRow(rows, []any{&id}, func() error {
				taken[id] = true
				return nil
			})
			for i, e := range events {
				if taken[e.Event.ID] {
					applied[i], taken[e.Event.ID] = true, false // a repeat in the run is not new
				}
			}
			return err
		})
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		var runs []parley.TrustOps
		for i, e := range events {
			if applied[i] && len(e.Ops) > 0 {
				runs = append(runs, parley.TrustOps{SiteID: e.Event.SiteID, Ops: e.Ops})
			}
		}
		return applyTrustRuns(ctx, tx, runs)
	})
	if err != nil {
		return nil, err
	}
	return applied, nil
}

// trustLockKey names the advisory lock between applying events (shared) and recomputing
// (exclusive).
const trustLockKey = 0x7472757374 // "trust"

// ExclusiveTrust holds the trust lock exclusively on a connection of its own while fn runs;
// fn's own work goes through other connections, which do not take the lock.
func (s *TrustStore) ExclusiveTrust(ctx context.Context, fn func(ctx context.Context) error) error {
	conn, err := s.db.pool.Acquire(ctx)
	if err != nil {
		return translate(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, trustLockKey); err != nil {
		return translate(err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, trustLockKey) //nolint:errcheck // the session ends the lock anyway
	return fn(ctx)
}

// ReplayTrustOps applies the ops of a ledger event again, after ResetTrustSignals.
func (s *TrustStore) ReplayTrustOps(ctx context.Context, batch []parley.TrustOps) error {
	return s.db.inTx(ctx, func(tx pgx.Tx) error { return applyTrustRuns(ctx, tx, batch) })
}

// applyTrustRuns makes the ops of many events in order: runs of ops of one site go in one
// round trip; only a resolution waits.
func applyTrustRuns(ctx context.Context, tx pgx.Tx, batch []parley.TrustOps) error {
	var run []parley.TrustOp
	site := ""
	for _, b := range batch {
		if b.SiteID != site && len(run) > 0 {
			if err := applyTrustOps(ctx, tx, site, run); err != nil {
				return err
			}
			run = run[:0]
		}
		site = b.SiteID
		run = append(run, b.Ops...)
	}
	return applyTrustOps(ctx, tx, site, run)
}

// foldTrustOps merges the ops that add to the same count, so a run of many events by few
// users sends few statements: a user's published comments are summed into their first such
// op, and a visit on a day already visited in the run is dropped. Both only add (or insert
// what exists already), so the signals come out the same in any order.
func foldTrustOps(ops []parley.TrustOp) []parley.TrustOp {
	type key struct {
		kind parley.TrustOpKind
		user string
		day  string
	}
	at := map[key]int{}
	out := make([]parley.TrustOp, 0, len(ops))
	for _, op := range ops {
		var k key
		switch op.Kind {
		case parley.TrustOpPublished:
			k = key{op.Kind, op.UserID, ""}
		case parley.TrustOpVisit:
			k = key{op.Kind, op.UserID, op.Day.UTC().Format(time.DateOnly)}
		default:
			out = append(out, op)
			continue
		}
		if i, ok := at[k]; ok {
			out[i].N += op.N
			continue
		}
		at[k] = len(out)
		out = append(out, op)
	}
	return out
}

// applyTrustOps makes the ops, sending runs of them in one round trip: a report's
// resolution reads what it resolves, so it ends a run.
func applyTrustOps(ctx context.Context, tx pgx.Tx, siteID string, ops []parley.TrustOp) error {
	ops = foldTrustOps(ops)
	batch := &pgx.Batch{}
	flush := func() error {
		if batch.Len() == 0 {
			return nil
		}
		err := tx.SendBatch(ctx, batch).Close()
		batch = &pgx.Batch{}
		return err
	}
	for _, op := range ops {
		if op.Kind == parley.TrustOpResolve {
			if err := flush(); err != nil {
				return err
			}
			if err := resolveTrustReports(ctx, tx, siteID, op); err != nil {
				return err
			}
			continue
		}
		if sql, args := trustOpSQL(siteID, op); sql != "" {
			batch.Queue(sql, args...)
		}
	}
	return flush()
}

// trustOpSQL returns the statement that makes op, "" for an op it does not know.
func trustOpSQL(siteID string, op parley.TrustOp) (string, []any) {
	switch op.Kind {
	case parley.TrustOpPublished:
		return `
			INSERT INTO trust_signals (site_id, user_id, comments_published) VALUES ($1, $2, $3)
			ON CONFLICT (site_id, user_id) DO UPDATE SET comments_published = trust_signals.comments_published + $3`,
			[]any{siteID, op.UserID, op.N}
	case parley.TrustOpRejected:
		return `
			INSERT INTO trust_signals (site_id, user_id, rejected) VALUES ($1, $2, jsonb_build_object($3::text, $4::int))
			ON CONFLICT (site_id, user_id) DO UPDATE SET rejected = trust_signals.rejected ||
				jsonb_build_object($3::text, coalesce((trust_signals.rejected->>$3)::int, 0) + $4::int)`,
			[]any{siteID, op.UserID, op.Reason, op.N}
	case parley.TrustOpVisit:
		return `INSERT INTO trust_visits (site_id, user_id, day) VALUES ($1, $2, $3::date) ON CONFLICT DO NOTHING`,
			[]any{siteID, op.UserID, op.Day.UTC().Format(time.DateOnly)}
	case parley.TrustOpReaction:
		return `
			INSERT INTO trust_reactors (site_id, user_id, reactor_id, reactions) VALUES ($1, $2, $3, greatest($4, 0))
			ON CONFLICT (site_id, user_id, reactor_id) DO UPDATE SET reactions = greatest(trust_reactors.reactions + $4, 0)`,
			[]any{siteID, op.UserID, op.OtherID, op.N}
	case parley.TrustOpReport:
		return `
			INSERT INTO trust_reports (report_id, site_id, comment_id, author_id, reporter_id) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT DO NOTHING`, []any{op.ID, siteID, op.CommentID, op.UserID, op.OtherID}
	case parley.TrustOpSanction:
		return `
			INSERT INTO trust_sanctions (sanction_id, site_id, user_id, kind, expires_at, revoked_at)
			VALUES ($1, nullif($2, '')::uuid, $3, $4, $5, $6)
			ON CONFLICT (sanction_id) DO UPDATE SET expires_at = excluded.expires_at,
				revoked_at = coalesce(excluded.revoked_at, trust_sanctions.revoked_at)`,
			[]any{op.ID, siteID, op.UserID, op.Reason, op.Expires, op.Revoked}
	}
	return "", nil
}

// resolveTrustReports counts a comment's open reports for their reporters and, when upheld,
// against its author, and closes them.
func resolveTrustReports(ctx context.Context, tx pgx.Tx, siteID string, op parley.TrustOp) error {
	rows, err := tx.Query(ctx, `DELETE FROM trust_reports WHERE comment_id = $1 AND site_id = $2 RETURNING author_id::text, reporter_id::text`, op.CommentID, siteID)
	if err != nil {
		return err
	}
	type pair struct{ author, reporter string }
	pairs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (pair, error) {
		var p pair
		err := r.Scan(&p.author, &p.reporter)
		return p, err
	})
	if err != nil {
		return err
	}
	column := "reports_filed_dismissed"
	if op.Upheld {
		column = "reports_filed_upheld"
	}
	for _, p := range pairs {
		if _, err := tx.Exec(ctx, `
			INSERT INTO trust_signals (site_id, user_id, `+column+`) VALUES ($1, $2, 1)
			ON CONFLICT (site_id, user_id) DO UPDATE SET `+column+` = trust_signals.`+column+` + 1`, siteID, p.reporter); err != nil {
			return err
		}
		if op.Upheld {
			if _, err := tx.Exec(ctx, `
				INSERT INTO trust_signals (site_id, user_id, reports_against_upheld) VALUES ($1, $2, 1)
				ON CONFLICT (site_id, user_id) DO UPDATE SET reports_against_upheld = trust_signals.reports_against_upheld + 1`, siteID, p.author); err != nil {
				return err
			}
		}
	}
	return nil
}

// ResetTrustSignals deletes the signals recompute rebuilds.
func (s *TrustStore) ResetTrustSignals(ctx context.Context, siteID string) error {
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		for _, table := range []string{"trust_signals", "trust_visits", "trust_reactors", "trust_reports", "trust_sanctions"} {
			if _, err := tx.Exec(ctx, `DELETE FROM `+table+` WHERE $1 = '' OR site_id = nullif($1, '')::uuid`, siteID); err != nil {
				return err
			}
		}
		if siteID != "" {
			// Sanctions everywhere are rebuilt from the ledger's events without a site.
			_, err := tx.Exec(ctx, `DELETE FROM trust_sanctions WHERE site_id IS NULL`)
			return err
		}
		return nil
	})
}

// TrustLedger pages through the ledger in the order events were applied. Events without a
// site (sanctions everywhere) belong to every site's history.
func (s *TrustStore) TrustLedger(ctx context.Context, siteID string, afterSeq int64, limit int) ([]parley.TrustEvent, error) {
	rows, err := s.db.pool.Query(ctx, `
		SELECT seq, event_id::text, coalesce(site_id::text, ''), coalesce(story_id::text, ''), kind, payload, created_at
		FROM trust_ledger
		WHERE seq > $2 AND ($1 = '' OR site_id = nullif($1, '')::uuid OR site_id IS NULL)
		ORDER BY seq LIMIT $3`, siteID, afterSeq, limit)
	if err != nil {
		return nil, translate(err)
	}
	events, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (parley.TrustEvent, error) {
		var t parley.TrustEvent
		e := &t.Event
		err := r.Scan(&t.Seq, &e.ID, &e.SiteID, &e.StoryID, &e.Kind, &e.Payload, &e.CreatedAt)
		return t, err
	})
	return events, translate(err)
}

// TrustSignals reads a user's signals; the sanctions in force and the account's age are
// reckoned at now.
func (s *TrustStore) TrustSignals(ctx context.Context, siteID, userID string, now time.Time) (parley.TrustSignals, error) {
	sig := parley.TrustSignals{SiteID: siteID, UserID: userID, Rejected: map[string]int{}}
	if !parley.IsID(siteID) || !parley.IsID(userID) {
		return sig, parley.Errorf(parley.ENOTFOUND, "User not found.")
	}
	var created time.Time
	var rejected []byte
	err := s.db.pool.QueryRow(ctx, `
		SELECT u.created_at,
			coalesce(t.comments_published, 0), coalesce(t.rejected, '{}'),
			coalesce(t.reports_against_upheld, 0), coalesce(t.reports_filed_upheld, 0), coalesce(t.reports_filed_dismissed, 0),
			(SELECT count(*) FROM trust_visits v WHERE v.site_id = $1 AND v.user_id = u.id),
			(SELECT count(*) FROM trust_reactors r WHERE r.site_id = $1 AND r.user_id = u.id AND r.reactions > 0 AND r.reactor_id <> u.id),
			(SELECT count(*) FILTER (WHERE revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $3)) FROM trust_sanctions x
				WHERE x.user_id = u.id AND (x.site_id = $1 OR x.site_id IS NULL)),
			(SELECT count(*) FILTER (WHERE revoked_at IS NOT NULL OR expires_at <= $3) FROM trust_sanctions x
				WHERE x.user_id = u.id AND (x.site_id = $1 OR x.site_id IS NULL))
		FROM users u LEFT JOIN trust_signals t ON t.site_id = $1 AND t.user_id = u.id
		WHERE u.id = $2`, siteID, userID, now).Scan(&created,
		&sig.CommentsPublished, &rejected, &sig.ReportsAgainstUpheld, &sig.ReportsFiledUpheld, &sig.ReportsFiledDismissed,
		&sig.DaysVisited, &sig.ReactionsFromDistinctUsers, &sig.ActiveSanctions, &sig.PastSanctions)
	if err != nil {
		return sig, translateNotFound(err, "User")
	}
	if err := json.Unmarshal(rejected, &sig.Rejected); err != nil {
		return sig, err
	}
	for k, v := range sig.Rejected {
		if v == 0 {
			delete(sig.Rejected, k)
		}
	}
	sig.AccountAge = now.Sub(created)
	return sig, nil
}

// TrustUsers lists the users a site's signals know of.
func (s *TrustStore) TrustUsers(ctx context.Context, siteID string) ([]string, error) {
	rows, err := s.db.pool.Query(ctx, `
		SELECT user_id::text FROM trust_signals WHERE site_id = $1
		UNION SELECT user_id::text FROM trust_visits WHERE site_id = $1
		UNION SELECT user_id::text FROM trust_reactors WHERE site_id = $1
		UNION SELECT user_id::text FROM trust_levels WHERE site_id = $1
		ORDER BY 1`, siteID)
	if err != nil {
		return nil, translate(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return ids, translate(err)
}

// TrustSites lists the sites whose signals or levels are kept.
func (s *TrustStore) TrustSites(ctx context.Context) ([]string, error) {
	rows, err := s.db.pool.Query(ctx, `
		SELECT site_id::text FROM trust_signals UNION SELECT site_id::text FROM trust_visits
		UNION SELECT site_id::text FROM trust_levels ORDER BY 1`)
	if err != nil {
		return nil, translate(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return ids, translate(err)
}
