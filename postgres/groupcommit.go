package postgres

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// groupCommit runs single-statement writes of concurrent callers (new comments, each with its
// counters, trail and outbox row in its one statement) through one transaction, so that one
// commit, one WAL flush and one round trip serve them all. A lone write goes at once; writes
// that arrive while a commit is on its way wait for it and go together in the next, up to
// maxItems. Nobody is answered before the transaction holding their write has committed,
// so an acknowledged write is as durable as one committed alone.
//
// One failing statement aborts the whole transaction (nothing of it is kept); each write of
// that group then runs again alone, so only the failing one fails. A group whose outcome is
// unknown (the connection broke) fails whole, as a lone write would, and is not run again.
//
// One committer runs at a time: two groups committing at once could lock the same rows
// (a story's counter shards, a parent comment) in opposite orders.
type groupCommit struct {
	pool     *pgxpool.Pool
	maxItems int
	// window, when positive, is how long (in nanoseconds) the committer waits for more
	// writes after the first of a group, before it commits a group smaller than maxItems.
	window  atomic.Int64
	timeout time.Duration
	// off runs every write alone, as soon as it comes (DB.SetGroupCommit).
	off atomic.Bool

	queue chan *groupItem
	stop  chan struct{}
	done  chan struct{}
	start sync.Once
	end   sync.Once

	// groups and items count what went through, for tests and metrics.
	mu            sync.Mutex
	groups, items int
}

// groupItem is one statement waiting for its group's commit; dest receive its one row.
type groupItem struct {
	ctx  context.Context
	sql  string
	args []any
	dest []any
	err  error
	done chan struct{}
}

// Defaults of group commit: a group is at most as large as the writes that can wait at once
// on a pool of DefaultMaxConns, and a statement is given as long as a request is.
const (
	defaultGroupItems   = 64
	defaultGroupTimeout = 30 * time.Second
)

// errGroupClosed answers writes that arrive after the database was closed.
var errGroupClosed = errors.New("postgres: database closed")

func newGroupCommit(pool *pgxpool.Pool) *groupCommit {
	return &groupCommit{pool: pool, maxItems: defaultGroupItems, timeout: defaultGroupTimeout,
		queue: make(chan *groupItem), stop: make(chan struct{}), done: make(chan struct{})}
}

// queryRow runs sql with args in the next group and scans its one row into dest once that
// group has committed.
func (g *groupCommit) queryRow(ctx context.Context, sql string, args []any, dest ...any) error {
	if g.off.Load() {
		return g.pool.QueryRow(ctx, sql, args...).Scan(dest...)
	}
	g.start.Do(func() { go g.run() })
	it := &groupItem{ctx: ctx, sql: sql, args: args, dest: dest, done: make(chan struct{})}
	select {
	case g.queue <- it:
	case <-g.stop:
		return errGroupClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-it.done:
		return it.err
	case <-ctx.Done():
		// The write may still commit; like a lone write whose caller left, it is then
		// stored without its caller hearing of it, never the other way round.
		return ctx.Err()
	}
}

// close stops the committer after the group it is committing.
func (g *groupCommit) close() {
	g.end.Do(func() {
		close(g.stop)
		g.start.Do(func() { close(g.done) }) // never started: nothing to wait for
		<-g.done
	})
}

func (g *groupCommit) run() {
	defer close(g.done)
	for {
		var first *groupItem
		select {
		case first = <-g.queue:
		case <-g.stop:
			return
		}
		group := g.collect(first)
		g.commit(group)
	}
}

// collect gathers the writes waiting now (and, with a window, those arriving within it) after
// first, dropping those whose caller already left.
func (g *groupCommit) collect(first *groupItem) []*groupItem {
	group := []*groupItem{first}
	var deadline <-chan time.Time
	if w := time.Duration(g.window.Load()); w > 0 {
		t := time.NewTimer(w)
		defer t.Stop()
		deadline = t.C
	}
	for len(group) < g.maxItems {
		if deadline == nil {
			select {
			case it := <-g.queue:
				group = append(group, it)
				continue
			default:
			}
			break
		}
		select {
		case it := <-g.queue:
			group = append(group, it)
			continue
		case <-deadline:
		}
		break
	}
	live := group[:0]
	for _, it := range group {
		if err := it.ctx.Err(); err != nil {
			it.err = err
			close(it.done)
			continue
		}
		live = append(live, it)
	}
	return live
}

// commit runs a group in one implicit transaction (a pipeline of its statements ended by one
// Sync commits them together, or none of them), then answers each write.
func (g *groupCommit) commit(group []*groupItem) {
	if len(group) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), g.timeout)
	defer cancel()
	g.mu.Lock()
	g.groups++
	g.items += len(group)
	g.mu.Unlock()
	if len(group) == 1 {
		g.alone(ctx, group[0])
		return
	}
	b := &pgx.Batch{}
	for _, it := range group {
		b.Queue(it.sql, it.args...).QueryRow(func(row pgx.Row) error { return row.Scan(it.dest...) })
	}
	err := g.pool.SendBatch(ctx, b).Close()
	var pgErr *pgconn.PgError
	switch {
	case err == nil:
		for _, it := range group {
			close(it.done)
		}
	case errors.As(err, &pgErr):
		// PostgreSQL refused a statement, so the transaction was rolled back whole: run
		// each write alone, and only the one at fault fails.
		for _, it := range group {
			g.alone(ctx, it)
		}
	default:
		for _, it := range group {
			it.err = err
			close(it.done)
		}
	}
}

// alone runs one write in its own transaction and answers it.
func (g *groupCommit) alone(ctx context.Context, it *groupItem) {
	it.err = g.pool.QueryRow(ctx, it.sql, it.args...).Scan(it.dest...)
	close(it.done)
}

// stats reports the groups committed and the writes they held.
func (g *groupCommit) stats() (groups, items int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.groups, g.items
}

// SetGroupCommit turns group commit of new comments on (the default) or off, before the
// database is used: off, each comment is committed by its own transaction, as soon as it
// comes.
func (db *DB) SetGroupCommit(on bool) { db.commits.off.Store(!on) }
