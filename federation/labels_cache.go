package federation

import (
	"context"
	"sync"
	"time"

	"github.com/parleyhq/parley"
)

// The label stage runs for every submission on every site, and most sites subscribe to no
// peer's labels: it keeps each site's subscriptions in memory, so such a site pays no query
// per submission. A subscription made, changed or ended writes a label_subscription_changed
// event, which every replica's Handle turns into forgetting that site; peers' state changes
// (a defederated peer's subscriptions stop counting) are forgotten here when they happen on
// this replica and within LabelSubscriptionsTTL on the others.

// LabelSubscriptionsTTL bounds how long a site's subscriptions are kept without an event.
const LabelSubscriptionsTTL = time.Minute

type subsEntry struct {
	subs []*parley.LabelSubscription
	at   time.Time
}

type subsCache struct {
	mu   sync.Mutex
	site map[string]subsEntry
	// gen counts forgettings, so that a load that raced one is not kept.
	gen uint64
}

// subscriptions returns a site's subscriptions, from memory when they are known.
func (st *LabelStage) subscriptions(ctx context.Context, siteID string) ([]*parley.LabelSubscription, error) {
	c := &st.cache
	now := st.now()
	c.mu.Lock()
	e, ok := c.site[siteID]
	gen := c.gen
	c.mu.Unlock()
	if ok && now.Sub(e.at) < LabelSubscriptionsTTL {
		return e.subs, nil
	}
	subs, err := st.labels.LabelSubscriptions(ctx, siteID)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.gen == gen {
		if c.site == nil {
			c.site = map[string]subsEntry{}
		}
		c.site[siteID] = subsEntry{subs: subs, at: now}
	}
	c.mu.Unlock()
	return subs, nil
}

// Forget drops a site's subscriptions from memory, or every site's for "".
func (st *LabelStage) Forget(siteID string) {
	c := &st.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	if siteID == "" {
		c.site = nil
		return
	}
	delete(c.site, siteID)
}

// Handle forgets a site's subscriptions when an event says they changed; it takes every
// event of the live feed and ignores the others.
func (st *LabelStage) Handle(e parley.Event) {
	if _, ok := e.Payload.(parley.LabelSubscriptionChanged); ok {
		st.Forget(e.SiteID)
	}
}
