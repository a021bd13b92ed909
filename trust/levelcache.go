package trust

import (
	"context"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"

	"github.com/parleyhq/parley"
)

// CachedLevels is TrustLevels with HighestTrustLevel remembered for a short while. The rate
// limits ask it on every change of an account past the new-account quota, so a busy writer
// would otherwise cost a query per request. A level read here is at most ttl old: an account
// promoted from level 0 may wait that long for the larger quota, and one pinned back to 0
// keeps it that long; both only move a rate limit, never a permission.
type CachedLevels struct {
	parley.TrustLevels
	highest *expirable.LRU[string, parley.TrustLevel]
}

// CacheLevels wraps levels with a cache of at most size accounts, each kept for ttl.
func CacheLevels(levels parley.TrustLevels, size int, ttl time.Duration) *CachedLevels {
	return &CachedLevels{TrustLevels: levels, highest: expirable.NewLRU[string, parley.TrustLevel](size, nil, ttl)}
}

// HighestTrustLevel answers from the cache, or reads the level and keeps it.
func (c *CachedLevels) HighestTrustLevel(ctx context.Context, userID string) (parley.TrustLevel, error) {
	if level, ok := c.highest.Get(userID); ok {
		return level, nil
	}
	level, err := c.TrustLevels.HighestTrustLevel(ctx, userID)
	if err != nil {
		return 0, err
	}
	c.highest.Add(userID, level)
	return level, nil
}
