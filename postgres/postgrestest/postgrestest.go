// Package postgrestest gives tests a fresh Parley database on a real PostgreSQL server.
package postgrestest

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/postgres/scratchdb"
)

// DefaultAdminURL is the server tests use unless PARLEY_TEST_DATABASE_URL names another; it
// must allow creating databases.
const DefaultAdminURL = scratchdb.DefaultAdminURL

// AdminURL returns the URL of the database tests connect to for creating their own.
func AdminURL() string { return scratchdb.AdminURL() }

// CreateDatabase creates an empty database with a random name and returns its URL and a
// function that drops it.
func CreateDatabase(ctx context.Context) (dsn string, drop func() error, err error) {
	return scratchdb.Create(ctx)
}

// raw holds a pool of its own for each database OpenDB made, for the raw SQL of Exec and
// Pool: postgres.DB keeps its pool to itself, and tests reach the tables without it.
var raw sync.Map // *postgres.DB → *pgxpool.Pool

// OpenDB returns a migrated Parley database of its own and a function that closes and drops
// it. Packages call it once from TestMain: one database per test package.
func OpenDB(ctx context.Context) (*postgres.DB, func(), error) {
	dsn, drop, err := CreateDatabase(ctx)
	if err != nil {
		return nil, nil, err
	}
	db, err := postgres.Open(ctx, dsn, nil)
	if err != nil {
		_ = drop()
		return nil, nil, err
	}
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		db.Close()
		_ = drop()
		return nil, nil, err
	}
	raw.Store(db, pool)
	return db, func() {
		raw.Delete(db)
		pool.Close()
		db.Close()
		if err := drop(); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
	}, nil
}

// Unavailable reports a database that could not be had and ends the test binary: a failure
// when CI is set (CI must never pass by skipping), a loud skip otherwise.
func Unavailable(err error) {
	if os.Getenv("CI") != "" {
		fmt.Fprintf(os.Stderr, "FAIL: PostgreSQL is required (CI is set): %v\n", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "SKIP: every test of this package needs PostgreSQL: %v\n", err)
	os.Exit(0)
}

// MustOpenDB returns a migrated Parley database of its own, closed and dropped when the test
// ends. Prefer OpenDB from TestMain; this is for tests that need a database to themselves.
func MustOpenDB(tb testing.TB) *postgres.DB {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, cleanup, err := OpenDB(ctx)
	if err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("PostgreSQL is required (CI is set): %v", err)
		}
		tb.Skipf("%v", err)
	}
	tb.Cleanup(cleanup)
	return db
}

// Pool returns a connection pool to the same database as db, which OpenDB or MustOpenDB
// made, for reading and writing its tables directly.
func Pool(tb testing.TB, db *postgres.DB) *pgxpool.Pool {
	tb.Helper()
	pool, ok := raw.Load(db)
	if !ok {
		tb.Fatal("postgrestest: this database was not opened by postgrestest")
	}
	return pool.(*pgxpool.Pool)
}

// Exec runs SQL on a test database directly, for states the API cannot reach, such as a
// comment posted long ago.
func Exec(tb testing.TB, db *postgres.DB, sql string, args ...any) {
	tb.Helper()
	if _, err := Pool(tb, db).Exec(context.Background(), sql, args...); err != nil {
		tb.Fatalf("exec %q: %v", sql, err)
	}
}
