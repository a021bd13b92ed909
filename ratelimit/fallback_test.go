package ratelimit_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleyhq/parley/ratelimit"
)

// switchable is a shared limiter that fails while down is set and allows everything else.
type switchable struct {
	down  atomic.Bool
	calls atomic.Int64
}

func (s *switchable) Allow(context.Context, string) (bool, time.Duration, error) {
	s.calls.Add(1)
	if s.down.Load() {
		return false, 0, errors.New("connection refused")
	}
	return true, 0, nil
}

func TestFallback(t *testing.T) {
	shared := &switchable{}
	local := ratelimit.NewMemory(time.Hour, 1)
	clk := newClock()
	l := ratelimit.Fallback(shared, local, nil, ratelimit.WithFallbackClock(clk.Now))

	t.Run("the shared limiter decides while it answers", func(t *testing.T) {
		for range 3 {
			MustAllow(t, l, "k", true)
		}
	})
	shared.down.Store(true)
	t.Run("a failing shared limiter gives way to the local one, which limits", func(t *testing.T) {
		MustAllow(t, l, "k", true)
		MustAllow(t, l, "k", false)
	})
	t.Run("the shared limiter is not asked again at once", func(t *testing.T) {
		before := shared.calls.Load()
		MustAllow(t, l, "other", true)
		if shared.calls.Load() != before {
			t.Fatal("the failing shared limiter was asked again within FallbackRetry")
		}
	})
	t.Run("once FallbackRetry has passed, an answering shared limiter decides again", func(t *testing.T) {
		shared.down.Store(false)
		clk.Advance(ratelimit.FallbackRetry)
		before := shared.calls.Load()
		MustAllow(t, l, "k", true) // the local limiter would refuse k
		if shared.calls.Load() != before+1 {
			t.Fatal("the shared limiter was not asked")
		}
	})
}
