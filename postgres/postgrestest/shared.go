package postgrestest

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/postgres"
)

// Shared is a test package's one database, opened by the first test that asks for it (so a
// run of tests that need none opens none) and dropped by Close from TestMain, with the
// package's own set-up (services, an administrator) run on it once.
type Shared[E any] struct {
	// Setup builds the package's environment on the new database.
	Setup func(ctx context.Context, db *postgres.DB) (E, error)

	once    sync.Once
	env     E
	err     error
	cleanup func()
}

// Env returns the environment, made on first use; without PostgreSQL the test is skipped,
// or failed when CI is set (CI must never pass by skipping).
func (s *Shared[E]) Env(tb testing.TB) E {
	tb.Helper()
	s.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		db, cleanup, err := OpenDB(ctx)
		if err != nil {
			s.err = err
			return
		}
		s.cleanup = cleanup
		s.env, s.err = s.Setup(ctx, db)
	})
	if s.err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("PostgreSQL is required (CI is set): %v", s.err)
		}
		tb.Skipf("needs PostgreSQL: %v", s.err)
	}
	return s.env
}

// Close drops the database if a test opened it.
func (s *Shared[E]) Close() {
	if s.cleanup != nil {
		s.cleanup()
	}
}
