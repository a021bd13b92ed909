package trust

import (
	"github.com/parleyhq/parley"
)

// CanVote reports whether a user may vote on the site's rule proposals, by the one rule
// the proposals code applies (Eligibility) and the site's governance (SiteSettings.Rules,
// set with setRuleGovernance): moderators always; members when member votes are on.
func CanVote(level parley.TrustLevel, role parley.Role, settings parley.SiteSettings) bool {
	return Eligibility(role, level, parley.RuleSettingsOf(settings)).Eligible
}

// RequireVote is CanVote as an error: FORBIDDEN saying who may vote on this site.
func RequireVote(level parley.TrustLevel, role parley.Role, settings parley.SiteSettings) error {
	if CanVote(level, role, settings) {
		return nil
	}
	if !parley.RuleSettingsOf(settings).MemberVotes {
		return parley.Errorf(parley.EFORBIDDEN, "Only the site's moderators vote on rule proposals here.")
	}
	return parley.Errorf(parley.EFORBIDDEN, "Votes on rule proposals open at trust level %d (or with the MEMBER role); you are at level %d.", parley.LevelToVote, level)
}

// Privileges lists what trust gives on the site, each with the level it opens at and
// whether level (with role) has it. Privileges the site's settings make moot (a link hold
// the site does not have) are left out, so the reader is told only what matters here.
func Privileges(level parley.TrustLevel, role parley.Role, s parley.SiteSettings) []parley.TrustPrivilege {
	var out []parley.TrustPrivilege
	add := func(name string, at parley.TrustLevel, desc string) {
		out = append(out, parley.TrustPrivilege{Name: name, Level: at, Allowed: level >= at, Description: desc})
	}
	switch s.TrustEffects.Treatment() {
	case parley.TreatPremod:
		add("POST_WITHOUT_REVIEW", parley.TrustBasic, "Your comments are published without waiting for a moderator.")
	case parley.TreatHoldLinks:
		add("LINKS_WITHOUT_REVIEW", parley.TrustBasic, "Your comments with links are no longer held as a new commenter's.")
	}
	if s.TrustEffects.NewMayReport {
		add("REPORT", parley.TrustNew, "You can report comments to the moderators.")
	} else {
		add("REPORT", parley.LevelToReport, "You can report comments to the moderators.")
	}
	if s.PremodLinks {
		add("LINKS_WITHOUT_HOLD", parley.LevelForFreeLinks, "Your comments with links are published without a hold.")
	}
	if parley.RuleSettingsOf(s).MemberVotes {
		p := parley.TrustPrivilege{Name: "VOTE", Level: parley.LevelToVote, Allowed: CanVote(level, role, s),
			Description: "You can vote on the community's rule proposals."}
		out = append(out, p)
	}
	add("TRUSTED_REPORT", parley.LevelForHoldingReports, "Your reports hold a comment for review at once.")
	add("FOLLOWED_LINKS", parley.LevelForFollowedLinks, "Your links are published without rel=nofollow, so search engines credit them.")
	return out
}
