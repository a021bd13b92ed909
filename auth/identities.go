package auth

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/parleyhq/parley"
)

// DefaultIdentityTTL is how long an IdentityCache keeps a token's owner when none is given.
const DefaultIdentityTTL = 5 * time.Second

// defaultMaxIdentities bounds the entries; past it the cache starts again empty.
const defaultMaxIdentities = 100_000

// IdentityCache keeps, for a few seconds, whom each bearer token belongs to, so that a
// signed-in read does not pay a database round trip for its token. It is only as safe as the
// events that empty it: it keeps nothing until SetLive(true) says the replica hears every user
// event, forgets everything on SetLive(false) (a lost event stream connection), and Handle
// drops a user's entries on each event that may change what their tokens allow (a revoked
// token, a deleted account, a role or a sanction). A lookup that was under way when any of
// that happened is not kept, so a revocation can never be overwritten by an older answer.
type IdentityCache struct {
	ttl time.Duration
	max int
	now func() time.Time

	mu     sync.Mutex
	live   bool
	epoch  uint64 // raised by every drop; a lookup begun under an older epoch is not kept
	byHash map[string]identity
	byUser map[string]map[string]struct{}

	hits, misses, drops atomic.Uint64
}

type identity struct {
	user    parley.User
	expires time.Time
}

// IdentityCacheOptions configure an IdentityCache; the zero value is usable.
type IdentityCacheOptions struct {
	// TTL bounds how long an entry is kept even if no event says otherwise;
	// DefaultIdentityTTL when zero.
	TTL time.Duration
	// MaxEntries bounds the memory; 100,000 when zero.
	MaxEntries int
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// NewIdentityCache returns an empty cache that keeps nothing until SetLive(true).
func NewIdentityCache(o IdentityCacheOptions) *IdentityCache {
	c := &IdentityCache{ttl: o.TTL, max: o.MaxEntries, now: o.Now,
		byHash: map[string]identity{}, byUser: map[string]map[string]struct{}{}}
	if c.ttl <= 0 {
		c.ttl = DefaultIdentityTTL
	}
	if c.max <= 0 {
		c.max = defaultMaxIdentities
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c
}

// IdentityCacheStats counts what the cache did, for /metrics and tests.
type IdentityCacheStats struct {
	// Hits are tokens resolved from the cache; Misses went to storage.
	Hits, Misses uint64
	// Drops counts events and calls that made the cache forget a user, a token or everything.
	Drops uint64
	// Live tells whether the cache keeps entries now (it hears the event stream).
	Live bool
	// Entries is how many tokens it holds.
	Entries int
}

// Stats returns the counts so far.
func (c *IdentityCache) Stats() IdentityCacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return IdentityCacheStats{Hits: c.hits.Load(), Misses: c.misses.Load(), Drops: c.drops.Load(), Live: c.live, Entries: len(c.byHash)}
}

// SetLive tells the cache whether this replica hears every user event. Either way it forgets
// everything: going down, what it holds can no longer be revoked; coming back, events may have
// been missed while it was away.
func (c *IdentityCache) SetLive(live bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.live = live
	c.dropAllLocked()
}

// Handle is the cache's consumer of user events: it forgets the user each one names.
func (c *IdentityCache) Handle(e parley.Event) {
	switch p := e.Payload.(type) {
	case parley.TokensRevoked:
		c.DropUser(p.UserID)
	case parley.UserDeleted:
		c.DropUser(p.ID)
	case parley.UserRoleChanged:
		c.DropUser(p.UserID)
	case parley.UserSanctioned:
		c.DropUser(p.UserID)
	}
}

// DropUser forgets every token of a user.
func (c *IdentityCache) DropUser(userID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	c.drops.Add(1)
	for h := range c.byUser[userID] {
		delete(c.byHash, h)
	}
	delete(c.byUser, userID)
}

// dropToken forgets one token, on the replica that revoked it, before its event comes back.
func (c *IdentityCache) dropToken(hash []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	c.drops.Add(1)
	if e, ok := c.byHash[string(hash)]; ok {
		delete(c.byHash, string(hash))
		delete(c.byUser[e.user.ID], string(hash))
	}
}

func (c *IdentityCache) dropAllLocked() {
	c.epoch++
	c.drops.Add(1)
	clear(c.byHash)
	clear(c.byUser)
}

// get returns a copy of a token's owner when the cache holds it, fresh; otherwise the epoch
// to hand to put once storage has answered.
func (c *IdentityCache) get(hash []byte) (*parley.User, uint64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byHash[string(hash)]; ok && c.live && c.now().Before(e.expires) {
		c.hits.Add(1)
		u := e.user
		return &u, 0, true
	}
	c.misses.Add(1)
	return nil, c.epoch, false
}

// put keeps a token's owner, unless the cache is not live or anything was dropped since the
// lookup began (its answer may predate a revocation).
func (c *IdentityCache) put(hash []byte, u *parley.User, epoch uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.live || epoch != c.epoch {
		return
	}
	if len(c.byHash) >= c.max {
		clear(c.byHash)
		clear(c.byUser)
	}
	k := string(hash)
	c.byHash[k] = identity{user: *u, expires: c.now().Add(c.ttl)}
	if c.byUser[u.ID] == nil {
		c.byUser[u.ID] = map[string]struct{}{}
	}
	c.byUser[u.ID][k] = struct{}{}
}
