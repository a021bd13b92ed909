package graph

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/parleyhq/parley"
)

// MutationLimits count every root field of a mutation — so aliases cannot multiply
// attempts — against the caller's network and, when signed in, against the account. The
// costly queries of limitedQueries count the same way.
type MutationLimits struct {
	PerClient  parley.RateLimiter
	PerAccount parley.RateLimiter
	// NewStoriesPerClient and NewStoriesPerSite count the stories that story(url:) creates
	// on first read, per client network and per site origin: a story created by reading is
	// still a write, and without them anyone could fill a site with stories at any URL
	// under its origins. Reading a story that exists is never limited.
	NewStoriesPerClient parley.RateLimiter
	NewStoriesPerSite   parley.RateLimiter
	// PerNewAccount is the tighter quota of accounts at trust level 0 on every site (Levels
	// tells); it counts besides PerAccount. Admins are never new.
	PerNewAccount parley.RateLimiter
	Levels        parley.TrustLevels
}

// clientKey groups IPv6 addresses by /64, the block one subscriber usually holds, so that
// rotating addresses within it gains nothing; IPv4 addresses count alone.
func clientKey(ip string) string {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return "ip:" + ip
	}
	if addr.Is4() || addr.Is4In6() {
		return "ip:" + addr.Unmap().String()
	}
	p, _ := addr.Prefix(64)
	return "ip6:" + p.String()
}

// limitedQueries are the query fields that read so much (every record of a user) that they
// are limited like changes.
var limitedQueries = map[string]bool{"viewerExport": true}

func (l MutationLimits) rootField(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	if !graphql.HasOperationContext(ctx) {
		return next(ctx)
	}
	switch graphql.GetOperationContext(ctx).Operation.Operation {
	case "mutation":
	case "query":
		if !limitedQueries[graphql.GetRootFieldContext(ctx).Field.Name] {
			return next(ctx)
		}
	default:
		return next(ctx)
	}
	if err := l.check(ctx); err != nil {
		graphql.AddError(ctx, err)
		return graphql.Null
	}
	return next(ctx)
}

func (l MutationLimits) check(ctx context.Context) error {
	if l.PerClient != nil {
		if err := limited(ctx, l.PerClient, clientKey(parley.ClientFromContext(ctx).IP), "Too many changes from your network"); err != nil {
			return err
		}
	}
	u := parley.UserFromContext(ctx)
	if u == nil {
		return nil
	}
	if l.PerAccount != nil {
		if err := limited(ctx, l.PerAccount, "user:"+u.ID, "Too many changes from your account"); err != nil {
			return err
		}
	}
	if l.PerNewAccount != nil && l.Levels != nil && !u.Admin {
		// The level is read only once the smaller quota is spent: within it, an account
		// passes whatever its level, so most changes cost no query for it. An account above
		// level 0 draws on that quota too, unheld by it; were it pinned back to 0, its quota
		// would refill as any other's.
		ok, retry, err := l.PerNewAccount.Allow(ctx, "new:"+u.ID)
		if err != nil {
			return fmt.Errorf("rate limit: %w", err)
		}
		if ok {
			return nil
		}
		level, err := l.Levels.HighestTrustLevel(ctx, u.ID)
		if err != nil {
			return err
		}
		if level == parley.TrustNew {
			return refusal(retry, "Too many changes from a new account (trust level 0 has a smaller quota until your first comment is published)")
		}
	}
	return nil
}

// limited takes one attempt from key's bucket; what says what there were too many of.
func limited(ctx context.Context, l parley.RateLimiter, key, what string) error {
	ok, retry, err := l.Allow(ctx, key)
	if err != nil {
		return fmt.Errorf("rate limit: %w", err)
	}
	if !ok {
		return refusal(retry, what)
	}
	return nil
}

// refusal answers a spent quota: what there were too many of, and when to try again.
func refusal(retry time.Duration, what string) error {
	seconds := int((retry + time.Second - 1) / time.Second)
	return parley.RateLimitedf(retry, "%s; try again in %d seconds.", what, seconds)
}

// stories returns s with story creation on first read limited, or s itself when no limit
// is set. sites tells which origins a site allows, so that a URL no site allows (which
// creates nothing) costs nothing.
func (l MutationLimits) stories(s parley.StoryService, sites parley.SiteService) parley.StoryService {
	if l.NewStoriesPerClient == nil && l.NewStoriesPerSite == nil {
		return s
	}
	return limitedStories{StoryService: s, sites: sites, l: l}
}

// limitedStories counts every story that FindStoryByURL would create against the limits
// before it is created.
type limitedStories struct {
	parley.StoryService
	sites parley.SiteService
	l     MutationLimits
}

// FindStoryByURL answers an existing story at once; a missing one is created only when the
// caller's network and the site have new stories left.
func (s limitedStories) FindStoryByURL(ctx context.Context, rawURL string) (*parley.Story, error) {
	found, err := s.StoryService.StoryCounts(ctx, []string{rawURL})
	if err != nil {
		return nil, err
	}
	if len(found) == 1 && found[0].Story != nil {
		return found[0].Story, nil
	}
	canonical, err := parley.CanonicalStoryURL(rawURL)
	if err != nil {
		return nil, err
	}
	origin, err := parley.OriginOfURL(canonical)
	if err != nil {
		return nil, err
	}
	allowed, err := s.sites.IsAllowedOrigin(ctx, origin)
	if err != nil {
		return nil, err
	}
	if !allowed {
		return s.StoryService.FindStoryByURL(ctx, rawURL) // creates nothing: NOT_FOUND
	}
	if s.l.NewStoriesPerClient != nil {
		if err := limited(ctx, s.l.NewStoriesPerClient, clientKey(parley.ClientFromContext(ctx).IP), "Too many new stories from your network"); err != nil {
			return nil, err
		}
	}
	if s.l.NewStoriesPerSite != nil {
		if err := limited(ctx, s.l.NewStoriesPerSite, "origin:"+origin, "Too many new stories on this site"); err != nil {
			return nil, err
		}
	}
	return s.StoryService.FindStoryByURL(ctx, rawURL)
}
