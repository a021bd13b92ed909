package main

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/parleyhq/parley/graph"
	"github.com/parleyhq/parley/nats"
	"github.com/parleyhq/parley/pagecache"
)

// readCacheWithOverlay answers anonymous reads from cache, and signed-in story pages from it
// too, with each viewer's reactions overlaid (graph.Overlay); readers with comments of their
// own that others do not see, and moderators, read uncached.
func readCacheWithOverlay(cache *pagecache.Cache, overlay *graph.Overlay) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler { return cache.MiddlewareWithOverlay(next, overlay) }
}

// The page cache's timing. An answer is fresh for pageCacheTTL, which bounds how stale it can
// be if its story's event were lost; one read in its last pageCacheRefreshAhead is refreshed
// in the background, so a popular page never expires under its readers; and one past its
// lifetime may still be served for pageCacheMaxStale while its refresh runs. An event about
// its story ends all of that at once.
const (
	pageCacheTTL          = 5 * time.Second
	pageCacheRefreshAhead = time.Second
	pageCacheMaxStale     = 2 * time.Second
)

// startPageCache makes the read cache and keeps it honest with every event of the instance:
// an event about a story or a site makes the answers that name it stale. An event this
// build cannot read never arrives (the feed skips and counts it); the cache's short
// lifetime bounds what it could leave stale.
func startPageCache(ctx context.Context, cfg *Config, feed *nats.Feed, reg prometheus.Registerer) (*pagecache.Cache, error) {
	cache := pagecache.NewWithConfig(pagecache.Config{MaxBytes: cfg.PageCacheBytes, TTL: pageCacheTTL,
		RefreshAhead: pageCacheRefreshAhead, MaxStale: pageCacheMaxStale})
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
	counter := func(name, help string, f func(pagecache.Stats) uint64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help},
			func() float64 { return float64(f(cache.Stats())) })
	}
	gauge := func(name, help string, f func(pagecache.Stats) int) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help},
			func() float64 { return float64(f(cache.Stats())) })
	}
	reg.MustRegister(
		counter("parley_page_cache_hits_total", "Reads answered from a kept answer (fresh, or stale while it was refreshed).",
			func(s pagecache.Stats) uint64 { return s.Hits }),
		counter("parley_page_cache_stale_total", "Reads answered from an answer past its lifetime while it was refreshed.",
			func(s pagecache.Stats) uint64 { return s.Stale }),
		counter("parley_page_cache_misses_total", "Reads that computed their answer.",
			func(s pagecache.Stats) uint64 { return s.Misses }),
		counter("parley_page_cache_coalesced_total", "Reads answered by waiting for another reader's computation of the same answer.",
			func(s pagecache.Stats) uint64 { return s.Coalesced }),
		counter("parley_page_cache_refreshes_total", "Background refreshes of answers near or past their lifetime.",
			func(s pagecache.Stats) uint64 { return s.Refreshes }),
		counter("parley_page_cache_overlaid_total", "Signed-in reads answered from a kept answer and the viewer's overlay.",
			func(s pagecache.Stats) uint64 { return s.Overlaid }),
		gauge("parley_page_cache_bytes", "Bytes of answers the page cache holds.",
			func(s pagecache.Stats) int { return s.Bytes }),
		gauge("parley_page_cache_entries", "Answers the page cache holds.",
			func(s pagecache.Stats) int { return s.Entries }),
	)
	return cache, nil
}
