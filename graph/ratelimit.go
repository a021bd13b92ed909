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
		if err := limited(ctx, l.PerClient, clientKey(parley.ClientFromContext(ctx).IP), "from your network"); err != nil {
			return err
		}
	}
	if u := parley.UserFromContext(ctx); u != nil && l.PerAccount != nil {
		return limited(ctx, l.PerAccount, "user:"+u.ID, "from your account")
	}
	return nil
}

func limited(ctx context.Context, l parley.RateLimiter, key, whose string) error {
	ok, retry, err := l.Allow(ctx, key)
	if err != nil {
		return fmt.Errorf("rate limit: %w", err)
	}
	if !ok {
		seconds := int((retry + time.Second - 1) / time.Second)
		return parley.RateLimitedf(retry, "Too many changes %s; try again in %d seconds.", whose, seconds)
	}
	return nil
}
