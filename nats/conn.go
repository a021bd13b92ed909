package nats

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"strings"
	"sync"
	"time"

	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Connection settings. A replica must ride out a NATS restart or a cluster election without
// operator help, and notice a dead TCP peer well before its ack timeouts pile up.
const (
	// ClientName is how Parley's connections appear in NATS monitoring.
	ClientName = "parley"
	// reconnectMin and reconnectMax bound the jittered exponential delay between passes
	// over the server list.
	reconnectMin = 250 * time.Millisecond
	reconnectMax = 5 * time.Second
	dialTimeout  = 5 * time.Second
	pingInterval = 10 * time.Second
	maxPingsOut  = 3
	// PublishAckTimeout is how long an async publish waits for the stream's ack before
	// the handle from NewJetStream gives up on it and frees its slot.
	PublishAckTimeout = 10 * time.Second
)

// Connect dials an external NATS server or cluster at url (a comma-separated list is
// accepted) and returns once connected. Reconnects after that are infinite with jittered
// exponential backoff, so a NATS restart never needs a Parley restart; publishes are not
// buffered while disconnected, because a JetStream publish needs its ack and the outbox
// already keeps what was not acked. If the first connection cannot be made before ctx is
// done, Connect gives up and reports the last error: start-up decides how long to wait.
// Disconnects and reconnects are logged to logger once each, never per attempt. opts are
// applied after Parley's defaults and may override them.
func Connect(ctx context.Context, url string, logger *slog.Logger, opts ...natsgo.Option) (*natsgo.Conn, error) {
	logger = orDiscard(logger)
	all := append([]natsgo.Option{
		natsgo.Name(ClientName),
		natsgo.MaxReconnects(-1),
		natsgo.CustomReconnectDelay(reconnectDelay),
		natsgo.ReconnectBufSize(-1),
		natsgo.RetryOnFailedConnect(true),
		natsgo.Timeout(dialTimeout),
		natsgo.PingInterval(pingInterval),
		natsgo.MaxPingsOutstanding(maxPingsOut),
	}, connLogging(logger)...)
	all = append(all, opts...)
	nc, err := natsgo.Connect(url, all...)
	if err != nil {
		return nil, fmt.Errorf("connect to NATS at %s: %w", redactURLs(url), err)
	}
	up := nc.StatusChanged(natsgo.CONNECTED)
	defer nc.RemoveStatusListener(up)
	if nc.IsConnected() {
		return nc, nil
	}
	select {
	case <-up:
		return nc, nil
	case <-ctx.Done():
		last := nc.LastError()
		nc.Close()
		return nil, fmt.Errorf("connect to NATS at %s: %w (last error: %v)", redactURLs(url), ctx.Err(), last)
	}
}

// NewJetStream returns a JetStream handle for the relay: async publishes that get no ack
// within PublishAckTimeout fail and free their slot, instead of waiting in the handle's
// pending table for ever when a stream leader is gone.
func NewJetStream(nc *natsgo.Conn) (jetstream.JetStream, error) {
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncTimeout(PublishAckTimeout))
	if err != nil {
		return nil, fmt.Errorf("jetstream: %w", err)
	}
	return js, nil
}

// reconnectDelay waits between passes over the server list: exponential from reconnectMin,
// capped at reconnectMax, with jitter so that many replicas do not reconnect in step.
func reconnectDelay(attempts int) time.Duration {
	return jitter(backoff(attempts, reconnectMin, reconnectMax))
}

// backoff is min * 2^(attempt-1), capped at max.
func backoff(attempt int, min, max time.Duration) time.Duration {
	d := min
	for i := 1; i < attempt && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	return d
}

// jitter returns a duration between d/2 and d ("equal jitter"): never much shorter than the
// backoff asked for, never in step with other replicas.
func jitter(d time.Duration) time.Duration {
	if d <= 1 {
		return d
	}
	half := d / 2
	return half + rand.N(d-half+1)
}

// connLogging logs a connection's outages: one warning when it drops, one notice when it is
// back with how long it was down, and asynchronous errors such as slow consumers.
func connLogging(logger *slog.Logger) []natsgo.Option {
	var mu sync.Mutex
	var downSince time.Time
	return []natsgo.Option{
		natsgo.DisconnectErrHandler(func(nc *natsgo.Conn, err error) {
			if err == nil && nc.IsClosed() {
				return // a deliberate Close, reported by the closed handler
			}
			mu.Lock()
			downSince = time.Now()
			mu.Unlock()
			logger.Warn("NATS connection lost", "err", err, "reconnecting", nc.Opts.AllowReconnect)
		}),
		natsgo.ReconnectHandler(func(nc *natsgo.Conn) {
			mu.Lock()
			down := time.Since(downSince)
			mu.Unlock()
			logger.Info("NATS connection restored", "server", nc.ConnectedUrlRedacted(), "outage", down.Round(time.Millisecond))
		}),
		natsgo.ClosedHandler(func(nc *natsgo.Conn) {
			if err := nc.LastError(); err != nil {
				logger.Warn("NATS connection closed", "err", err)
				return
			}
			logger.Debug("NATS connection closed")
		}),
		natsgo.ErrorHandler(func(_ *natsgo.Conn, sub *natsgo.Subscription, err error) {
			subject := ""
			if sub != nil {
				subject = sub.Subject
			}
			logger.Error("NATS asynchronous error", "err", err, "subject", subject)
		}),
	}
}

// redactURLs hides passwords in a NATS_URL before it reaches an error message.
func redactURLs(urls string) string {
	parts := strings.Split(urls, ",")
	for i, p := range parts {
		if u, err := url.Parse(strings.TrimSpace(p)); err == nil && u.User != nil {
			if _, hasPassword := u.User.Password(); !hasPassword {
				u.User = url.User("xxxxx") // a token in the user position is a secret too
			}
			parts[i] = u.Redacted()
		}
	}
	return strings.Join(parts, ",")
}

// orDiscard returns logger, or a logger that drops everything when none was injected.
func orDiscard(logger *slog.Logger) *slog.Logger {
	if logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return logger
}
