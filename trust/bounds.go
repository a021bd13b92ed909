package trust

import (
	"context"
	"strings"
	"time"

	"github.com/parleyhq/parley"
)

// LevelBounds gives the bounds a site's community rules put on a user's level: the
// LEVEL_FLOOR and LEVEL_CEILING rules that hold for the user's signals and level, and the
// versions of those rules. The Stage implements it from the rules it keeps compiled.
type LevelBounds interface {
	LevelBounds(ctx context.Context, site *parley.Site, sig parley.TrustSignals, level parley.TrustLevel, now time.Time) (Standing, []string, error)
}

// bound applies the rules' level bounds to the level Decide chose. A floor promotes as an
// earned level does (levels 1 and 2 are then kept, like earned ones); a ceiling holds the
// level down while its rule holds, and the next check after it stops holding promotes the
// user to what the signals earn. A rule that fails leaves the level unbounded, and is logged.
func (c *Consumer) bound(ctx context.Context, site *parley.Site, sig parley.TrustSignals, rec, next parley.TrustRecord, ch *parley.TrustChange, now time.Time) (parley.TrustRecord, *parley.TrustChange) {
	target := rec.Level
	if ch != nil {
		target = next.Level
	}
	st, versions, err := c.bounds.LevelBounds(ctx, site, sig, target, now)
	if err != nil {
		c.logger.Warn("trust: level bounds of the community rules not applied", "site", site.ID, "user", sig.UserID, "err", err)
		return next, ch
	}
	clamped := st.Clamp(target)
	if clamped == target {
		return next, ch
	}
	if ch == nil {
		next = rec
		ch = &parley.TrustChange{SiteID: site.ID, UserID: sig.UserID, From: rec.Level, Signals: sig, CreatedAt: now}
	}
	if clamped == rec.Level {
		return rec, nil // the bound keeps the level where it is
	}
	ch.To, next.Level = clamped, clamped
	ch.RuleVersion = strings.Join(versions, " ")
	ch.Crossed = append(ch.Crossed, versions...)
	if clamped > rec.Level {
		next.PromotedAt = now
	}
	return next, ch
}

// LevelBounds implements LevelBounds: it evaluates the site's LEVEL_FLOOR and
// LEVEL_CEILING rules on the user's signals and level, with the comment's fields empty.
func (s *Stage) LevelBounds(ctx context.Context, site *parley.Site, sig parley.TrustSignals, level parley.TrustLevel, now time.Time) (Standing, []string, error) {
	set, err := s.ruleSet(ctx, site.ID, parley.RuleSettingsOf(site.Settings))
	if err != nil {
		return Standing{}, nil, err
	}
	return set.Bounds(&Facts{Sub: &parley.Submission{Comment: &parley.Comment{SiteID: site.ID}, Settings: site.Settings,
		Author: &parley.User{ID: sig.UserID}, History: parley.AuthorHistory{TrustLevel: level}}, Signals: &sig, Now: now})
}

// Bounds evaluates only the rules about the author's standing (level bounds, report weight,
// rate; shadow ones left out) and returns the standing with the versions of the rules that
// hold (the level rules' versions, which a level change records). The consumer reads the level bounds; ReportWeight and RatePerMinute are there for the
// report threshold and the rate limiter to read.
func (rs *RuleSet) Bounds(f *Facts) (Standing, []string, error) {
	var out Outcome
	var versions []string
	for _, c := range rs.Rules {
		switch c.Rule.Effect.Kind {
		case parley.EffectLevelFloor, parley.EffectLevelCeiling, parley.EffectReportWeight, parley.EffectRate:
		default:
			continue
		}
		if c.Rule.Shadow {
			continue
		}
		ok, err := c.Eval(f)
		if err != nil {
			return Standing{}, nil, err
		}
		if !ok {
			continue
		}
		out.apply(c.Rule)
		if k := c.Rule.Effect.Kind; k == parley.EffectLevelFloor || k == parley.EffectLevelCeiling {
			versions = append(versions, c.Rule.VersionName())
		}
	}
	return out.Standing, versions, nil
}
