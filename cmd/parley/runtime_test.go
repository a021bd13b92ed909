package main

import (
	"context"
	"log/slog"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

func TestMemoryLimit(t *testing.T) {
	cores := int64(runtime.GOMAXPROCS(0))
	for name, tc := range map[string]struct {
		cfg  Config
		want int64
	}{
		"derived from the page cache and the hashing slots": {Config{PageCacheBytes: 64 << 20}, 64<<20 + cores*64<<20 + 64<<20},
		"without a page cache":                              {Config{}, cores*64<<20 + 64<<20},
		"as set":                                            {Config{PageCacheBytes: 64 << 20, MemoryLimit: 300 << 20}, 300 << 20},
	} {
		t.Run(name, func(t *testing.T) {
			if got := tc.cfg.memoryLimit(); got != tc.want {
				t.Fatalf("memoryLimit() = %d, want %d", got, tc.want)
			}
		})
	}
	t.Run("GOMEMLIMIT and GOGC win over the defaults", func(t *testing.T) {
		before, percent := debug.SetMemoryLimit(-1), debug.SetGCPercent(100)
		defer debug.SetGCPercent(percent)
		applyMemoryLimit(1<<30, func(k string) string {
			return map[string]string{"GOMEMLIMIT": "2GiB", "GOGC": "100"}[k]
		}, slog.New(slog.DiscardHandler))
		if got := debug.SetMemoryLimit(-1); got != before {
			t.Fatalf("limit changed to %d although GOMEMLIMIT is set", got)
		}
		if got := debug.SetGCPercent(100); got != 100 {
			t.Fatalf("GC percent changed to %d although GOGC is set", got)
		}
	})
	t.Run("without GOGC the collector's goal is half the live heap over it", func(t *testing.T) {
		limit, percent := debug.SetMemoryLimit(-1), debug.SetGCPercent(100)
		defer debug.SetMemoryLimit(limit)
		defer debug.SetGCPercent(percent)
		applyMemoryLimit(1<<40, func(string) string { return "" }, slog.New(slog.DiscardHandler))
		if got := debug.SetGCPercent(100); got != defaultGCPercent {
			t.Fatalf("GC percent %d, want %d", got, defaultGCPercent)
		}
		if got := debug.SetMemoryLimit(-1); got != 1<<40 {
			t.Fatalf("memory limit %d, want %d", got, int64(1<<40))
		}
	})
}

// TestTrimMemory drops a burst's worth of garbage and waits for the trimmer to hand it back.
func TestTrimMemory(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	burst := make([]byte, 64<<20)
	for i := range burst {
		burst[i] = 1
	}
	runtime.KeepAlive(burst)
	burst = nil
	go trimMemory(ctx, 10*time.Millisecond, 0, 1<<20)
	samples := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/free:bytes"}}
	deadline := time.Now().Add(30 * time.Second)
	for {
		metrics.Read(samples)
		held := samples[0].Value.Uint64() + samples[1].Value.Uint64()
		if held < 32<<20 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the heap still holds %d bytes of a dropped 64 MiB burst", held)
		}
		runtime.Gosched()
		time.Sleep(10 * time.Millisecond)
	}
}
