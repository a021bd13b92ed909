package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/seal"
)

// Defaults of SenderOptions.
const (
	DefaultTimeout      = 10 * time.Second
	DefaultRetryFor     = 24 * time.Hour
	DefaultDisableAfter = 24 * time.Hour
	DefaultKeepFor      = 30 * 24 * time.Hour
	firstRetry          = 30 * time.Second
	maxRetry            = 4 * time.Hour
)

// SenderOptions configure a Sender; the zero value is usable.
type SenderOptions struct {
	// AllowPrivate lets requests reach private, loopback and link-local addresses: for
	// development, or an operator whose receivers are on the internal network.
	AllowPrivate bool
	// Timeout bounds one request, from dialling to the last header byte: 10 s by default.
	Timeout time.Duration
	// RetryFor is how long a failing delivery is retried: 24 h by default.
	RetryFor time.Duration
	// DisableAfter turns an endpoint off once it has failed without a success for this
	// long: 24 h by default.
	DisableAfter time.Duration
	// Workers bounds concurrent requests per replica: 8 by default. Batch is how many
	// deliveries one claim takes: 4 × Workers by default.
	Workers int
	Batch   int
	// Poll is how often due retries are looked for when nothing wakes the sender: 1 s.
	Poll time.Duration
	// KeepFor is how long the log keeps a delivery that ended: 30 days by default. The
	// sender prunes older ones every hour.
	KeepFor time.Duration
	// Seal opens the secrets sealed at rest (PARLEY_SECRET_KEY); secrets stored in the
	// clear are read as they are, whatever it is.
	Seal   *seal.Box
	Now    func() time.Time
	Logger *slog.Logger
}

// Sender sends due deliveries. Every replica runs one; the store's claim keeps them from
// sending the same attempt twice.
type Sender struct {
	store  parley.WebhookStore
	o      SenderOptions
	client *http.Client
	wake   chan struct{}
	logger *slog.Logger
}

