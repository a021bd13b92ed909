package trust_test

import (
	"context"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/trust"
)

// countingLevels counts the reads that reach it.
type countingLevels struct {
	parley.TrustLevels
	level parley.TrustLevel
	reads int
}

func (c *countingLevels) HighestTrustLevel(context.Context, string) (parley.TrustLevel, error) {
	c.reads++
	return c.level, nil
}

func TestCachedLevelsReadOncePerTTL(t *testing.T) {
	ctx := context.Background()
	stored := &countingLevels{level: parley.TrustBasic}
	levels := trust.CacheLevels(stored, 10, 50*time.Millisecond)
	for range 5 {
		if l, err := levels.HighestTrustLevel(ctx, "a"); err != nil || l != parley.TrustBasic {
			t.Fatalf("level = %v, %v", l, err)
		}
	}
	if stored.reads != 1 {
		t.Fatalf("5 asks read the store %d times, want 1", stored.reads)
	}
	if _, err := levels.HighestTrustLevel(ctx, "b"); err != nil || stored.reads != 2 {
		t.Fatalf("another account: %d reads, %v", stored.reads, err)
	}
	stored.level = parley.TrustNew
	deadline := time.Now().Add(5 * time.Second)
	for {
		l, _ := levels.HighestTrustLevel(ctx, "a")
		if l == parley.TrustNew {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a changed level was never read again after the cache's ttl")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
