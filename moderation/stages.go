package moderation

import (
	"context"
	"fmt"

	"github.com/parleyhq/parley"
)

// Reason codes of the built-in stages.
const (
	FlagStaff            = "STAFF"
	FlagPremod           = "PREMOD"
	FlagLinks            = "LINKS"
	FlagNewCommenter     = "NEW_COMMENTER"
	FlagRecentRejections = "RECENT_REJECTIONS"
	FlagRepeatPost       = "REPEAT_POST"
	FlagBanned           = "BANNED"
	FlagSuspended        = "SUSPENDED"
	FlagAlwaysPremod     = "ALWAYS_PREMOD"
	FlagWarned           = "WARNED"
)

// stageFunc makes a Stage of a name and a function.
type stageFunc struct {
	name  string
	check func(s *parley.Submission) parley.Verdict
}

func (f stageFunc) Name() string { return f.name }

func (f stageFunc) Check(_ context.Context, s *parley.Submission) (parley.Verdict, error) {
	return f.check(s), nil
}

// Rule marks every built-in stageFunc as a rule (see Rule).
func (stageFunc) Rule() {}

// Rule is implemented by stages that apply the site's settings or the author's standing as
// written, such as staff or user_status, rather than judge what a comment says. A rule cannot
// be wrong about a comment, only the settings can, so its agreement with moderators is not
// measured as accuracy.
type Rule interface {
	Stage
	Rule()
}

var pass = parley.Verdict{Decision: parley.DecisionPass}

// Staff approves the comments of the site's moderators and of admins.
func Staff() Stage {
	return stageFunc{"staff", func(s *parley.Submission) parley.Verdict {
		if s.Role.AtLeast(parley.RoleModerator) {
			return parley.Verdict{Decision: parley.DecisionApprove, Flags: []string{FlagStaff}, Evidence: "Written by staff (" + string(s.Role) + ")."}
		}
		return pass
	}}
}

// UserStatus applies the author's sanctions: a ban or suspension rejects, pre-moderation
// holds, and a warning not yet acknowledged holds until the author has read it.
func UserStatus() Stage {
	return stageFunc{"user_status", func(s *parley.Submission) parley.Verdict {
		var hold *parley.Verdict
		for _, sc := range s.History.Sanctions {
			switch sc.Kind {
			case parley.SanctionBan:
				return parley.Verdict{Decision: parley.DecisionReject, Flags: []string{FlagBanned}, Evidence: "The author is banned" + scope(sc) + "."}
			case parley.SanctionSuspend:
				return parley.Verdict{Decision: parley.DecisionReject, Flags: []string{FlagSuspended},
					Evidence: "The author is suspended" + scope(sc) + " until " + sc.ExpiresAt.UTC().Format("2006-01-02 15:04 MST") + "."}
			case parley.SanctionPremod:
				hold = &parley.Verdict{Decision: parley.DecisionHold, Flags: []string{FlagAlwaysPremod}, Evidence: "The moderators review this author's comments."}
			case parley.SanctionWarn:
				if sc.AcknowledgedAt == nil && hold == nil {
					hold = &parley.Verdict{Decision: parley.DecisionHold, Flags: []string{FlagWarned}, Evidence: "The author has not yet acknowledged a warning."}
				}
			}
		}
		if hold != nil {
			return *hold
		}
		return pass
	}}
}

func scope(sc *parley.Sanction) string {
	if sc.SiteID == "" {
		return " on every site"
	}
	return ""
}

// RepeatPost rejects a comment whose author posted the same text on the site moments ago,
// which is almost always a double submit or a flood.
func RepeatPost() Stage {
	return stageFunc{"repeat_post", func(s *parley.Submission) parley.Verdict {
		if s.History.SameBodyRecently {
			return parley.Verdict{Decision: parley.DecisionReject, Flags: []string{FlagRepeatPost}, Evidence: "The author posted the same text a moment ago."}
		}
		return pass
	}}
}

// PremodAll holds every comment when the story, or the site, pre-moderates everything.
func PremodAll() Stage {
	return stageFunc{"premod_all", func(s *parley.Submission) parley.Verdict {
		if mode := storyMode(s); mode == parley.StoryModerationPre || mode == parley.StoryModerationSite && s.Settings.PremodAll {
			return parley.Verdict{Decision: parley.DecisionHold, Flags: []string{FlagPremod}, Evidence: "The site reviews every comment before it is published."}
		}
		return pass
	}}
}

// storyMode is the story's own moderation mode, SITE when it has none.
func storyMode(s *parley.Submission) parley.StoryModeration {
	if s.Story == nil || s.Story.Moderation == "" {
		return parley.StoryModerationSite
	}
	return s.Story.Moderation
}

