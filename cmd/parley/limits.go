package main

import (
	"context"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/graph"
	"github.com/parleyhq/parley/ratelimit"
	"github.com/parleyhq/parley/redis"
)

// limits are every rate limit of the server: in Redis, shared by all replicas, when
// REDIS_URL is set; in the process otherwise.
type limits struct {
	signUp, signIn parley.RateLimiter
	mutations      graph.MutationLimits
	close          func()
}

func newLimits(ctx context.Context, cfg *Config) (*limits, error) {
	newLimiter := func(name string, every time.Duration, burst int) parley.RateLimiter {
		return ratelimit.NewMemory(every, burst)
	}
	closeFn := func() {}
	if cfg.RedisURL != "" {
		c, err := redis.Open(ctx, cfg.RedisURL)
		if err != nil {
			return nil, err
		}
		closeFn = func() { _ = c.Close() }
		newLimiter = func(name string, every time.Duration, burst int) parley.RateLimiter {
			return redis.NewLimiter(c, "parley:"+cfg.Instance+":limit:"+name+":", every, burst)
		}
	}
	return &limits{
		signUp: newLimiter("signup", time.Hour/time.Duration(cfg.SignUpsPerHour), cfg.SignUpsPerHour),
		signIn: newLimiter("signin", time.Minute/time.Duration(cfg.SignInsPerMinute), cfg.SignInsPerMinute),
		mutations: graph.MutationLimits{
			PerClient:  newLimiter("client", time.Minute/time.Duration(cfg.ClientMutationsPerMinute), cfg.ClientMutationsPerMinute),
			PerAccount: newLimiter("account", time.Minute/time.Duration(cfg.MutationsPerMinute), cfg.MutationsPerMinute),
		},
		close: closeFn,
	}, nil
}
