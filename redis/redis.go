// Package redis holds Parley's shared, non-authoritative state in Redis when REDIS_URL is
// set: rate limits every replica counts together. PostgreSQL stays the source of truth;
// losing Redis loses nothing but counts.
package redis

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/go-redis/redis_rate/v10"
	goredis "github.com/redis/go-redis/v9"

	"github.com/parleyhq/parley"
)

// Open connects to Redis at a redis:// URL and checks that it answers.
func Open(ctx context.Context, url string) (*goredis.Client, error) {
	c, err := Client(url)
	if err != nil {
		return nil, err
	}
	if err := c.Ping(ctx).Err(); err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("redis: %w", err)
	}
	return c, nil
}

// Client returns a client for a redis:// URL without waiting for it to answer; it connects
// on first use, and again after every failure.
func Client(url string) (*goredis.Client, error) {
	opts, err := goredis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	// A rate limit is asked on the request path and has a fallback in the process: a Redis
	// that does not answer should cost a request a second at most, not go-redis's default
	// retries (3 per command, 5 per dial) that made each asking request wait about 4 s.
	// Settings in the URL (max_retries, dial_timeout, ...) still win.
	if !strings.Contains(url, "max_retries") {
		opts.MaxRetries = -1
	}
	if !strings.Contains(url, "dial_timeout") {
		opts.DialTimeout = time.Second
	}
	opts.DialerRetries = 1
	return goredis.NewClient(opts), nil
}

// Limiter is a GCRA rate limit shared by every replica (redis_rate), implementing
// parley.RateLimiter. Keys are namespaced by prefix, so several limits and several test
// runs share one Redis without meeting.
type Limiter struct {
	limiter *redis_rate.Limiter
	prefix  string
	limit   redis_rate.Limit
}

// NewLimiter allows burst attempts at once and one more every interval, per key.
func NewLimiter(c *goredis.Client, prefix string, every time.Duration, burst int) *Limiter {
	return &Limiter{limiter: redis_rate.NewLimiter(c), prefix: prefix,
		limit: redis_rate.Limit{Rate: burst, Burst: burst, Period: every * time.Duration(burst)}}
}

var _ parley.RateLimiter = (*Limiter)(nil)

// Allow counts one attempt under key.
func (l *Limiter) Allow(ctx context.Context, key string) (bool, time.Duration, error) {
	res, err := l.limiter.Allow(ctx, l.prefix+key, l.limit)
	if err != nil {
		return false, 0, fmt.Errorf("redis rate limit: %w", err)
	}
	if res.Allowed > 0 {
		return true, 0, nil
	}
	return false, res.RetryAfter, nil
}