// PremodLinks holds comments with links when the site asks for it. It looks at the
// rendered body, so it sees what readers would be able to click, autolinks included.
func PremodLinks() Stage {
	return stageFunc{"premod_links", func(s *parley.Submission) parley.Verdict {
		mode := storyMode(s)
		on := mode == parley.StoryModerationPreLinks || mode == parley.StoryModerationSite && s.Settings.PremodLinks
		if on && hasLink(s.Comment.Body) && s.History.TrustLevel >= parley.LevelForFreeLinks {
			return trustedLinks(s.History.TrustLevel)
		}
		if on && hasLink(s.Comment.Body) {
			return parley.Verdict{Decision: parley.DecisionHold, Flags: []string{FlagLinks}, Evidence: "The comment contains a link, and the site reviews those first."}
		}
		return pass
	}}
}

// NewCommenter holds the comments of authors with too few published comments on the site.
func NewCommenter() Stage {
	return stageFunc{"new_commenter", func(s *parley.Submission) parley.Verdict {
		n := s.Settings.PremodNewCommenters
		if n > 0 && s.History.Published < n {
			return parley.Verdict{Decision: parley.DecisionHold, Flags: []string{FlagNewCommenter}, Score: float64(s.History.Published),
				Evidence: fmt.Sprintf("The author has %d published comments here; the site reviews authors until they have %d.", s.History.Published, n)}
		}
		return pass
	}}
}

// minDecidedForRate is how many decided comments an author needs before their rejection
// rate counts; a single early rejection says little.
const minDecidedForRate = 5

// RejectionRate holds the comments of authors whose recent comments were often rejected.
func RejectionRate() Stage {
	return stageFunc{"rejection_rate", func(s *parley.Submission) parley.Verdict {
		limit, h := s.Settings.HoldRejectionRate, s.History
		if limit <= 0 || h.RecentTotal < minDecidedForRate {
			return pass
		}
		rate := float64(h.RecentRejected) / float64(h.RecentTotal)
		if rate >= limit {
			return parley.Verdict{Decision: parley.DecisionHold, Flags: []string{FlagRecentRejections}, Score: rate,
				Evidence: fmt.Sprintf("%d of the author's last %d comments were rejected (%.0f%%; the site holds from %.0f%%).", h.RecentRejected, h.RecentTotal, 100*rate, 100*limit)}
		}
		return pass
	}}
}

// Default is the built-in pipeline, in the order that makes sense for most sites: staff
// first (they are never held), then the author's sanctions and floods, then the content
// checks given (such as the word lists), then the site's pre-moderation rules.
func Default(content ...Step) *Pipeline {
	steps := []Step{{Stage: Staff()}, {Stage: UserStatus()}, {Stage: RepeatPost()}}
	steps = append(steps, content...)
	return NewPipeline(append(steps,
		Step{Stage: PremodAll()},
		Step{Stage: NewCommenter()},
		Step{Stage: NewLevel()},
		Step{Stage: RejectionRate()},
		Step{Stage: PremodLinks()},
	)...)
}

// FlagUnverifiedEmail marks a first comment held because its author's address is not verified.
const FlagUnverifiedEmail = "UNVERIFIED_EMAIL"

// VerifiedEmail holds an author's first comment on a site that requires a verified address
// until the author follows the mailed verification link. Accounts made through a host
// site's single sign-on count as verified: the host vouches for them; guests have no address
// to verify and are held for being guests. verified reads the stored state
// (parley.RecoveryStore.EmailVerified); it is asked only for authors with no published
// comment on a site that requires it. An edit of a comment still held is held again, so that
// editing is no way around the wait. Its hold defers to the other stages (see Pipeline), so a
// comment it decided is held for this reason alone, and verifying releases it.
func VerifiedEmail(verified func(ctx context.Context, userID string) (bool, error)) Stage {
	return verifiedEmail{verified}
}

type verifiedEmail struct {
	verified func(ctx context.Context, userID string) (bool, error)
}

func (verifiedEmail) Name() string { return parley.StageVerifiedEmail }

func (verifiedEmail) defersHold() {}

func (v verifiedEmail) Check(ctx context.Context, s *parley.Submission) (parley.Verdict, error) {
	if !s.Settings.RequireVerifiedEmail || s.History.Published > 0 || s.Author == nil || s.Author.SSOSiteID != "" || s.Author.Guest {
		return pass, nil
	}
	if s.Action == parley.ActionEdit && (s.Previous == nil || s.Previous.Status != parley.StatusPending) {
		return pass, nil
	}
	ok, err := v.verified(ctx, s.Author.ID)
	if err != nil || ok {
		return pass, err
	}
	return parley.Verdict{Decision: parley.DecisionHold, Flags: []string{FlagUnverifiedEmail},
		Evidence: "The site publishes a first comment once its author has confirmed their email address."}, nil
}
