package ratelimit_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/ratelimit"
)

var _ parley.RateLimiter = (*ratelimit.Memory)(nil)

// clock is a settable time source for limiters under test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// MustAllow asks the limiter and fails the test when the answer differs from want; it
// returns the retry delay.
func MustAllow(tb testing.TB, l parley.RateLimiter, key string, want bool) time.Duration {
	tb.Helper()
	ok, retry, err := l.Allow(context.Background(), key)
	if err != nil {
		tb.Fatalf("Allow(%q): %v", key, err)
	}
	if ok != want {
		tb.Fatalf("Allow(%q) = %v, want %v", key, ok, want)
	}
	if ok && retry != 0 {
		tb.Fatalf("Allow(%q) allowed with retryAfter %s", key, retry)
	}
	return retry
}

func TestMemory(t *testing.T) {
	t.Run("allows the burst, then refuses with the time to wait", func(t *testing.T) {
		c := newClock()
		l := ratelimit.NewMemory(time.Minute, 3, ratelimit.WithClock(c.Now))
		for range 3 {
			MustAllow(t, l, "a", true)
		}
		if retry := MustAllow(t, l, "a", false); retry != time.Minute {
			t.Errorf("retryAfter = %s, want 1m0s", retry)
		}
		c.Advance(40 * time.Second)
		if retry := MustAllow(t, l, "a", false); retry != 20*time.Second {
			t.Errorf("retryAfter = %s, want 20s", retry)
		}
	})
	t.Run("allows again once a token has refilled", func(t *testing.T) {
		c := newClock()
		l := ratelimit.NewMemory(time.Minute, 1, ratelimit.WithClock(c.Now))
		MustAllow(t, l, "a", true)
		MustAllow(t, l, "a", false)
		c.Advance(time.Minute)
		MustAllow(t, l, "a", true)
		MustAllow(t, l, "a", false)
	})
	t.Run("does not charge refused attempts", func(t *testing.T) {
		c := newClock()
		l := ratelimit.NewMemory(time.Minute, 1, ratelimit.WithClock(c.Now))
		MustAllow(t, l, "a", true)
		for range 10 {
			MustAllow(t, l, "a", false)
		}
		c.Advance(time.Minute)
		MustAllow(t, l, "a", true)
	})
	t.Run("keeps keys apart", func(t *testing.T) {
		c := newClock()
		l := ratelimit.NewMemory(time.Minute, 1, ratelimit.WithClock(c.Now))
		MustAllow(t, l, "a", true)
		MustAllow(t, l, "a", false)
		MustAllow(t, l, "b", true)
	})
	t.Run("treats a burst below one as one", func(t *testing.T) {
		l := ratelimit.NewMemory(time.Hour, 0)
		MustAllow(t, l, "a", true)
		MustAllow(t, l, "a", false)
	})
	t.Run("allows everything when the interval is zero", func(t *testing.T) {
		l := ratelimit.NewMemory(0, 1)
		for range 100 {
			MustAllow(t, l, "a", true)
		}
		if n := l.Len(); n != 0 {
			t.Errorf("Len = %d, want 0: an unlimited limiter needs no state", n)
		}
	})
}

func TestMemoryBounded(t *testing.T) {
	t.Run("forgets keys idle long enough to refill", func(t *testing.T) {
		c := newClock()
		l := ratelimit.NewMemory(time.Minute, 2, ratelimit.WithClock(c.Now))
		for i := range 100 {
			MustAllow(t, l, fmt.Sprint("idle-", i), true)
		}
		c.Advance(2*time.Minute - time.Second)
		MustAllow(t, l, "fresh", true)
		if n := l.Len(); n != 101 {
			t.Errorf("Len = %d before the refill time, want 101", n)
		}
		c.Advance(time.Second)
		MustAllow(t, l, "fresh", true)
		if n := l.Len(); n != 1 {
			t.Errorf("Len = %d after the refill time, want 1", n)
		}
	})
	t.Run("keeps a key whose bucket has not refilled", func(t *testing.T) {
		c := newClock()
		l := ratelimit.NewMemory(time.Minute, 1, ratelimit.WithClock(c.Now))
		MustAllow(t, l, "busy", true)
		c.Advance(59 * time.Second)
		MustAllow(t, l, "other", true) // sweeps
		MustAllow(t, l, "busy", false)
	})
	t.Run("caps the number of keys, forgetting the least recently used", func(t *testing.T) {
		c := newClock()
		l := ratelimit.NewMemory(time.Hour, 1, ratelimit.WithClock(c.Now), ratelimit.WithMaxKeys(3))
		for _, k := range []string{"a", "b", "c"} {
			MustAllow(t, l, k, true)
		}
		MustAllow(t, l, "a", false) // a is now the most recently used
		MustAllow(t, l, "d", true)  // evicts b
		if n := l.Len(); n != 3 {
			t.Errorf("Len = %d, want 3", n)
		}
		MustAllow(t, l, "a", false)
		MustAllow(t, l, "b", true) // b was forgotten, so it starts afresh (and evicts c)
		MustAllow(t, l, "d", false)
	})
}

func TestMemoryConcurrent(t *testing.T) {
	l := ratelimit.NewMemory(time.Hour, 50)
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				ok, _, err := l.Allow(context.Background(), "shared")
				if err != nil {
					t.Error(err)
				}
				if ok {
					allowed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if n := allowed.Load(); n != 50 {
		t.Errorf("allowed %d of 800 concurrent attempts, want exactly the burst of 50", n)
	}
}

func TestHashedCountsTheSameKeysTogether(t *testing.T) {
	inner := ratelimit.NewMemory(time.Hour, 1)
	l := ratelimit.Hashed(inner, []byte("a key"))
	ctx := context.Background()
	if ok, _, _ := l.Allow(ctx, "ip:192.0.2.1"); !ok {
		t.Fatal("first attempt refused")
	}
	if ok, _, _ := l.Allow(ctx, "ip:192.0.2.1"); ok {
		t.Fatal("second attempt under the same key allowed")
	}
	if ok, _, _ := l.Allow(ctx, "ip:192.0.2.2"); !ok {
		t.Fatal("another key refused")
	}
	if ok, _, _ := inner.Allow(ctx, "ip:192.0.2.2"); !ok {
		t.Fatal("the inner limiter saw the raw key")
	}
}
