package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/auth"
	"github.com/parleyhq/parley/ratelimit"
)

// TestOIDCStartIsLimited shows that starting sign-ins, which needs no account and stores a
// row each time, is limited per client network before anything is read or written.
func TestOIDCStartIsLimited(t *testing.T) {
	o := auth.NewOIDC(nil, nil, auth.OIDCOptions{StartLimiter: ratelimit.NewMemory(time.Hour, 1)})
	ctx := parley.NewContextWithClient(context.Background(), parley.Client{IP: "203.0.113.7"})
	// The first start gets past the limit and fails on its input instead.
	if _, err := o.StartOIDC(ctx, "not an id", "not an id", "https://news.example"); parley.ErrorCode(err) != parley.ENOTFOUND {
		t.Fatalf("first start: %v, want NOT_FOUND from its input", err)
	}
	if _, err := o.StartOIDC(ctx, "not an id", "not an id", "https://news.example"); parley.ErrorCode(err) != parley.ERATELIMITED {
		t.Fatalf("second start: %v, want RATE_LIMITED", err)
	}
	other := parley.NewContextWithClient(context.Background(), parley.Client{IP: "198.51.100.9"})
	if _, err := o.StartOIDC(other, "not an id", "not an id", "https://news.example"); parley.ErrorCode(err) != parley.ENOTFOUND {
		t.Fatalf("another network: %v, want NOT_FOUND from its input", err)
	}
}
