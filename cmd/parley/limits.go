package main

import (
	"context"
	"log/slog"
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
	// guests counts guest comments per client network.
	guests parley.RateLimiter
	// mailClient limits password-reset requests and mailed-token uses per client network;
	// mailAddress limits mail to one address.
	mailClient, mailAddress parley.RateLimiter
	mutations               graph.MutationLimits
	close                   func()
}

// newLimits builds the limits; hashKey keys the hash every limit key goes through, so no
// client address is stored as it is.
func newLimits(ctx context.Context, cfg *Config, hashKey []byte, logger *slog.Logger) (*limits, error) {
	newLimiter := func(name string, every time.Duration, burst int) parley.RateLimiter {
		return ratelimit.Hashed(ratelimit.NewMemory(every, burst), hashKey)
	}
	closeFn := func() {}
	if cfg.RedisURL != "" {
		// A Redis that does not answer yet is no reason not to start: limits count in the
		// process until it does, as they do whenever it stops answering later.
		c, err := redis.Open(ctx, cfg.RedisURL)
		if err != nil {
			unanswered := err
			if c, err = redis.Client(cfg.RedisURL); err != nil {
				return nil, err
			}
			logger.Warn("Redis does not answer; rate limits count in this process until it does", "error", unanswered)
		}
		closeFn = func() { _ = c.Close() }
		newLimiter = func(name string, every time.Duration, burst int) parley.RateLimiter {
			shared := redis.NewLimiter(c, "parley:"+cfg.Instance+":limit:"+name+":", every, burst)
			return ratelimit.Hashed(ratelimit.Fallback(shared, ratelimit.NewMemory(every, burst), logger.With("limit", name)), hashKey)
		}
	}
	return &limits{
		signUp:      newLimiter("signup", time.Hour/time.Duration(cfg.SignUpsPerHour), cfg.SignUpsPerHour),
		signIn:      newLimiter("signin", time.Minute/time.Duration(cfg.SignInsPerMinute), cfg.SignInsPerMinute),
		guests:      newLimiter("guests", time.Hour/time.Duration(cfg.GuestCommentsPerHour), cfg.GuestCommentsPerHour),
		mailClient:  newLimiter("mail-client", time.Hour/20, 20),
		mailAddress: newLimiter("mail-address", time.Hour/3, 3),
		mutations: graph.MutationLimits{
			PerClient:           newLimiter("client", time.Minute/time.Duration(cfg.ClientMutationsPerMinute), cfg.ClientMutationsPerMinute),
			PerAccount:          newLimiter("account", time.Minute/time.Duration(cfg.MutationsPerMinute), cfg.MutationsPerMinute),
			PerNewAccount:       newLimiter("new-account", time.Minute/time.Duration(cfg.NewAccountMutationsPerMinute), cfg.NewAccountMutationsPerMinute),
			NewStoriesPerClient: newLimiter("client-stories", time.Hour/time.Duration(cfg.ClientNewStoriesPerHour), cfg.ClientNewStoriesPerHour),
			NewStoriesPerSite:   newLimiter("site-stories", time.Hour/time.Duration(cfg.SiteNewStoriesPerHour), cfg.SiteNewStoriesPerHour),
		},
		close: closeFn,
	}, nil
}

// newAccountLimits lets the mutation limits tell accounts at trust level 0, which have the
// smaller PerNewAccount quota, from the stored levels.
func newAccountLimits(l graph.MutationLimits, levels parley.TrustLevels) graph.MutationLimits {
	l.Levels = levels
	return l
}
