// Package soak drives Parley the way a busy site does (writers posting comments, readers
// reading story pages, live subscribers over WebSocket) while faults are injected from
// outside, and then checks what the clients were told against what is stored and what the
// subscribers received. cmd/parley-soak runs it against `make cluster`; a smaller run is a
// test of cmd/parley. It speaks only the public API (GraphQL over HTTP and
// graphql-transport-ws); what is stored comes in through Config.Stored.
package soak

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// client sends GraphQL requests to one of several base URLs in turn (one URL: a balancer;
// several: the replicas themselves, when no balancer runs).
type client struct {
	urls []string
	next atomic.Uint64
	http *http.Client
}

func newClient(urls []string) *client {
	tr := &http.Transport{MaxIdleConnsPerHost: 256, IdleConnTimeout: 30 * time.Second}
	return &client{urls: urls, http: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

// base picks the next URL.
func (c *client) base() string { return c.urls[int(c.next.Add(1))%len(c.urls)] }

// gqlError is an error the API answered, with its extensions.code.
type gqlError struct{ Code, Message string }

func (e *gqlError) Error() string { return e.Code + ": " + e.Message }

// outcome says whether a failed request may have taken effect.
type outcome int

const (
	succeeded outcome = iota
	// notSent: the request reached no replica (refused connection, a balancer's 503 with no
	// server up), so sending it again cannot do it twice.
	notSent
	// unknown: the request may have been carried out (a connection lost mid-answer, a 502).
	unknown
	// refused: the API answered with an error.
	refused
)

// do posts a GraphQL request and decodes data into out. A request no replica accepted
// goes to the next URL at once, as a balancer retries a refused connection elsewhere.
func (c *client) do(ctx context.Context, token, query string, vars map[string]any, out any) (outcome, error) {
	o, err := c.once(ctx, token, query, vars, out)
	for i := 1; i < len(c.urls) && o == notSent && isDialError(err); i++ {
		o, err = c.once(ctx, token, query, vars, out)
	}
	return o, err
}

func (c *client) once(ctx context.Context, token, query string, vars map[string]any, out any) (outcome, error) {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base()+"/graphql", bytes.NewReader(body))
	if err != nil {
		return refused, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if errors.Is(err, syscall.ECONNREFUSED) || isDialError(err) {
			return notSent, err
		}
		return unknown, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return unknown, err
	}
	switch {
	case resp.StatusCode == http.StatusServiceUnavailable && !json.Valid(b):
		return notSent, fmt.Errorf("%s: %.80s", resp.Status, b) // the balancer had no replica
	case resp.StatusCode >= 500 && !json.Valid(b):
		return unknown, fmt.Errorf("%s: %.80s", resp.Status, b)
	}
	var r struct {
		Data   json.RawMessage
		Errors []struct {
			Message    string
			Extensions struct{ Code string }
		}
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return unknown, fmt.Errorf("%s: %w", resp.Status, err)
	}
	if len(r.Errors) > 0 {
		e := &gqlError{Code: r.Errors[0].Extensions.Code, Message: r.Errors[0].Message}
		if resp.StatusCode == http.StatusServiceUnavailable && e.Code != "" {
			return notSent, e // a draining replica's refusal
		}
		return refused, e
	}
	if out != nil {
		if err := json.Unmarshal(r.Data, out); err != nil {
			return refused, err
		}
	}
	return succeeded, nil
}

func isDialError(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// wsURL is a base URL's WebSocket endpoint.
func wsURL(base string) string { return "ws" + strings.TrimPrefix(base, "http") + "/graphql" }
