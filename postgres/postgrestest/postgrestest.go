// Package postgrestest gives tests a fresh Parley database on a real PostgreSQL server.
package postgrestest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/postgres"
)

// DefaultAdminURL is the server tests use unless PARLEY_TEST_DATABASE_URL names another; it
// must allow creating databases.
const DefaultAdminURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// AdminURL returns the URL of the database tests connect to for creating their own.
func AdminURL() string {
	if u := os.Getenv("PARLEY_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultAdminURL
}

// CreateDatabase creates an empty database with a random name and returns its URL and a
// function that drops it.
func CreateDatabase(ctx context.Context) (dsn string, drop func() error, err error) {
	admin, err := pgx.Connect(ctx, AdminURL())
	if err != nil {
		return "", nil, fmt.Errorf("no PostgreSQL at %s: %w", AdminURL(), err)
	}
	defer admin.Close(ctx)
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "parley_test_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", nil, fmt.Errorf("create test database: %w", err)
	}
	u, err := url.Parse(AdminURL())
	if err != nil {
		return "", nil, err
	}
	u.Path = "/" + name
	drop = func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		admin, err := pgx.Connect(ctx, AdminURL())
		if err != nil {
			return fmt.Errorf("drop test database %s: %w", name, err)
		}
		defer admin.Close(ctx)
		_, err = admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		return err
	}
	return u.String(), drop, nil
}

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
	return db, func() {
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

// Exec runs SQL on a test database directly, for states the API cannot reach, such as a
// comment posted long ago.
func Exec(tb testing.TB, db *postgres.DB, sql string, args ...any) {
	tb.Helper()
	if _, err := db.Pool().Exec(context.Background(), sql, args...); err != nil {
		tb.Fatalf("exec %q: %v", sql, err)
	}
}
