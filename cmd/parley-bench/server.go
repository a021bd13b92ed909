package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"time"
)

// server is a running `parley serve`.
type server struct {
	cmd  *exec.Cmd
	base string
	done chan error
}

// startServer runs the binary on a free loopback port with the benchmark ceiling endpoint
// on, and waits for it to say where it listens.
func startServer(ctx context.Context, bin, dsn, dataDir string, extraEnv ...string) (*server, error) {
	cmd := exec.CommandContext(ctx, bin, "serve")
	cmd.Env = append(os.Environ(), extraEnv...)
	cmd.Env = append(cmd.Env,
		"DATABASE_URL="+dsn,
		"PARLEY_ADDR=127.0.0.1:0",
		"PARLEY_PUBLIC_URL=http://bench.localhost",
		"PARLEY_DATA_DIR="+dataDir,
		"PARLEY_ENV=production",
		"PARLEY_LOG_LEVEL=warn",
		"PARLEY_BENCH_ENDPOINTS=true",
		"PARLEY_SIGNUPS_PER_HOUR=1000000",
		"PARLEY_MUTATIONS_PER_MINUTE=100000000",
		"PARLEY_CLIENT_MUTATIONS_PER_MINUTE=100000000",
		"PARLEY_CLIENT_NEW_STORIES_PER_HOUR=100000000",
		"PARLEY_SITE_NEW_STORIES_PER_HOUR=100000000",
		"PARLEY_ADMIN_EMAIL=bench-admin@bench.localhost",
		"PARLEY_ADMIN_USERNAME=benchadmin",
		"PARLEY_ADMIN_PASSWORD="+adminPassword,
	)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{cmd: cmd, done: make(chan error, 1)}
	addr := make(chan string, 1)
	go func() {
		lines := bufio.NewScanner(stdout)
		re := regexp.MustCompile(`listening on (http://\S+)`)
		for lines.Scan() {
			if m := re.FindStringSubmatch(lines.Text()); m != nil {
				addr <- m[1]
				break
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	go func() {
		err := cmd.Wait()
		if ps := cmd.ProcessState; ps != nil && !ps.Success() {
			fmt.Fprintf(os.Stderr, "parley-bench: the server exited: %v\n", ps)
		}
		s.done <- err
	}()
	select {
	case s.base = <-addr:
		return s, nil
	case err := <-s.done:
		return nil, fmt.Errorf("parley exited: %v", err)
	case <-time.After(60 * time.Second):
		s.stop()
		return nil, errNoAddress
	}
}

// stop asks the server to shut down gracefully, as an operator would.
func (s *server) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(20 * time.Second):
		_ = s.cmd.Process.Kill()
	}
}

const adminPassword = "bench admin password"

// hostDescription names the CPU the figures were taken on.
func hostDescription() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "model name") {
				model = strings.TrimSpace(strings.SplitN(line, ":", 2)[1])
				break
			}
		}
	}
	return fmt.Sprintf("%d × %s", runtime.NumCPU(), model)
}

// rss reads the server's resident memory and its peak from /proc, in bytes.
func (s *server) rss() (now, peak int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		var kb int64
		if _, err := fmt.Sscanf(strings.TrimSpace(value), "%d kB", &kb); err != nil {
			continue
		}
		switch name {
		case "VmRSS":
			now = kb << 10
		case "VmHWM":
			peak = kb << 10
		}
	}
	return now, peak, nil
}

// rssRow is the table's row of the server's resident memory right after the run, after
// rssIdle with nothing to do, and at its peak.
func (s *server) rssRow() result {
	name := "server RSS after the run"
	now, _, err := s.rss()
	if err != nil {
		return result{name: name, note: err.Error()}
	}
	time.Sleep(rssIdle)
	idle, peak, err := s.rss()
	if err != nil {
		return result{name: name, note: err.Error()}
	}
	mb := func(b int64) float64 { return float64(b) / (1 << 20) }
	return result{name: name, note: fmt.Sprintf("%.0f MB, %.0f MB after %s idle (peak %.0f MB)", mb(now), mb(idle), rssIdle, mb(peak))}
}

// rssIdle is how long the server rests before its memory is read a second time.
const rssIdle = 15 * time.Second
