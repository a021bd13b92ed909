package postgres

import (
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Pool exposes the pool to the package's own tests, which read and write tables directly.
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

// PageQuery is the SQL of one page query with arguments of the right types.
type PageQuery struct {
	SQL  string
	Args []any
}

// PageQueries exposes every page query, anonymous and for a signed-in reader, with id for
// every ID in its arguments, so tests can check their plans.
func PageQueries(id string) map[string]PageQuery {
	out := map[string]PageQuery{}
	for replies, byOrder := range commentPages {
		scope := "story"
		if replies {
			scope = "replies"
		}
		for order, q := range byOrder {
			for p, who := range []string{"anonymous", "personal"} {
				for a, when := range []string{"first", "after"} {
					args := []any{id, 21}
					if p == 1 {
						args = append(args, id, id)
					}
					if a == 1 {
						args = append(args, time.Now(), id)
						if q.byCount {
							args = append(args, 3)
						}
					}
					out[scope+" "+string(order)+" "+who+" "+when] = PageQuery{SQL: q.sql[p][a], Args: args}
				}
			}
		}
	}
	// The first replies of many comments at once: a range scan per parent, then a sort of
	// the few rows found into the parents' order.
	for order, q := range replyPages {
		out["replies of many "+string(order)+" anonymous"] = PageQuery{SQL: q[0], Args: []any{[]string{id, id}, 4}}
		out["replies of many "+string(order)+" personal"] = PageQuery{SQL: q[1], Args: []any{[]string{id, id}, 4, id, id}}
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

// PrepareCommentQuery exposes the query that reads a new top-level comment's draft, for
// tests of its plan.
func PrepareCommentQuery(storyID, authorID, body string) PageQuery {
	args := append([]any{storyID}, draftArgs(authorID, body)...)
	return PageQuery{SQL: prepareCommentSQL, Args: append(args, nil)}
}

// UserCommentsQuery exposes the first page of a user's comments on a site (FindUserComments),
// first of them, for tests of its plan.
func UserCommentsQuery(userID, siteID string, first int) PageQuery {
	return PageQuery{SQL: userCommentsSQL(false), Args: []any{userID, siteID, first + 1}}
}

// CommentsSinceQuery exposes the count of a user's recent comments on a site (CommentsSince),
// for tests of its plan.
func CommentsSinceQuery(userID, siteID string, since time.Time, limit int) PageQuery {
	return PageQuery{SQL: commentsSinceSQL, Args: []any{userID, siteID, since, limit}}
}

// ViewerStateQuery exposes the viewer-state lookup, for tests of its plan.
func ViewerStateQuery(viewerID string, ids, commentIDs []string) PageQuery {
	return PageQuery{SQL: viewerStateSQL, Args: []any{viewerID, ids, commentIDs}}
}

// GroupCommitStats reports the groups of comment inserts committed and the inserts they held.
func (db *DB) GroupCommitStats() (groups, items int) { return db.commits.stats() }

// SetGroupCommitWindow makes the committer wait d for more writes after a group's first, so
// a test's concurrent writes surely share a group.
func (db *DB) SetGroupCommitWindow(d time.Duration) { db.commits.window.Store(int64(d)) }
