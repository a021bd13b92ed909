package trust

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/parleyhq/parley"
)

// Consumer applies events to trust signals and checks the levels they may change. It is
// safe to feed the same event twice: the store's ledger refuses an event ID it has seen.
type Consumer struct {
	store  parley.TrustStore
	sites  parley.SiteService
	logger *slog.Logger
	now    func() time.Time
	bounds LevelBounds
}

// Options configure a Consumer; the zero value is usable.
type Options struct {
	Logger *slog.Logger
	// Now is the clock levels are decided at; time.Now by default. Tests move it.
	Now func() time.Time
	// Bounds, when set, gives the bounds a site's community rules put on a user's level
	// (LEVEL_FLOOR, LEVEL_CEILING); nil applies none.
	Bounds LevelBounds
}

// NewConsumer returns a consumer storing into store and reading thresholds from sites.
func NewConsumer(store parley.TrustStore, sites parley.SiteService, opts Options) *Consumer {
	c := &Consumer{store: store, sites: sites, logger: opts.Logger, now: opts.Now, bounds: opts.Bounds}
	if c.logger == nil {
		c.logger = slog.New(slog.DiscardHandler)
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c
}

// Handle applies one event. An event this build cannot read (a newer replica's) is skipped
// and nil returned, so the stream moves on; an error means the event should be delivered
// again.
func (c *Consumer) Handle(ctx context.Context, oe parley.OutboxEvent) error {
	return c.HandleBatch(ctx, []parley.OutboxEvent{oe})
}

// HandleBatch applies a run of events in order, as Handle would one by one, but the events
// that only raise signals (new comments, visits, reactions: most of a backlog) go in one
// transaction (parley.TrustStore's ApplyTrustEvents) and the level of each user they touched
// is checked once after them, so a backlog of n events costs a few round trips plus three
// reads per user, not a transaction and three reads per event. Events it cannot read are
// skipped as Handle skips them; an error means the run should be delivered again (what was
// applied is then skipped by its ID).
func (c *Consumer) HandleBatch(ctx context.Context, oes []parley.OutboxEvent) error {
	items := make([]parley.TrustEventOps, 0, len(oes))
	var users [][]string
	for _, oe := range oes {
		e, err := oe.Decode()
		if errors.Is(err, parley.ErrUnknownEvent) {
			continue
		}
		if err != nil {
			c.logger.Warn("trust: undecodable event skipped", "event", oe.ID, "kind", oe.Kind, "err", err)
			continue
		}
		ops, us := opsFor(e)
		if len(ops) == 0 {
			continue
		}
		items = append(items, parley.TrustEventOps{Event: oe, Ops: ops})
		users = append(users, us)
	}
	if len(items) == 0 {
		return nil
	}
	// Levels are kept once earned, so a level depends on the signals at each check, not
	// only at the last: a user promoted by a comment keeps the level through a rejection
	// that follows. Checking once after events that only raise signals gives the level
	// checking after each would; an event that may lower one is applied and checked alone,
	// after the events before it were.
	sites := map[string]*parley.Site{}
	for start := 0; start < len(items); {
		end := start + 1
		if raises(items[start].Ops) {
			for end < len(items) && raises(items[end].Ops) {
				end++
			}
		}
		if err := c.applyRun(ctx, sites, items[start:end], users[start:end]); err != nil {
			return err
		}
		start = end
	}
	return nil
}

// raises reports whether ops only raise the signals that earn a level (and lower none of
// those that cost one).
func raises(ops []parley.TrustOp) bool {
	for _, op := range ops {
		switch {
		case op.Kind == parley.TrustOpVisit:
		case (op.Kind == parley.TrustOpPublished || op.Kind == parley.TrustOpReaction) && op.N > 0:
		default:
			return false
		}
	}
	return true
}

// applyRun applies items in one transaction, then checks each user they touched once, in
// the order the run first touched them. A sanction everywhere (no site) is checked at each
// user's next event on a site, since levels are per site.
func (c *Consumer) applyRun(ctx context.Context, sites map[string]*parley.Site, items []parley.TrustEventOps, users [][]string) error {
	applied, err := c.store.ApplyTrustEvents(ctx, items)
	if err != nil {
		return err
	}
	type siteUser struct{ site, user string }
	seen := map[siteUser]bool{}
	for i, it := range items {
		if !applied[i] || it.Event.SiteID == "" {
			continue
		}
		for _, u := range users[i] {
			k := siteUser{it.Event.SiteID, u}
			if seen[k] {
				continue
			}
			seen[k] = true
			if err := c.checkCached(ctx, sites, k.site, u); err != nil {
				return fmt.Errorf("trust level of %s on %s: %w", u, k.site, err)
			}
		}
	}
	return nil
}

// checkCached is check with the sites already read in this run kept in sites (nil for a
// site not found).
func (c *Consumer) checkCached(ctx context.Context, sites map[string]*parley.Site, siteID, userID string) error {
	site, ok := sites[siteID]
	if !ok {
		var err error
		site, err = c.sites.FindSiteByID(ctx, siteID)
		if parley.ErrorCode(err) == parley.ENOTFOUND {
			site = nil
		} else if err != nil {
			return err
		}
		sites[siteID] = site
	}
	if site == nil {
		return nil
	}
	return c.checkOn(ctx, site, userID)
}

// checkOn decides a user's level from their signals and stores a change, if any.
func (c *Consumer) checkOn(ctx context.Context, site *parley.Site, userID string) error {
	siteID, t := site.ID, parley.TrustSettingsOf(site.Settings)
	now := c.now()
	sig, err := c.store.TrustSignals(ctx, siteID, userID, now)
	if parley.ErrorCode(err) == parley.ENOTFOUND {
		return nil // the account is gone
	}
	if err != nil {
		return err
	}
	rec, err := c.store.TrustRecord(ctx, siteID, userID)
	if err != nil {
		return err
	}
	next, ch := Decide(sig, rec, t, now)
	if c.bounds != nil && rec.Pinned == nil {
		next, ch = c.bound(ctx, site, sig, rec, next, ch, now)
	}
	if ch == nil {
		return nil
	}
	err = c.store.SetTrustLevel(ctx, next, *ch)
	if parley.ErrorCode(err) == parley.ENOTFOUND {
		return nil
	}
	return err
}

// recomputeBatch is how many ledger events recompute replays per transaction.
const recomputeBatch = 500

// Recompute rebuilds the signals of one site ("" for every site) from the ledger of events
// the consumer applied, then checks every known user's level. It gives the numbers the live
// consumer reached, and repairs them if a defect or a manual edit made them drift.
func (c *Consumer) Recompute(ctx context.Context, siteID string) (events int, err error) {
	if siteID != "" && !parley.IsID(siteID) {
		return 0, parley.Errorf(parley.ENOTFOUND, "Site not found.")
	}
	// Live events wait while the signals are rebuilt: one applied between the reset and
	// the replay of its page would otherwise count twice.
	err = c.store.ExclusiveTrust(ctx, func(ctx context.Context) error {
		events, err = c.replay(ctx, siteID)
		return err
	})
	if err != nil {
		return events, err
	}
	return events, c.recheck(ctx, siteID)
}

// replay resets the signals and applies the ledger's events again.
func (c *Consumer) replay(ctx context.Context, siteID string) (events int, err error) {
	if err := c.store.ResetTrustSignals(ctx, siteID); err != nil {
		return 0, err
	}
	var after int64
	for {
		page, err := c.store.TrustLedger(ctx, siteID, after, recomputeBatch)
		if err != nil {
			return events, err
		}
		if len(page) == 0 {
			break
		}
		batch := make([]parley.TrustOps, 0, len(page))
		for _, te := range page {
			after = te.Seq
			e, err := te.Event.Decode()
			if err != nil {
				continue
			}
			if ops, _ := opsFor(e); len(ops) > 0 {
				batch = append(batch, parley.TrustOps{SiteID: te.Event.SiteID, Ops: ops})
			}
		}
		if err := c.store.ReplayTrustOps(ctx, batch); err != nil {
			return events, err
		}
		events += len(page)
	}
	return events, nil
}

// recheck checks the level of every user with signals on the site (or every site).
func (c *Consumer) recheck(ctx context.Context, siteID string) error {
	ids := []string{siteID}
	if siteID == "" {
		all, err := c.store.TrustSites(ctx)
		if err != nil {
			return err
		}
		ids = all
	}
	for _, id := range ids {
		s, err := c.sites.FindSiteByID(ctx, id)
		if parley.ErrorCode(err) == parley.ENOTFOUND && siteID == "" {
			continue // deleted since
		}
		if err != nil {
			return err
		}
		users, err := c.store.TrustUsers(ctx, s.ID)
		if err != nil {
			return err
		}
		for _, u := range users {
			if err := c.checkOn(ctx, s, u); err != nil {
				return err
			}
		}
	}
	return nil
}
