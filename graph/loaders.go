package graph

import (
	"context"
	"time"

	"github.com/vikstrous/dataloadgen"

	"github.com/parleyhq/parley"
)

// loaderWait is how long a loader collects keys before it queries. gqlgen resolves the fields
// of a list's items concurrently, so all items of one page arrive well within this window.
const loaderWait = 5 * time.Millisecond

// loaders batch the lookups that would otherwise cost one query per item of a page: a page of
// comments with their authors, stories, parents and reactions costs one query per kind.
// They are made per operation because what a viewer may see (pending comments, their own
// reactions) differs from one viewer to the next.
type loaders struct {
	users     *dataloadgen.Loader[string, *parley.User]
	stories   *dataloadgen.Loader[string, *parley.Story]
	comments  *dataloadgen.Loader[string, *parley.Comment]
	reactions *dataloadgen.Loader[string, []parley.ReactionCount]
	// rejections serves Comment.rejectionReason: "" for a comment the viewer is not told of.
	rejections *dataloadgen.Loader[string, parley.RejectReason]
	// roles serves User.role(siteID), which the widget asks of every author for staff badges.
	roles *dataloadgen.Loader[parley.SiteUser, parley.Role]
	// trails and reports serve Comment.trail and Comment.reports, which the moderators'
	// queue asks of every comment.
	trails  *dataloadgen.Loader[string, []*parley.ModerationRecord]
	reports *dataloadgen.Loader[string, []*parley.Report]
}

func newLoaders(s Services) *loaders {
	wait := dataloadgen.WithWait(loaderWait)
	return &loaders{
		users:      dataloadgen.NewLoader(fetchByID(s.Users.FindUsersByIDs, func(u *parley.User) string { return u.ID }), wait),
		stories:    dataloadgen.NewLoader(fetchByID(s.Stories.FindStoriesByIDs, func(st *parley.Story) string { return st.ID }), wait),
		comments:   dataloadgen.NewLoader(fetchByID(s.Comments.FindCommentsByIDs, func(c *parley.Comment) string { return c.ID }), wait),
		reactions:  dataloadgen.NewLoader(fetchFromMap(s.Reactions.ReactionCounts), wait),
		rejections: dataloadgen.NewLoader(fetchFromMap(s.Comments.RejectionReasons), wait),
		roles:      dataloadgen.NewLoader(fetchRoles(s.Users), wait),
		trails:     dataloadgen.NewLoader(fetchAllOrOne(s.Comments.ModerationsOf, s.Comments.FindModerations), wait),
		reports:    dataloadgen.NewLoader(fetchAllOrOne(s.Reports.ReportsOf, s.Reports.FindReports), wait),
	}
}

// fetchByID adapts a service's FindXByIDs, which returns what it finds in any order, to a
// loader's fetch, which answers each key in place: items that are missing (a deleted account,
// a comment the viewer may not see) load as nil without an error, so nullable fields show null.
func fetchByID[T any](find func(context.Context, []string) ([]*T, error), idOf func(*T) string) func(context.Context, []string) ([]*T, []error) {
	return func(ctx context.Context, ids []string) ([]*T, []error) {
		found, err := find(ctx, ids)
		if err != nil {
			return nil, []error{err}
		}
		byID := make(map[string]*T, len(found))
		for _, v := range found {
			byID[idOf(v)] = v
		}
		out := make([]*T, len(ids))
		for i, id := range ids {
			out[i] = byID[id]
		}
		return out, nil
	}
}

// fetchFromMap adapts a service's batch lookup that answers a map by ID to a loader's fetch;
// an ID the map leaves out loads as the zero value (a comment without reactions, or without
// a rejection reason the viewer may read).
func fetchFromMap[V any](find func(context.Context, []string) (map[string]V, error)) func(context.Context, []string) ([]V, []error) {
	return func(ctx context.Context, ids []string) ([]V, []error) {
		found, err := find(ctx, ids)
		if err != nil {
			return nil, []error{err}
		}
		out := make([]V, len(ids))
		for i, id := range ids {
			out[i] = found[id]
		}
		return out, nil
	}
}

// fetchAllOrOne adapts a batch lookup that leaves out the keys the caller may not read to a
// loader's fetch: each key left out is read alone, so that it answers exactly what the single
// lookup answers (NOT_FOUND, FORBIDDEN, …), while a moderator's page costs one query.
func fetchAllOrOne[V any](all func(context.Context, []string) (map[string]V, error), one func(context.Context, string) (V, error)) func(context.Context, []string) ([]V, []error) {
	return func(ctx context.Context, ids []string) ([]V, []error) {
		found, err := all(ctx, ids)
		if err != nil {
			return nil, []error{err}
		}
		out, errs := make([]V, len(ids)), make([]error, len(ids))
		for i, id := range ids {
			var ok bool
			if out[i], ok = found[id]; !ok {
				out[i], errs[i] = one(ctx, id)
			}
		}
		return out, errs
	}
}

// fetchRoles loads the roles of many users on many sites at once. A pair whose site or user
// does not exist is NOT_FOUND, as UserService.SiteRole answers it.
func fetchRoles(s parley.UserService) func(context.Context, []parley.SiteUser) ([]parley.Role, []error) {
	return func(ctx context.Context, keys []parley.SiteUser) ([]parley.Role, []error) {
		roles, err := s.SiteRoles(ctx, keys)
		if err != nil {
			return nil, []error{err}
		}
		out, errs := make([]parley.Role, len(keys)), make([]error, len(keys))
		for i, k := range keys {
			var ok bool
			if out[i], ok = roles[k]; !ok {
				errs[i] = parley.Errorf(parley.ENOTFOUND, "Site or user not found.")
			}
		}
		return out, errs
	}
}

type loadersKey struct{}

func withLoaders(ctx context.Context, l *loaders) context.Context {
	return context.WithValue(ctx, loadersKey{}, l)
}

// loadersFrom returns the operation's loaders. Every operation gets them from the handler's
// operation middleware, so a missing set is a wiring bug and panics (answered as INTERNAL).
func loadersFrom(ctx context.Context) *loaders {
	return ctx.Value(loadersKey{}).(*loaders)
}
