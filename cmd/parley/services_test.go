package main

import (
	"os"
	"testing"

	"github.com/parleyhq/parley/nats"
)

// MustNATS returns the URL of a NATS server with JetStream for replicas that must share
// one: PARLEY_TEST_NATS_URL when set (to test against a real cluster), else an embedded
// server of the test's own on a free loopback port, stopped when the test ends.
func MustNATS(tb testing.TB) string {
	tb.Helper()
	if url := os.Getenv("PARLEY_TEST_NATS_URL"); url != "" {
		return url
	}
	emb, err := nats.StartEmbedded(nats.EmbeddedOptions{StoreDir: tb.TempDir(), Listen: "127.0.0.1:0"})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(emb.Shutdown)
	return emb.ClientURL()
}

// MustRedisURL returns PARLEY_TEST_REDIS_URL, which `make test-go` sets from
// scripts/dev-redis.sh. Without it the replicas keep their rate limits in the process and
// the test says so, unless CI is set: then it fails, so that CI never passes without having
// exercised the shared limits.
func MustRedisURL(tb testing.TB) string {
	tb.Helper()
	url := os.Getenv("PARLEY_TEST_REDIS_URL")
	if url == "" {
		if os.Getenv("CI") != "" {
			tb.Fatal("Redis is required (CI is set): set PARLEY_TEST_REDIS_URL, as make test-go does")
		}
		tb.Log("no PARLEY_TEST_REDIS_URL: the replicas keep their rate limits in the process")
	}
	return url
}
