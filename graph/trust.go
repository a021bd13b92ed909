package graph

import (
	"sort"
	"time"

	"github.com/parleyhq/parley"
)

// errNoTrust answers trust questions on a server built without the trust service.
var errNoTrust = parley.Errorf(parley.ENOTFOUND, "Trust levels are not kept on this server.")

// trustStanding translates a standing into its GraphQL shape.
func trustStanding(st *parley.TrustStanding) *TrustStanding {
	out := &TrustStanding{SiteID: st.SiteID, UserID: st.UserID, Level: int(st.Level), Pinned: st.Pinned,
		Signals: trustSignals(st.Signals), NextLevelNeeds: []*TrustRequirement{}, Missing: []*TrustRequirement{},
		Privileges: []*TrustPrivilege{}}
	for _, p := range st.Privileges {
		out.Privileges = append(out.Privileges, &TrustPrivilege{Name: p.Name, Level: int(p.Level), Allowed: p.Allowed, Description: p.Description})
	}
	if st.Next != nil {
		n := int(*st.Next)
		out.NextLevel = &n
	}
	for _, r := range st.Needs {
		req := &TrustRequirement{Signal: r.Signal, Max: r.Max, Need: r.Need, Have: r.Have, Met: r.Met}
		out.NextLevelNeeds = append(out.NextLevelNeeds, req)
		if !r.Met {
			out.Missing = append(out.Missing, req)
		}
	}
	if ch := st.LastChange; ch != nil {
		crossed := ch.Crossed
		if crossed == nil {
			crossed = []string{}
		}
		out.LastChange = &TrustChange{From: int(ch.From), To: int(ch.To), RuleVersion: ch.RuleVersion, Crossed: crossed,
			ByModerator: ch.ModeratorID != "", Reason: ch.Reason, CreatedAt: ch.CreatedAt}
	}
	return out
}

func trustSignals(s parley.TrustSignals) *TrustSignals {
	out := &TrustSignals{AccountAgeDays: int(s.AccountAge / (24 * time.Hour)), DaysVisited: s.DaysVisited,
		CommentsPublished: s.CommentsPublished, RejectedTotal: s.RejectedTotal(), Rejected: []*TrustCount{},
		ReportsAgainstUpheld: s.ReportsAgainstUpheld, ReportsFiledUpheld: s.ReportsFiledUpheld,
		ReportsFiledDismissed: s.ReportsFiledDismissed, ReactionsFromDistinctUsers: s.ReactionsFromDistinctUsers,
		ActiveSanctions: s.ActiveSanctions, PastSanctions: s.PastSanctions}
	for reason, n := range s.Rejected {
		out.Rejected = append(out.Rejected, &TrustCount{Reason: reason, Count: n})
	}
	sort.Slice(out.Rejected, func(i, j int) bool { return out.Rejected[i].Reason < out.Rejected[j].Reason })
	return out
}
