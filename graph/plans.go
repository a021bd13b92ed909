package graph

import "sync"

// plans remembers, per operation (its name and text), whether a fast path can answer it:
// working that out walks the whole document, and the same few operations come again and
// again. At most maxPlans are kept; past that they are forgotten and worked out again.
type plans struct {
	mu   sync.Mutex
	seen map[planKey]bool
}

type planKey struct{ name, query string }

// maxPlans bounds the plans kept.
const maxPlans = 512

// get answers whether the operation can be answered, asking decide the first time.
func (p *plans) get(name, query string, decide func() bool) bool {
	key := planKey{name, query}
	p.mu.Lock()
	ok, found := p.seen[key]
	p.mu.Unlock()
	if found {
		return ok
	}
	ok = decide()
	p.mu.Lock()
	if p.seen == nil || len(p.seen) >= maxPlans {
		p.seen = map[planKey]bool{}
	}
	p.seen[key] = ok
	p.mu.Unlock()
	return ok
}
