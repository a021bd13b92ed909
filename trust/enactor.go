package trust

import (
	"context"
	"log/slog"
	"time"

	"github.com/parleyhq/parley"
)

// dueBatch bounds the proposals one tick of the enactment job enacts; the rest wait for
// the next tick.
const dueBatch = 100

// EnactDue enacts every APPROVED proposal whose site's delay has ended, so a delay is a
// wait and not a chore for the moderators. Every replica may run it at once: each enactment
// is one transaction that locks its proposal, and one that finds it no longer APPROVED
// (another replica or a moderator won) answers ECONFLICT and is skipped, so a proposal is
// enacted exactly once. A proposal whose rule another enactment changed first also answers
// ECONFLICT and stays APPROVED, as it does when a moderator tries. It returns how many this
// call enacted.
func (s *Rules) EnactDue(ctx context.Context) (int, error) {
	now := s.now().UTC()
	ids, err := s.store.DueProposals(ctx, now, dueBatch)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		_, _, err := s.store.Enact(ctx, id, now)
		switch {
		case err == nil:
			n++
		case parley.ErrorCode(err) == parley.ECONFLICT:
		default:
			return n, err
		}
	}
	return n, nil
}

// RunEnactor calls EnactDue every interval until ctx ends, logging what it enacted and
// what failed; a failure is tried again on the next tick.
func (s *Rules) RunEnactor(ctx context.Context, every time.Duration, logger *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		n, err := s.EnactDue(ctx)
		if err != nil && ctx.Err() == nil {
			logger.Warn("trust: enacting the proposals whose delay ended failed; trying again next tick", "error", err)
		}
		if n > 0 {
			logger.Info("trust: enacted proposals whose delay ended", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
