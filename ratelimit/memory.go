// Package ratelimit holds rate limiters that implement parley.RateLimiter. Memory keeps its
// state in the process, which is right for a single replica and for tests; a Redis-backed
// limiter shares state between replicas and implements the same interface.
package ratelimit

import (
	"container/list"
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// DefaultMaxKeys bounds how many keys a Memory limiter tracks unless told otherwise. At a
// couple of hundred bytes a key, that is tens of megabytes at most, even when an attacker
// cycles through addresses.
const DefaultMaxKeys = 100_000

// Memory is an in-process token-bucket limiter with one bucket per key: each key may make
// burst attempts at once and then one attempt every interval. It is safe for concurrent use.
//
// Memory is bounded without a background goroutine, so it needs no Close: keys are kept in
// least-recently-used order, and every Allow drops keys that have been idle long enough for
// their bucket to refill (forgetting those loses nothing, since a new bucket starts full). When
// more than MaxKeys keys are active at once, the least recently used is forgotten early, which
// gives that key a fresh bucket: the price of bounded memory under a flood of distinct keys.
type Memory struct {
	limit rate.Limit
	burst int
	// idle is how long a bucket takes to refill completely; a key idle that long is
	// indistinguishable from a new one.
	idle    time.Duration
	maxKeys int
	now     func() time.Time

	mu   sync.Mutex
	keys map[string]*list.Element
	lru  *list.List // of *entry, most recently used at the front
}

type entry struct {
	key      string
	limiter  *rate.Limiter
	lastUsed time.Time
}

// Option changes how NewMemory builds a limiter.
type Option func(*Memory)

// WithMaxKeys sets how many keys are tracked at most (DefaultMaxKeys when n < 1).
func WithMaxKeys(n int) Option {
	return func(m *Memory) {
		if n >= 1 {
			m.maxKeys = n
		}
	}
}

// WithClock sets the limiter's clock, so tests can move time without sleeping.
func WithClock(now func() time.Time) Option {
	return func(m *Memory) {
		if now != nil {
			m.now = now
		}
	}
}

// NewMemory returns a limiter that allows, per key, burst attempts at once and then one more
// every interval. A burst below 1 is taken as 1; an interval of zero or less means no limit.
func NewMemory(every time.Duration, burst int, opts ...Option) *Memory {
	if burst < 1 {
		burst = 1
	}
	m := &Memory{
		limit:   rate.Every(every),
		burst:   burst,
		maxKeys: DefaultMaxKeys,
		now:     time.Now,
		keys:    map[string]*list.Element{},
		lru:     list.New(),
	}
	if every > 0 {
		m.idle = every * time.Duration(burst)
	}
	for _, o := range opts {
		o(m)
	}
	return m
}

// Allow takes one attempt from key's bucket. When the bucket is empty it answers false and how
// long until the next attempt would be allowed; a refused attempt takes nothing, so clients
// that keep retrying too early are not punished further. The error is always nil: it is there
// for limiters that talk to a server.
func (m *Memory) Allow(_ context.Context, key string) (bool, time.Duration, error) {
	if m.limit == rate.Inf {
		return true, 0, nil
	}
	now := m.now()

	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweep(now)

	var e *entry
	if el, ok := m.keys[key]; ok {
		e = el.Value.(*entry)
		m.lru.MoveToFront(el)
	} else {
		for m.lru.Len() >= m.maxKeys {
			m.remove(m.lru.Back())
		}
		e = &entry{key: key, limiter: rate.NewLimiter(m.limit, m.burst)}
		m.keys[key] = m.lru.PushFront(e)
	}
	e.lastUsed = now

	r := e.limiter.ReserveN(now, 1)
	if delay := r.DelayFrom(now); delay > 0 {
		r.CancelAt(now)
		return false, delay, nil
	}
	return true, 0, nil
}

// Len reports how many keys the limiter tracks now; it is for tests and metrics.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.lru.Len()
}

// sweep drops keys idle long enough to have a full bucket again. It looks only at the least
// recently used end and stops at the first key still in use, so its cost is paid for by the
// Allow calls that created the keys it removes.
func (m *Memory) sweep(now time.Time) {
	for el := m.lru.Back(); el != nil; el = m.lru.Back() {
		if now.Sub(el.Value.(*entry).lastUsed) < m.idle {
			return
		}
		m.remove(el)
	}
}

func (m *Memory) remove(el *list.Element) {
	delete(m.keys, el.Value.(*entry).key)
	m.lru.Remove(el)
}
