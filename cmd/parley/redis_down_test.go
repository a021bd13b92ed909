package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/parleyhq/parley/postgres/postgrestest"
)

// TestServeWithRedisDown starts a replica whose Redis does not answer: it serves, and its
// rate limits count in the process.
func TestServeWithRedisDown(t *testing.T) {
	dsn, drop, err := postgrestest.CreateDatabase(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = drop() })
	port := freePorts(t, 1)[0] // nothing listens there
	base := startServe(t, map[string]string{"DATABASE_URL": dsn, "PARLEY_ADDR": "127.0.0.1:0", "PARLEY_DATA_DIR": t.TempDir(),
		"REDIS_URL": fmt.Sprintf("redis://127.0.0.1:%d/0", port), "PARLEY_SIGNUPS_PER_HOUR": "1"})
	signUp := func(n int) map[string]any {
		var out map[string]any
		mustGQLRaw(t, base, `mutation($i: SignUpInput!) { signUp(input: $i) { token } }`,
			map[string]any{"i": map[string]any{"email": fmt.Sprintf("r%d@example.org", n), "username": fmt.Sprintf("redisless%d", n), "password": "a long enough password"}}, &out)
		return out
	}
	t.Run("a limited mutation succeeds", func(t *testing.T) {
		if out := signUp(1); out["errors"] != nil {
			t.Fatalf("sign-up answered %v", out)
		}
	})
	t.Run("the limit still holds, counted in the process", func(t *testing.T) {
		out := signUp(2)
		errs, _ := out["errors"].([]any)
		if !containsCode(errs, "RATE_LIMITED") {
			t.Fatalf("second sign-up answered %v, want RATE_LIMITED", out)
		}
	})
}

func containsCode(errs []any, code string) bool {
	for _, e := range errs {
		if m, ok := e.(map[string]any); ok {
			if ext, ok := m["extensions"].(map[string]any); ok && ext["code"] == code {
				return true
			}
		}
	}
	return false
}

// mustGQLRaw posts a GraphQL request and decodes the whole answer, errors included.
func mustGQLRaw(t *testing.T, base, query string, vars map[string]any, out *map[string]any) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	res, err := http.Post(base+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if err := json.NewDecoder(res.Body).Decode(out); err != nil {
		t.Fatal(err)
	}
}
