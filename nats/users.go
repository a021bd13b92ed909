package nats

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	natsgo "github.com/nats-io/nats.go"

	"github.com/parleyhq/parley"
)

// WatchUsers hands every user event of the instance (user.*: revoked tokens, deleted
// accounts, roles, sanctions) to handle, on its own core NATS subscription on nc, so that every
// replica hears them. Unlike a Feed it never drops an event for a slow reader: handle runs on
// the subscription's delivery goroutine and must be quick.
//
// live reports whether the caller can trust that it hears every event: true once the
// subscription is in place, false as soon as the connection drops or closes, or NATS drops
// messages for this subscription (a slow consumer), and true again after a reconnection, when
// the subscription is back. Whatever the caller keeps on the strength of events must be
// forgotten on false and on every true. WatchUsers chains its handlers after nc's own, so the
// connection's logging keeps working; it stops when ctx ends, with live(false).
func WatchUsers(ctx context.Context, nc *natsgo.Conn, instance string, handle func(parley.Event), live func(bool)) error {
	if nc == nil {
		return errors.New("nats: watch users: no connection")
	}
	// The handlers are read once, before any is replaced, so each chains the original.
	disconnected, reconnected, closed, asyncErr := nc.Opts.DisconnectedErrCB, nc.Opts.ReconnectedCB, nc.Opts.ClosedCB, nc.Opts.AsyncErrorCB
	var watched atomic.Pointer[natsgo.Subscription]
	nc.SetDisconnectErrHandler(func(c *natsgo.Conn, err error) {
		live(false)
		if disconnected != nil {
			disconnected(c, err)
		}
	})
	nc.SetClosedHandler(func(c *natsgo.Conn) {
		live(false)
		if closed != nil {
			closed(c)
		}
	})
	nc.SetReconnectHandler(func(c *natsgo.Conn) {
		// nats.go sends the subscriptions again before it reports the reconnection; one round
		// trip makes sure the server has them before the caller keeps anything again.
		if c.FlushTimeout(5*time.Second) == nil {
			live(true)
		}
		if reconnected != nil {
			reconnected(c)
		}
	})
	nc.SetErrorHandler(func(c *natsgo.Conn, s *natsgo.Subscription, err error) {
		if s != nil && s == watched.Load() {
			live(false) // messages were dropped: nothing kept can be trusted, and nothing more is kept
		}
		if asyncErr != nil {
			asyncErr(c, s, err)
		}
	})
	subject := SubjectPrefix + "." + instance + ".user.*.*.*"
	sub, err := nc.Subscribe(subject, func(m *natsgo.Msg) {
		env, err := DecodeEnvelope(m.Data)
		if err != nil {
			return
		}
		e, err := env.Event().Decode()
		if err != nil {
			return // a kind this build does not know names nothing it keeps
		}
		handle(e)
	})
	if err != nil {
		return fmt.Errorf("nats: watch users: %w", err)
	}
	watched.Store(sub)
	// No limit on what waits for handle: a dropped revocation would be a hole.
	if err := sub.SetPendingLimits(-1, -1); err != nil {
		_ = sub.Unsubscribe()
		return fmt.Errorf("nats: watch users: %w", err)
	}
	if err := nc.FlushTimeout(5 * time.Second); err != nil {
		_ = sub.Unsubscribe()
		return fmt.Errorf("nats: watch users: %w", err)
	}
	live(true)
	context.AfterFunc(ctx, func() {
		live(false)
		_ = sub.Unsubscribe()
	})
	return nil
}
