package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// applyMemoryLimit gives the Go runtime a soft memory limit, so that the collector works
// harder as the process nears it instead of letting the heap double past a burst (the page
// cache, a batch of password hashes) and keeping that memory from the system. GOMEMLIMIT,
// when set, is the operator's word and wins; a limit of 0 leaves the runtime's default (none).
//
// The collector's goal, unless GOGC is set, is the live heap plus half (GOGC=50) rather than
// twice it: a replica's live heap is small (tens of megabytes: the page cache, NATS's write
// buffer, connections), so collecting twice as often costs little CPU, and the heap a busy
// replica keeps resident shrinks by a third.
func applyMemoryLimit(limit int64, getenv func(string) string, logger *slog.Logger) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(defaultGCPercent)
	}
	if getenv("GOMEMLIMIT") != "" || limit <= 0 {
		return
	}
	debug.SetMemoryLimit(limit)
	logger.Debug("soft memory limit set", "bytes", limit)
}

// defaultGCPercent is the collector's goal over the live heap unless GOGC says otherwise.
const defaultGCPercent = 50

// startDebug serves Go's profiles (/debug/pprof/) on addr, apart from the public listener, so
// an operator can see where a replica's memory and CPU go. It returns a function that stops
// it; with no address it serves nothing.
func startDebug(addr string, logger *slog.Logger) (stop func(), err error) {
	if addr == "" {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Warn("debug listener stopped", "error", err)
		}
	}()
	logger.Info("profiles served", "addr", "http://"+ln.Addr().String()+"/debug/pprof/")
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}, nil
}

// trimMemory hands the heap's slack back to the system once it grows well past what is live:
// with the collector's default goal (twice the live heap) and its background scavenger (which
// keeps ~10% over that goal), a replica that went through a burst (password hashes take 64 MiB
// each, a page recomputation some megabytes) keeps up to twice its live heap resident for
// minutes. Every check interval it compares the heap memory held with the live heap, and
// above slack it collects and returns the rest (debug.FreeOSMemory), at most once per
// minGap: a collection of a heap of tens of megabytes costs a few milliseconds. The live heap
// is as the last collection found it, which a quiet replica may not have run for minutes (a
// burst's garbage then counts as live), so a replica that held more than twice slack and ran
// no collection since the last check is trimmed as well.
func trimMemory(ctx context.Context, check, minGap time.Duration, slack uint64) {
	samples := []metrics.Sample{
		{Name: "/gc/heap/live:bytes"},
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/memory/classes/heap/unused:bytes"},
		{Name: "/memory/classes/heap/free:bytes"},
		{Name: "/gc/cycles/total:gc-cycles"},
	}
	tick := time.NewTicker(check)
	defer tick.Stop()
	var last time.Time
	var cycles uint64
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			if now.Sub(last) < minGap {
				continue
			}
			metrics.Read(samples)
			live := samples[0].Value.Uint64()
			held := samples[1].Value.Uint64() + samples[2].Value.Uint64() + samples[3].Value.Uint64()
			quiet := samples[4].Value.Uint64() == cycles
			cycles = samples[4].Value.Uint64()
			if held > live+live/2+slack || (quiet && held > 2*slack) {
				debug.FreeOSMemory()
				last = now
				metrics.Read(samples[4:])
				cycles = samples[4].Value.Uint64()
			}
		}
	}
}
