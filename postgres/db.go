// Package postgres implements Parley's storage services on PostgreSQL with pgx. Every
// exported method that writes runs in one transaction together with the outbox row that
// describes the change, so an event can be late but never lost or invented.
package postgres

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley"
)

// DefaultMaxConns is the pool size unless the URL sets pool_max_conns. Writes spend most of
// their time waiting for the commit to reach disk, so more connections than cores let
// PostgreSQL flush many commits at once; pgx's default (one per core) would serialise them.
const DefaultMaxConns = 24

// DB is a connection pool with Parley's schema applied.
type DB struct {
	pool    *pgxpool.Pool
	logger  *slog.Logger
	queries atomic.Int64
	now     func() time.Time
	// commits groups the comment inserts of concurrent writers into one transaction.
	commits *groupCommit
}

// Open connects to PostgreSQL and applies pending migrations under an advisory lock, so
// several replicas may start at once.
func Open(ctx context.Context, dsn string, logger *slog.Logger) (*DB, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("parse database URL: %w", err)
	}
	if !strings.Contains(dsn, "pool_max_conns") {
		cfg.MaxConns = DefaultMaxConns
	}
	db := &DB{logger: logger, now: time.Now}
	cfg.ConnConfig.Tracer = queryCounter{&db.queries}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	db.pool = pool
	db.commits = newGroupCommit(pool)
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	if err := db.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return db, nil
}

// Close closes every connection.
func (db *DB) Close() {
	db.commits.close()
	db.pool.Close()
}

// Ping checks that the database answers; it serves readiness checks.
func (db *DB) Ping(ctx context.Context) error { return db.pool.Ping(ctx) }

// QueryCount is the number of SQL statements run through this DB so far. Tests and
// benchmarks use its deltas to prove that a page costs a fixed number of queries.
func (db *DB) QueryCount() int64 { return db.queries.Load() }

type queryCounter struct{ n *atomic.Int64 }

func (q queryCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	q.n.Add(1)
	return ctx
}

func (queryCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// The statements of a batch (group commit's) count one each, as if run alone.
func (queryCounter) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	return ctx
}

func (q queryCounter) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {
	q.n.Add(1)
}

func (queryCounter) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

// inTx runs fn in a transaction and commits when it returns nil. Errors are translated once,
// here at the storage edge.
func (db *DB) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return translate(err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if err := fn(tx); err != nil {
		return translate(err)
	}
	return translate(tx.Commit(ctx))
}

// querier is what both a pool and a transaction offer.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// translate turns driver errors into Parley errors: no rows is ENOTFOUND, a unique violation
// ECONFLICT. Parley errors pass through; the rest stay internal.
func translate(err error) error {
	if err == nil {
		return nil
	}
	var perr *parley.Error
	if errors.As(err, &perr) {
		return err
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return parley.Errorf(parley.ENOTFOUND, "Not found.")
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23505":
			return &parley.Error{Code: parley.ECONFLICT, Message: conflictMessage(pgErr.ConstraintName)}
		case "22P02", "23503":
			return parley.Errorf(parley.ENOTFOUND, "Not found.")
		case "40P01":
			// Two changes in one thread that lock its comments in opposite orders (a ban
			// rejecting many comments while a decision moves counts up the same thread):
			// PostgreSQL undoes one, which may simply be tried again.
			return parley.Errorf(parley.ECONFLICT, "This changed at the same moment as another change; try again.")
		}
	}
	return err
}

// translateNotFound is translate, naming what was not found.
func translateNotFound(err error, what string) error {
	if noRows(err) {
		return notFound(what)
	}
	return translate(err)
}

// noRows reports a query that found no row, for the few places where that is an answer
// rather than an error (a story to create on first use, a role never granted).
func noRows(err error) bool { return errors.Is(err, pgx.ErrNoRows) }

// conflictMessages tells a person which unique value is taken.
var conflictMessages = map[string]string{
	"users_username_key":             "That username is taken.",
	"users_email_key":                "An account with that email already exists.",
	"users_sso_key":                  "That single sign-on account is already linked.",
	"reports_comment_id_user_id_key": "You have already reported this comment.",
	"sso_jtis_pkey":                  "This sign-in token was already used.",
	"rule_heads_name_key":            "The site already has a rule of that name.",
}

func conflictMessage(constraint string) string {
	if m, ok := conflictMessages[constraint]; ok {
		return m
	}
	return "That already exists."
}

// newID returns a time-ordered UUID (v7), which keeps inserts at the end of primary-key indexes.
func newID() string { return uuid.Must(uuid.NewV7()).String() }

// notFound is the answer for anything missing or not visible to the caller, so that the two
// cannot be told apart.
func notFound(what string) error { return parley.Errorf(parley.ENOTFOUND, "%s not found.", what) }

// insertEvent writes an event to the outbox inside the caller's transaction; its kind is its
// payload's.
func insertEvent(ctx context.Context, tx pgx.Tx, e parley.Event) error {
	payload, err := parley.EncodeEvent(e.Payload)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `
		INSERT INTO outbox (id, kind, site_id, story_id, payload)
		VALUES ($1, $2, $3, $4, $5)`,
		newID(), e.Kind(), nullID(e.SiteID), nullID(e.StoryID), payload)
	if err != nil {
		return fmt.Errorf("write %s event: %w", e.Kind(), err)
	}
	return nil
}

// nullID maps "" to SQL NULL for optional uuid columns.
func nullID(id string) any {
	if id == "" {
		return nil
	}
	return id
}

// InstanceKey returns the instance's secret of a name, made at random on first use and the
// same for every replica afterwards.
func (db *DB) InstanceKey(ctx context.Context, name string) ([]byte, error) {
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		return nil, err
	}
	var key []byte
	var err error
	// Replicas starting together race to make the key: the loser's insert waits for the
	// winner's and does nothing, but its statement's snapshot predates the winner's row, so
	// it finds no key. A second statement, with a new snapshot, reads the winner's.
	for range 2 {
		err = db.pool.QueryRow(ctx, `
			WITH ins AS (INSERT INTO instance_keys (name, key) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING RETURNING key)
			SELECT key FROM ins UNION ALL SELECT key FROM instance_keys WHERE name = $1 LIMIT 1`, name, fresh).Scan(&key)
		if !errors.Is(err, pgx.ErrNoRows) {
			break
		}
	}
	return key, translate(err)
}
