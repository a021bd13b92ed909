package main

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/parleyhq/parley/auth"
	"github.com/parleyhq/parley/nats"
)

// watchIdentities feeds the token cache every user event of the instance, on every replica,
// so that a token revoked (or an account deleted, banned or given another role) through any
// replica is forgotten by all of them as soon as the event arrives. While the connection to
// NATS is down the cache keeps nothing and every request asks the database, as before the
// cache: a lost event could otherwise let a revoked token through.
func watchIdentities(ctx context.Context, cache *auth.IdentityCache, events *bus, instance string, reg prometheus.Registerer) error {
	if cache == nil {
		return nil
	}
	if err := nats.WatchUsers(ctx, events.conn, instance, cache.Handle, cache.SetLive); err != nil {
		return err
	}
	counter := func(name, help string, f func(auth.IdentityCacheStats) uint64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help},
			func() float64 { return float64(f(cache.Stats())) })
	}
	reg.MustRegister(
		counter("parley_identity_cache_hits_total", "Bearer tokens resolved from the replica's token cache.",
			func(s auth.IdentityCacheStats) uint64 { return s.Hits }),
		counter("parley_identity_cache_misses_total", "Bearer tokens looked up in the database.",
			func(s auth.IdentityCacheStats) uint64 { return s.Misses }),
		counter("parley_identity_cache_drops_total", "Users, tokens or whole caches forgotten on events, sign-outs and lost connections.",
			func(s auth.IdentityCacheStats) uint64 { return s.Drops }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "parley_identity_cache_live",
			Help: "1 while the token cache hears the event stream and keeps entries, 0 while it asks the database every time."},
			func() float64 {
				if cache.Stats().Live {
					return 1
				}
				return 0
			}),
	)
	return nil
}
