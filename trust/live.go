package trust

import (
	"context"

	"github.com/parleyhq/parley"
)

// ProposalEvents delivers a site's proposal changes to those who may vote on them.
func (s *Rules) ProposalEvents(ctx context.Context, siteID string) (<-chan *parley.ProposalEvent, error) {
	site, err := s.site(ctx, siteID)
	if err != nil {
		return nil, err
	}
	_, voter, err := s.viewer(ctx, site)
	if err != nil {
		return nil, err
	}
	if !voter.Eligible {
		return nil, parley.Errorf(parley.EFORBIDDEN, "Only those who vote on the site's proposals may follow them.")
	}
	if s.events == nil {
		return nil, parley.Errorf(parley.EINVALID, "Live updates are not available on this server.")
	}
	raw, err := s.events.SiteEvents(ctx, siteID)
	if err != nil {
		return nil, err
	}
	out := make(chan *parley.ProposalEvent, 16)
	go func() {
		defer close(out)
		for e := range raw {
			var ev *parley.ProposalEvent
			switch p := e.Payload.(type) {
			case parley.ProposalChanged:
				ev = &parley.ProposalEvent{Kind: e.Kind(), Proposal: &p.Proposal}
			case parley.RuleEnacted:
				ev = &parley.ProposalEvent{Kind: e.Kind(), Proposal: &p.Proposal}
			default:
				continue
			}
			select {
			case out <- ev:
			case <-ctx.Done():
				return
			default: // the subscriber is not reading; it loses this event
			}
		}
	}()
	return out, nil
}
