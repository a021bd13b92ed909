package moderation

import (
	"context"

	"github.com/parleyhq/parley"
)

// PublicLog implements parley.ModerationLogService: the site's log as anyone may read it.
// Storage returns every name it has; PublicLog keeps only those the site chose to show.
// Reporters are never in the log at all, and no entry carries a comment or its body.
type PublicLog struct {
	store parley.ModerationLogStore
	sites parley.SiteService
}

// NewPublicLog returns the public log over store, with each site's choices from sites.
func NewPublicLog(store parley.ModerationLogStore, sites parley.SiteService) *PublicLog {
	return &PublicLog{store: store, sites: sites}
}

var _ parley.ModerationLogService = (*PublicLog)(nil)

// ModerationLog returns one page of the site's log, newest first.
func (l *PublicLog) ModerationLog(ctx context.Context, siteID string, first int, after string) (*parley.LogPage, error) {
	switch {
	case first < 0 || first > parley.MaxLogPage:
		return nil, parley.FieldErrorf("first", "A log page has 1 to %d entries.", parley.MaxLogPage)
	case first == 0:
		first = parley.DefaultLogPage
	}
	var cursor *parley.LogCursor
	if after != "" {
		c, err := parley.DecodeLogCursor(after)
		if err != nil {
			return nil, err
		}
		cursor = c
	}
	if !parley.IsID(siteID) {
		return nil, parley.Errorf(parley.ENOTFOUND, "Site not found.")
	}
	site, err := l.sites.FindSiteByID(ctx, siteID)
	if err != nil {
		if parley.ErrorCode(err) == parley.ENOTFOUND {
			return nil, parley.Errorf(parley.ENOTFOUND, "Site not found.")
		}
		return nil, err
	}
	page, err := l.store.ModerationLog(ctx, site.ID, first, cursor)
	if err != nil {
		return nil, err
	}
	show := site.Settings.PublicLog
	for _, e := range page.Entries {
		if !show.ShowUsernames {
			e.Username = ""
		}
		if !show.ShowModerators {
			e.Moderator = ""
		}
	}
	return page, nil
}
