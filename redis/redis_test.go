package redis_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/parleyhq/parley/redis"
)

// MustRedis connects to the Redis that PARLEY_TEST_REDIS_URL names: `make test-go` starts
// one with scripts/dev-redis.sh. Without one the test is skipped, unless CI is set: then it
// fails, so that CI never passes without having run it.
func MustRedis(tb testing.TB) *goredis.Client {
	tb.Helper()
	url := os.Getenv("PARLEY_TEST_REDIS_URL")
	if url == "" {
		if os.Getenv("CI") != "" {
			tb.Fatal("Redis is required (CI is set): set PARLEY_TEST_REDIS_URL, as make test-go does")
		}
		tb.Skip("no Redis: set PARLEY_TEST_REDIS_URL=$(scripts/dev-redis.sh), as make test-go does")
	}
	c, err := redis.Open(context.Background(), url)
	if err != nil {
		tb.Fatalf("Redis at PARLEY_TEST_REDIS_URL: %v", err)
	}
	tb.Cleanup(func() { _ = c.Close() })
	return c
}

// MustPrefix returns a key prefix of the test's own, so that tests sharing one Redis (and
// runs sharing it over time) never see each other's keys; the keys expire by themselves.
func MustPrefix(tb testing.TB) string {
	tb.Helper()
	return fmt.Sprintf("parley-test:%s:%d:", tb.Name(), time.Now().UnixNano())
}

func TestLimiter(t *testing.T) {
	ctx := context.Background()
	c := MustRedis(t)
	prefix := MustPrefix(t)
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
