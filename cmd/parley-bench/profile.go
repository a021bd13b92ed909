package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// profiler saves the server's profiles into dir while the load runs, through the debug
// listener (PARLEY_DEBUG_ADDR) the server was started with. A nil profiler saves nothing.
type profiler struct {
	dir, addr string
}

// newProfiler picks a free loopback port for the server's debug listener; with no dir it
// returns nil.
func newProfiler(dir string) (*profiler, error) {
	if dir == "" {
		return nil, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	return &profiler{dir: dir, addr: addr}, nil
}

// env is what the server needs to serve its profiles.
func (p *profiler) env() []string {
	if p == nil {
		return nil
	}
	return []string{"PARLEY_DEBUG_ADDR=" + p.addr}
}

// cpu records a CPU profile of the next d into name.pprof in the background; wait for the
// returned function before reading it.
func (p *profiler) cpu(ctx context.Context, name string, d time.Duration) (wait func()) {
	if p == nil {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		p.save(ctx, fmt.Sprintf("/debug/pprof/profile?seconds=%d", int(d.Seconds())), name+".pprof")
	}()
	return func() { <-done }
}

// snapshot saves the heap profile (after a collection), the goroutines and the runtime's
// memory statistics as they are now.
func (p *profiler) snapshot(ctx context.Context, name string) {
	if p == nil {
		return
	}
	p.save(ctx, "/debug/pprof/heap?gc=1", name+"-heap.pprof")
	p.save(ctx, "/debug/pprof/goroutine?debug=1", name+"-goroutines.txt")
	p.save(ctx, "/debug/pprof/allocs?debug=1", name+"-memstats.txt")
}

func (p *profiler) save(ctx context.Context, path, file string) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+p.addr+path, nil)
	if err != nil {
		return
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintf(os.Stderr, "parley-bench: profile %s: %v\n", path, err)
		return
	}
	defer res.Body.Close()
	f, err := os.Create(filepath.Join(p.dir, file))
	if err != nil {
		return
	}
	defer f.Close()
	_, _ = io.Copy(f, res.Body)
}