// NewSender returns a sender on store.
func NewSender(store parley.WebhookStore, o SenderOptions) *Sender {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.RetryFor <= 0 {
		o.RetryFor = DefaultRetryFor
	}
	if o.DisableAfter <= 0 {
		o.DisableAfter = DefaultDisableAfter
	}
	if o.Workers <= 0 {
		o.Workers = 8
	}
	if o.Batch <= 0 {
		o.Batch = 4 * o.Workers
	}
	if o.Poll <= 0 {
		o.Poll = time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.KeepFor <= 0 {
		o.KeepFor = DefaultKeepFor
	}
	logger := o.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Sender{store: store, o: o, client: newClient(o), wake: make(chan struct{}, 1), logger: logger}
}

// newClient is the HTTP client of webhooks: no proxy (it would dial for us, past the
// guard), no redirects (a redirect is an answer, recorded and not followed: it could point
// inside), a time limit on the whole exchange, and the address guard on every dial.
func newClient(o SenderOptions) *http.Client {
	dialer := &net.Dialer{Timeout: o.Timeout, KeepAlive: 30 * time.Second}
	if !o.AllowPrivate {
		dialer.Control = dialControl
	}
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   o.Timeout,
		ResponseHeaderTimeout: o.Timeout,
	}
	return &http.Client{
		Transport:     tr,
		Timeout:       o.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Wake asks the sender to look for due deliveries now: the consumer calls it after queueing,
// so a delivery waits for no poll. It never blocks.
func (s *Sender) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run sends due deliveries until ctx ends.
func (s *Sender) Run(ctx context.Context) error {
	t := time.NewTicker(s.o.Poll)
	defer t.Stop()
	var pruned time.Time
	for {
		if now := s.o.Now(); now.Sub(pruned) >= time.Hour {
			pruned = now
			if n, err := s.store.PruneWebhookDeliveries(ctx, now.Add(-s.o.KeepFor)); err != nil && ctx.Err() == nil {
				s.logger.Warn("webhooks: pruning the delivery log failed", "error", err)
			} else if n > 0 {
				s.logger.Info("webhooks: delivery log pruned", "deliveries", n)
			}
		}
		n, err := s.SendDue(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			s.logger.Warn("webhooks: sending failed", "error", err)
		}
		if n == s.o.Batch {
			continue // more may be due
		}
		select {
		case <-ctx.Done():
			return nil
		case <-s.wake:
		case <-t.C:
		}
	}
}

// SendDue claims one batch of due deliveries, sends them and records each outcome. It
// returns how many it claimed.
func (s *Sender) SendDue(ctx context.Context) (int, error) {
	jobs, err := s.store.ClaimWebhookJobs(ctx, s.o.Now(), s.o.Batch, s.o.Timeout+time.Minute)
	if err != nil {
		return 0, err
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	sem := make(chan struct{}, s.o.Workers)
	for _, j := range jobs {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			a := s.attempt(ctx, j)
			if ctx.Err() != nil {
				// Shutdown cut the request short: that says nothing of the endpoint, so no
				// outcome is recorded and the delivery goes out again when its lease ends.
				return
			}
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			if err := s.store.RecordWebhookAttempt(rctx, a); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return len(jobs), errors.Join(errs...)
}

// attempt sends one job and decides what follows: done, retried later, or given up, and
// whether the endpoint has failed long enough to be turned off.
func (s *Sender) attempt(ctx context.Context, j parley.WebhookJob) parley.WebhookAttempt {
	status, msg := s.send(ctx, j)
	now := s.o.Now()
	a := parley.WebhookAttempt{DeliveryID: j.Delivery.ID, EndpointID: j.Delivery.EndpointID, At: now,
		Status: status, Error: msg, OK: msg == ""}
	if a.OK {
		return a
	}
	if next, ok := s.nextAttempt(j.Delivery, now); ok {
		a.Next = &next
	}
	if j.FailingSince != nil && now.Sub(*j.FailingSince) >= s.o.DisableAfter {
		a.Disable = fmt.Sprintf("Turned off on %s: every delivery failed since %s; the last said: %s. Fix the receiver, then enable the endpoint; waiting deliveries are sent then.",
			now.UTC().Format(time.RFC3339), j.FailingSince.UTC().Format(time.RFC3339), msg)
		s.logger.Warn("webhooks: endpoint turned off after failing", "endpoint", j.Delivery.EndpointID, "since", *j.FailingSince, "error", msg)
	}
	return a
}

// nextAttempt is the time of the next try: exponential backoff with jitter from 30 s up to
// 4 h between tries, a last try at the end of the retry window, and none after it.
func (s *Sender) nextAttempt(d parley.WebhookDelivery, now time.Time) (time.Time, bool) {
	deadline := d.RetryFrom.Add(s.o.RetryFor)
	if !now.Before(deadline) {
		return time.Time{}, false
	}
	wait := maxRetry
	if n := d.Attempts - 1; n < 20 {
		wait = min(firstRetry<<n, maxRetry)
	}
	wait += time.Duration(rand.Int64N(int64(wait)/5+1)) - wait/10
	next := now.Add(wait)
	if next.After(deadline) {
		next = deadline
	}
	return next, true
}

// send makes one request and returns the status and, for a failure, what went wrong in
// words an admin can act on.
func (s *Sender) send(ctx context.Context, j parley.WebhookJob) (int, string) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, j.URL, bytes.NewReader(j.Body))
	if err != nil {
		return 0, "The URL cannot be requested: " + err.Error()
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Parley-Webhooks/1")
	req.Header.Set("Parley-Event-Id", j.Delivery.EventID)
	req.Header.Set("Parley-Event-Kind", j.Delivery.Kind)
	req.Header.Set("Parley-Delivery-Id", j.Delivery.ID)
	secret, err := s.o.Seal.OpenText(j.Delivery.EndpointID, j.Secret)
	if err != nil {
		return 0, "The endpoint's signing secret cannot be read: " + err.Error()
	}
	req.Header.Set(SignatureHeader, Sign(secret, s.o.Now(), j.Body))
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, describe(err, s.o.Timeout)
	}
	defer resp.Body.Close()
	// A little of the answer is read so the connection can be reused; what is left of a
	// slow answer is cut off by the client's time limit.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return resp.StatusCode, ""
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		return resp.StatusCode, fmt.Sprintf("HTTP %d: redirects are not followed (Location: %.200s); give the final URL.", resp.StatusCode, resp.Header.Get("Location"))
	default:
		return resp.StatusCode, fmt.Sprintf("HTTP %d %s.", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
}

// describe words a transport error.
func describe(err error, timeout time.Duration) string {
	var ne net.Error
	switch {
	case errors.Is(err, ErrBlockedAddress):
		return "Refused: " + unwrapBlocked(err) + " (an operator may allow private addresses with PARLEY_WEBHOOK_ALLOW_PRIVATE)."
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return fmt.Sprintf("No answer within %s.", timeout)
	default:
		return "Request failed: " + err.Error()
	}
}

// unwrapBlocked returns the guard's own words from a dial error.
func unwrapBlocked(err error) string {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if errors.Is(e, ErrBlockedAddress) && errors.Unwrap(e) == ErrBlockedAddress {
			return e.Error()
		}
	}
	return err.Error()
}
