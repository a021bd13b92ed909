package ratelimit

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/parleyhq/parley"
)

// Hashed passes every key through a keyed hash (HMAC-SHA256) before next sees it, so the
// client addresses that limits are keyed on are never stored as they are, in memory or in
// Redis. Every replica must use the same key to count together.
func Hashed(next parley.RateLimiter, key []byte) parley.RateLimiter {
	return hashed{next: next, key: key}
}

type hashed struct {
	next parley.RateLimiter
	key  []byte
}

func (h hashed) Allow(ctx context.Context, key string) (bool, time.Duration, error) {
	mac := hmac.New(sha256.New, h.key)
	mac.Write([]byte(key))
	return h.next.Allow(ctx, hex.EncodeToString(mac.Sum(nil)[:16]))
}
