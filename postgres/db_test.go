package postgres_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/postgres/postgrestest"
)

func TestMigrationsUnderConcurrentStarts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn, drop, err := postgrestest.CreateDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = drop() })
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := postgres.Open(ctx, dsn, nil)
			if err == nil {
				db.Close()
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("replica %d: %v", i, err)
		}
	}
}

// TestPageQueriesUseIndexes checks that every query serving a page is an index range scan
// that needs no sort, so reading page N costs the same as page 1 however big the story is.
func TestPageQueriesUseIndexes(t *testing.T) {
	e := MustEnv(t)
	ctx := context.Background()
	conn, err := e.db.Pool().Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	// Test tables are tiny, where a sequential scan is rightly cheaper; forbid it to see
	// which index the planner would use on a big table.
	if _, err := conn.Exec(ctx, `SET enable_seqscan = off`); err != nil {
		t.Fatal(err)
	}
	defer conn.Exec(ctx, `RESET enable_seqscan`)
	id := "0190a0a0-0000-7000-8000-000000000000"
	queries := postgres.PageQueries(id)
	for name, sql := range postgres.QueueQueries() {
		args := []any{id, 21}
		if strings.HasSuffix(name, "after") {
			args = append(args, time.Now(), id)
		}
		queries[name] = postgres.PageQuery{SQL: sql, Args: args}
	}
	for name, q := range queries {
		t.Run(name+" scans an index without sorting", func(t *testing.T) {
			p := explain(t, conn, q)
			if !strings.Contains(p, "Index Scan") || strings.Contains(p, "Seq Scan") {
				t.Fatalf("no index scan:\n%s", p)
			}
			// Replies are few per comment; sorting them by count in memory is fine.
			if !strings.HasPrefix(name, "replies") && strings.Contains(p, "Sort") {
				t.Fatalf("page needs a sort:\n%s", p)
			}
		})
	}
}

func TestInstanceKeyRace(t *testing.T) {
	e := MustEnv(t)
	name := fmt.Sprintf("race-%d", userSeq.Add(1))
	keys := make([][]byte, 8)
	errs := make([]error, len(keys))
	var wg sync.WaitGroup
	for i := range keys {
		wg.Go(func() { keys[i], errs[i] = e.db.InstanceKey(context.Background(), name) })
	}
	wg.Wait()
	t.Run("replicas starting together read one key", func(t *testing.T) {
		for i := range keys {
			if errs[i] != nil || !bytes.Equal(keys[i], keys[0]) || len(keys[0]) != 32 {
				t.Fatalf("call %d: %x, %v; want the key of call 0, %x", i, keys[i], errs[i], keys[0])
			}
		}
	})
}

// explain returns q's plan as EXPLAIN prints it, logged with PARLEY_SHOW_PLANS set.
func explain(t *testing.T, conn *pgxpool.Conn, q postgres.PageQuery) string {
	t.Helper()
	rows, err := conn.Query(context.Background(), "EXPLAIN "+q.SQL, q.Args...)
	if err != nil {
		t.Fatal(err)
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	p := strings.Join(lines, "\n") + "\n"
	if os.Getenv("PARLEY_SHOW_PLANS") != "" {
		t.Log(p)
	}
	return p
}
