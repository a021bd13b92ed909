package main

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/parleyhq/parley/nats"
	"github.com/parleyhq/parley/pagecache"
)

// pageCacheTTL bounds how stale an answer can be if its story's event were lost.
const pageCacheTTL = 5 * time.Second

// startPageCache makes the read cache and keeps it honest with every event of the instance:
// an event about a story or a site makes the answers that name it stale. An event this
// build cannot read never arrives (the feed skips and counts it); the cache's short
// lifetime bounds what it could leave stale.
func startPageCache(ctx context.Context, cfg *Config, feed *nats.Feed, reg prometheus.Registerer) (*pagecache.Cache, error) {
	cache := pagecache.New(cfg.PageCacheBytes, pageCacheTTL)
	events, err := feed.AllEvents(ctx)
	if err != nil {
		return nil, err
	}
	go func() {
		for e := range events {
			cache.Invalidate(e.StoryID)
			cache.Invalidate(e.SiteID)
		}
	}()
	reg.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "parley_page_cache_hits_total", Help: "Anonymous reads answered from the cache."},
			func() float64 { h, _ := cache.Stats(); return float64(h) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "parley_page_cache_misses_total", Help: "Anonymous reads the cache could not answer."},
			func() float64 { _, m := cache.Stats(); return float64(m) }),
	)
	return cache, nil
}
