package postgres

import "github.com/jackc/pgx/v5/pgxpool"

// Pool exposes the pool to the package's own tests, which read and write tables directly.
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

// PageQueries exposes the SQL of every page query so tests can check their plans.
func PageQueries() map[string]string {
	out := map[string]string{}
	for replies, byOrder := range commentPages {
		scope := "story"
		if replies {
			scope = "replies"
		}
		for order, q := range byOrder {
			out[scope+" "+string(order)+" first"] = q.first
			out[scope+" "+string(order)+" after"] = q.after
		}
	}
	return out
}

// QueueQueries exposes the SQL of every queue page (site-wide, first page and after a
// cursor) so tests can check their plans.
func QueueQueries() map[string]string {
	out := map[string]string{}
	for q, cond := range queueConditions {
		out["queue "+string(q)+" first"] = queueSQL(cond, false, false)
		out["queue "+string(q)+" after"] = queueSQL(cond, false, true)
	}
	return out
}
