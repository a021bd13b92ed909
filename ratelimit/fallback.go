package ratelimit

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/parleyhq/parley"
)

// FallbackRetry is how long a Fallback keeps to its local limiter after the shared one
// failed, before it asks the shared one again: short, so that counting together resumes
// soon after the shared store returns, and long enough that a store that is down costs
// one failed attempt a second rather than one per request.
const FallbackRetry = time.Second

// Fallback counts with shared (Redis, in every replica) and, while shared fails, with
// local (this process) instead, so that losing the shared store loosens limits to one
// process's count rather than failing every request that is limited. It logs one warning
// when it falls back and one notice when shared answers again.
func Fallback(shared, local parley.RateLimiter, logger *slog.Logger, opts ...FallbackOption) parley.RateLimiter {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	f := &fallback{shared: shared, local: local, log: logger, now: time.Now}
	for _, o := range opts {
		o(f)
	}
	return f
}

// FallbackOption changes how Fallback builds a limiter.
type FallbackOption func(*fallback)

// WithFallbackClock sets the clock that times FallbackRetry, so tests can move time
// without sleeping.
func WithFallbackClock(now func() time.Time) FallbackOption {
	return func(f *fallback) {
		if now != nil {
			f.now = now
		}
	}
}

type fallback struct {
	shared, local parley.RateLimiter
	log           *slog.Logger
	now           func() time.Time

	mu        sync.Mutex
	downUntil time.Time // zero while shared answers
}

func (f *fallback) Allow(ctx context.Context, key string) (bool, time.Duration, error) {
	f.mu.Lock()
	down := !f.downUntil.IsZero()
	retry := down && !f.now().Before(f.downUntil)
	f.mu.Unlock()
	if down && !retry {
		return f.local.Allow(ctx, key)
	}
	ok, wait, err := f.shared.Allow(ctx, key)
	if err != nil && ctx.Err() == nil {
		f.mu.Lock()
		if f.downUntil.IsZero() {
			f.log.Warn("shared rate limits failed; counting in this process until they answer", "error", err)
		}
		f.downUntil = f.now().Add(FallbackRetry)
		f.mu.Unlock()
		return f.local.Allow(ctx, key)
	}
	if err == nil && down {
		f.mu.Lock()
		if !f.downUntil.IsZero() {
			f.downUntil = time.Time{}
			f.log.Info("shared rate limits answer again")
		}
		f.mu.Unlock()
	}
	return ok, wait, err
}
