package redis_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/parleyhq/parley/redis"
)

func TestLimiter(t *testing.T) {
	url := os.Getenv("PARLEY_TEST_REDIS_URL")
	if url == "" {
		url = "redis://127.0.0.1:6379/0"
	}
	ctx := context.Background()
	c, err := redis.Open(ctx, url)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("Redis is required (CI is set): %v", err)
		}
		t.Skip(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	// A prefix of its own keeps this run's keys apart; they expire by themselves.
	prefix := fmt.Sprintf("parley-test-%d:", time.Now().UnixNano())
	l := redis.NewLimiter(c, prefix, time.Hour, 2)
	other := redis.NewLimiter(c, prefix, time.Hour, 2)

	t.Run("a burst is allowed, then refused with a retry-after", func(t *testing.T) {
		for i := 0; i < 2; i++ {
			if ok, _, err := l.Allow(ctx, "ip:192.0.2.1"); err != nil || !ok {
				t.Fatalf("attempt %d refused: %v", i, err)
			}
		}
		ok, retry, err := l.Allow(ctx, "ip:192.0.2.1")
		if err != nil || ok || retry <= 0 || retry > time.Hour {
			t.Fatalf("third attempt: ok=%v retry=%v err=%v", ok, retry, err)
		}
	})
	t.Run("another replica sees the same count", func(t *testing.T) {
		if ok, _, _ := other.Allow(ctx, "ip:192.0.2.1"); ok {
			t.Fatal("a second limiter on the same Redis allowed what the first refused")
		}
	})
	t.Run("other keys are counted apart", func(t *testing.T) {
		if ok, _, err := l.Allow(ctx, "ip:192.0.2.2"); err != nil || !ok {
			t.Fatalf("another key refused: %v", err)
		}
	})
}
