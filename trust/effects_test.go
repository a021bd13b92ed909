package trust_test

import (
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/trust"
)

func TestCanVote(t *testing.T) {
	open := parley.SiteSettings{Rules: &parley.RuleSettings{ModeratorQuorum: 1, MemberVotes: true}}
	closed := parley.SiteSettings{}
	tests := []struct {
		name     string
		level    parley.TrustLevel
		role     parley.Role
		settings parley.SiteSettings
		want     bool
	}{
		{"a moderator votes where members do not", parley.TrustNew, parley.RoleModerator, closed, true},
		{"an admin votes where members do not", parley.TrustNew, parley.RoleAdmin, closed, true},
		{"a level 3 commenter cannot vote where members do not", parley.TrustRegular, parley.RoleCommenter, closed, false},
		{"a MEMBER cannot vote where members do not", parley.TrustNew, parley.RoleMember, closed, false},
		{"a MEMBER votes where members do", parley.TrustNew, parley.RoleMember, open, true},
		{"a level 2 commenter votes where members do", parley.TrustMember, parley.RoleCommenter, open, true},
		{"a level 1 commenter cannot vote", parley.TrustBasic, parley.RoleCommenter, open, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := trust.CanVote(tc.level, tc.role, tc.settings); got != tc.want {
				t.Errorf("CanVote = %v, want %v", got, tc.want)
			}
			err := trust.RequireVote(tc.level, tc.role, tc.settings)
			if tc.want && err != nil || !tc.want && parley.ErrorCode(err) != parley.EFORBIDDEN {
				t.Errorf("RequireVote = %v", err)
			}
		})
	}
}

func TestPrivileges(t *testing.T) {
	t.Run("a level 0 reader may not report on a default site, and is told it opens at level 1", func(t *testing.T) {
		ps := trust.Privileges(parley.TrustNew, parley.RoleCommenter, parley.DefaultSiteSettings())
		if len(ps) == 0 || ps[0].Name != "REPORT" || ps[0].Allowed || ps[0].Level != parley.TrustBasic {
			t.Errorf("privileges = %+v", ps)
		}
	})
	t.Run("a level 3 reader has every privilege of a site that holds links and lets members vote", func(t *testing.T) {
		s := parley.DefaultSiteSettings()
		s.PremodLinks, s.Rules = true, &parley.RuleSettings{ModeratorQuorum: 1, MemberVotes: true}
		for _, p := range trust.Privileges(parley.TrustRegular, parley.RoleCommenter, s) {
			if !p.Allowed {
				t.Errorf("%s not allowed", p.Name)
			}
		}
	})
}
