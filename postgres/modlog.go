package postgres

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley"
)

// ModerationLogStore reads a site's public moderation log from the decisions, sanctions and
// pins themselves, and from the moderation_log table for what the rule proposals write.
type ModerationLogStore struct{ db *DB }

// NewModerationLogStore returns the log on db.
func NewModerationLogStore(db *DB) *ModerationLogStore { return &ModerationLogStore{db: db} }

var _ parley.ModerationLogStore = (*ModerationLogStore)(nil)

// AppendModerationLog writes one RULE_* entry of a site's public log inside tx, the
// transaction of the change it reports, so the log never shows a change that did not
// happen. It is the hook the rule proposals storage calls; payload must hold only what
// anyone may read.
func AppendModerationLog(ctx context.Context, tx pgx.Tx, siteID string, kind parley.LogKind, payload parley.RuleLogPayload) error {
	if !parley.CommunityLogKind(kind) {
		return parley.Errorf(parley.EINTERNAL, "moderation log: kind %q is not written by hand", kind)
	}
	b, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO moderation_log (id, site_id, kind, payload) VALUES ($1, $2, $3, $4)`,
		newID(), siteID, string(kind), b)
	return translate(err)
}

// AppendModerationLog writes a RULE_* entry in its own transaction, for callers outside
// this package's transactions (and tests).
func (s *ModerationLogStore) AppendModerationLog(ctx context.Context, siteID string, kind parley.LogKind, payload parley.RuleLogPayload) error {
	return s.db.inTx(ctx, func(tx pgx.Tx) error { return AppendModerationLog(ctx, tx, siteID, kind, payload) })
}

// logQuery merges the five sources, each read newest first after the cursor ($2, $3) and
// cut at $4 rows, so the page costs four short index range scans. Keys compare in the C
// collation so that the order does not depend on the server's locale.
const logQuery = `
WITH decisions AS (
	SELECT 'DECISIONS' AS kind,
	       ((day + 1)::timestamp AT TIME ZONE 'UTC') - interval '1 microsecond' AS at,
	       ('d:' || action || ':' || reason) COLLATE "C" AS key,
	       day, action, reason, count::int AS count
	FROM (
		SELECT (created_at AT TIME ZONE 'UTC')::date AS day, action, reason, count(*) AS count
		FROM moderator_actions
		WHERE site_id = $1 AND (created_at AT TIME ZONE 'UTC')::date <= ($2::timestamptz AT TIME ZONE 'UTC')::date
		GROUP BY 1, 2, 3
		ORDER BY 1 DESC, 2 DESC, 3 DESC
	) g
	WHERE (((day + 1)::timestamp AT TIME ZONE 'UTC') - interval '1 microsecond', ('d:' || action || ':' || reason) COLLATE "C") < ($2, $3 COLLATE "C")
	LIMIT $4
), pipeline AS (
	SELECT 'DECISIONS' AS kind,
	       ((day + 1)::timestamp AT TIME ZONE 'UTC') - interval '1 microsecond' AS at,
	       ('e:' || decision || ':' || decided_by) COLLATE "C" AS key,
	       day, decision AS action, decided_by AS reason, count::int AS count
	FROM (
		SELECT (created_at AT TIME ZONE 'UTC')::date AS day, decision, decided_by, count(*) AS count
		FROM comment_moderations
		WHERE site_id = $1 AND decision IN ('HOLD', 'REJECT')
		  AND (created_at AT TIME ZONE 'UTC')::date <= ($2::timestamptz AT TIME ZONE 'UTC')::date
		GROUP BY 1, 2, 3
		ORDER BY 1 DESC, 2 DESC, 3 DESC
	) g
	WHERE (((day + 1)::timestamp AT TIME ZONE 'UTC') - interval '1 microsecond', ('e:' || decision || ':' || decided_by) COLLATE "C") < ($2, $3 COLLATE "C")
	LIMIT $4
), sanctions AS (
	SELECT 'SANCTION' AS kind, s.created_at AS at, ('s:' || s.id) COLLATE "C" AS key,
	       s.kind AS sanction_kind, s.expires_at, CASE WHEN u.guest THEN u.guest_name ELSE u.username END AS username, m.username AS moderator
	FROM user_sanctions s
	JOIN users u ON u.id = s.user_id
	LEFT JOIN users m ON m.id = s.moderator_id
	WHERE s.site_id = $1 AND s.kind <> 'MESSAGE' AND s.created_at <= $2
	  AND (s.created_at, ('s:' || s.id) COLLATE "C") < ($2, $3 COLLATE "C")
	ORDER BY s.created_at DESC, s.id DESC
	LIMIT $4
), pins AS (
	SELECT 'LEVEL_PIN' AS kind, c.created_at AS at, ('p:' || c.id) COLLATE "C" AS key,
	       c.from_level, c.to_level, 'unpinned' = ANY (c.crossed) AS unpinned, CASE WHEN u.guest THEN u.guest_name ELSE u.username END AS username, m.username AS moderator
	FROM trust_changes c
	JOIN users u ON u.id = c.user_id
	LEFT JOIN users m ON m.id = c.moderator_id
	WHERE c.site_id = $1 AND c.rule_version = '' AND c.created_at <= $2
	  AND (c.created_at, ('p:' || c.id) COLLATE "C") < ($2, $3 COLLATE "C")
	ORDER BY c.created_at DESC, c.id DESC
	LIMIT $4
), community AS (
	SELECT l.kind, l.created_at AS at, ('r:' || l.id) COLLATE "C" AS key, l.payload
	FROM moderation_log l
	WHERE l.site_id = $1 AND l.created_at <= $2
	  AND (l.created_at, ('r:' || l.id) COLLATE "C") < ($2, $3 COLLATE "C")
	ORDER BY l.created_at DESC, l.id DESC
	LIMIT $4
)
SELECT kind, at, key, day, action, reason, count, NULL, NULL::timestamptz, NULL::int, NULL::int, NULL::bool, NULL, NULL, NULL::jsonb FROM decisions
UNION ALL
SELECT kind, at, key, day, action, reason, count, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM pipeline
UNION ALL
SELECT kind, at, key, NULL, NULL, NULL, NULL, sanction_kind, expires_at, NULL, NULL, NULL, username, moderator, NULL FROM sanctions
UNION ALL
SELECT kind, at, key, NULL, NULL, NULL, NULL, NULL, NULL, from_level, to_level, unpinned, username, moderator, NULL FROM pins
UNION ALL
SELECT kind, at, key, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, payload FROM community
ORDER BY at DESC, key DESC
LIMIT $4`

// farFuture stands for "no cursor": every entry is before it.
var farFuture = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// ModerationLog returns up to first entries of the site's log after the cursor, newest
// first, with every name it has. The caller checks the site exists.
func (s *ModerationLogStore) ModerationLog(ctx context.Context, siteID string, first int, after *parley.LogCursor) (*parley.LogPage, error) {
	at, key := farFuture, "~"
	if after != nil {
		at, key = after.At, after.Key
	}
	rows, err := s.db.pool.Query(ctx, logQuery, siteID, at, key, first+1)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	page := &parley.LogPage{}
	for rows.Next() {
		var (
			e                   parley.LogEntry
			kind                string
			day                 *time.Time
			action, reason      *string
			count               *int32
			sanctionKind        *string
			from, to            *int32
			unpinned            *bool
			username, moderator *string
			payload             []byte
		)
		if err := rows.Scan(&kind, &e.At, &e.Key, &day, &action, &reason, &count, &sanctionKind, &e.ExpiresAt,
			&from, &to, &unpinned, &username, &moderator, &payload); err != nil {
			return nil, translate(err)
		}
		e.Kind = parley.LogKind(kind)
		if e.Kind == parley.LogDecisions {
			// Keys say who decided: "d:" the moderators (or a site's rule on reports), "e:"
			// the pipeline, whose reason is the stage that decided.
			e.By = parley.DecidedByModerators
			if strings.HasPrefix(e.Key, "e:") {
				e.By = parley.DecidedByPipeline
			}
		}
		if day != nil {
			e.Day = *day
		}
		e.Action, e.Reason = deref(action), deref(reason)
		if count != nil {
			e.Count = int(*count)
		}
		e.SanctionKind = parley.SanctionKind(deref(sanctionKind))
		if from != nil {
			e.FromLevel = parley.TrustLevel(*from)
		}
		if to != nil {
			l := parley.TrustLevel(*to)
			e.ToLevel = &l
		}
		e.Unpinned = unpinned != nil && *unpinned
		e.Username, e.Moderator = deref(username), deref(moderator)
		if payload != nil {
			var p parley.RuleLogPayload
			if err := json.Unmarshal(payload, &p); err != nil {
				return nil, err
			}
			e.Rule = &p
		}
		page.Entries = append(page.Entries, &e)
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err)
	}
	if len(page.Entries) > first {
		page.Entries, page.HasNext = page.Entries[:first], true
	}
	return page, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
