package trust

import (
	"fmt"
	"time"

	"github.com/parleyhq/parley"
)

// RuleVersion names the level rules below; every automatic change records it, so a change
// can be explained after the rules have moved on.
const RuleVersion = "levels/1"

// Unpinned is what a change records as crossed when a moderator's pin was lifted.
const Unpinned = "unpinned"

// Hysteresis: a regular (TL3) keeps the level until a signal falls below this share of its
// floor (or rises above its ceiling divided by it), and never within ProtectedFor of the
// promotion, so that a level does not flicker around its thresholds.
const (
	Hysteresis   = 0.9
	ProtectedFor = 14 * 24 * time.Hour
)

// requirements lists each threshold of th and where sig stands; scale loosens the floors
// and ceilings (1 for promotion, Hysteresis for keeping TL3).
func requirements(sig parley.TrustSignals, th parley.TrustThresholds, scale float64) []parley.TrustRequirement {
	floor := func(name string, have, need int) parley.TrustRequirement {
		eff := need
		if scale != 1 {
			eff = int(float64(need) * scale)
		}
		return parley.TrustRequirement{Signal: name, Need: eff, Have: have, Met: have >= eff}
	}
	ceiling := func(name string, have, need int) parley.TrustRequirement {
		eff := need
		if scale != 1 {
			eff = int(float64(need) / scale)
		}
		return parley.TrustRequirement{Signal: name, Max: true, Need: eff, Have: have, Met: have <= eff}
	}
	var out []parley.TrustRequirement
	if th.AccountAgeDays > 0 {
		out = append(out, floor("accountAgeDays", int(sig.AccountAge/(24*time.Hour)), th.AccountAgeDays))
	}
	if th.DaysVisited > 0 {
		out = append(out, floor("daysVisited", sig.DaysVisited, th.DaysVisited))
	}
	if th.CommentsPublished > 0 {
		out = append(out, floor("commentsPublished", sig.CommentsPublished, th.CommentsPublished))
	}
	if th.ReactionsReceived > 0 {
		out = append(out, floor("reactionsReceived", sig.ReactionsFromDistinctUsers, th.ReactionsReceived))
	}
	if th.MaxRejected > 0 {
		out = append(out, ceiling("rejected", sig.RejectedTotal(), th.MaxRejected))
	}
	if th.MaxReportsAgainst > 0 {
		out = append(out, ceiling("reportsAgainstUpheld", sig.ReportsAgainstUpheld, th.MaxReportsAgainst))
	}
	if th.NoActiveSanctions {
		out = append(out, parley.TrustRequirement{Signal: "activeSanctions", Max: true, Need: 0, Have: sig.ActiveSanctions, Met: sig.ActiveSanctions == 0})
	}
	return out
}

func allMet(reqs []parley.TrustRequirement) bool {
	for _, r := range reqs {
		if !r.Met {
			return false
		}
	}
	return true
}

// describe writes requirements as "commentsPublished>=10", the form changes record.
func describe(reqs []parley.TrustRequirement, onlyUnmet bool) []string {
	var out []string
	for _, r := range reqs {
		if onlyUnmet && r.Met {
			continue
		}
		op := ">="
		if r.Max {
			op = "<="
		}
		if onlyUnmet {
			op = map[bool]string{false: "<", true: ">"}[r.Max]
		}
		out = append(out, fmt.Sprintf("%s%s%d", r.Signal, op, r.Need))
	}
	return out
}

// Earned is the highest level of 0 to 3 whose thresholds, and every lower level's, sig
// meets.
func Earned(sig parley.TrustSignals, t parley.TrustSettings) parley.TrustLevel {
	level := parley.TrustNew
	for l := parley.TrustBasic; l <= parley.TrustRegular; l++ {
		th, _ := t.For(l)
		if !allMet(requirements(sig, th, 1)) {
			break
		}
		level = l
	}
	return level
}

// Decide returns the level a user should hold now and the change that explains it, nil
// when the level stays. A pinned level never changes here. Levels 1 and 2, once earned, are
// kept (as on Discourse); TL3 is lost when a signal leaves its thresholds by more than the
// hysteresis, and not within ProtectedFor of the promotion.
func Decide(sig parley.TrustSignals, rec parley.TrustRecord, t parley.TrustSettings, now time.Time) (parley.TrustRecord, *parley.TrustChange) {
	if rec.Pinned != nil {
		return rec, nil
	}
	earned := Earned(sig, t)
	ch := &parley.TrustChange{SiteID: sig.SiteID, UserID: sig.UserID, From: rec.Level, RuleVersion: RuleVersion,
		Signals: sig, CreatedAt: now}
	switch {
	case earned > rec.Level:
		for l := rec.Level + 1; l <= earned; l++ {
			th, _ := t.For(l)
			ch.Crossed = append(ch.Crossed, describe(requirements(sig, th, 1), false)...)
		}
		ch.To = earned
		return parley.TrustRecord{Level: earned, PromotedAt: now}, ch
	case rec.Level == parley.TrustRegular && earned < rec.Level:
		if now.Sub(rec.PromotedAt) < ProtectedFor {
			return rec, nil
		}
		kept := requirements(sig, t.Regular, Hysteresis)
		if allMet(kept) {
			return rec, nil
		}
		ch.Crossed = describe(kept, true)
		ch.To = parley.TrustMember
		return parley.TrustRecord{Level: ch.To, PromotedAt: rec.PromotedAt}, ch
	case rec.Level == parley.TrustLeader:
		// A leader whose pin was lifted falls back to what the signals earn.
		ch.To = earned
		ch.Crossed = []string{Unpinned}
		return parley.TrustRecord{Level: earned, PromotedAt: now}, ch
	}
	return rec, nil
}

// next returns the level above l that signals can earn, with its requirements; nil at TL3
// and above.
func next(sig parley.TrustSignals, l parley.TrustLevel, t parley.TrustSettings) (*parley.TrustLevel, []parley.TrustRequirement) {
	if l >= parley.TrustRegular {
		return nil, nil
	}
	n := l + 1
	th, _ := t.For(n)
	return &n, requirements(sig, th, 1)
}
