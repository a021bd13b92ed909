package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// health asks a running server on this machine whether it serves, so a container's
// HEALTHCHECK needs no shell or curl in the image: it exits 0 when GET /healthz answers 200.
func health(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	addr := getenv("PARLEY_ADDR")
	if addr == "" {
		addr = ":8080"
	}
	fs := flag.NewFlagSet("health", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&addr, "addr", addr, "the server's listen address (env PARLEY_ADDR)")
	timeout := fs.Duration("timeout", 3*time.Second, "how long to wait for the answer")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	url, err := healthURL(addr)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("health: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("health: %s answered %s", url, resp.Status)
	}
	fmt.Fprintln(stdout, "ok")
	return nil
}

// healthURL turns a listen address into the URL of its /healthz on this machine: a server
// listening on every interface (":8080", "0.0.0.0:8080", "[::]:8080") is reached on
// 127.0.0.1, one bound to a single address on that address.
func healthURL(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("PARLEY_ADDR %q: %w", addr, err)
	}
	if port == "" || port == "0" {
		return "", fmt.Errorf("PARLEY_ADDR %q names no port to ask", addr)
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/healthz", nil
}
