package graph

import (
	"context"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vikstrous/dataloadgen"

	"github.com/parleyhq/parley"
)

// load reads one item through a loader; an empty ID (no author, no parent) is null.
func load[T any](ctx context.Context, l *dataloadgen.Loader[string, *T], id string) (*T, error) {
	if id == "" {
		return nil, nil
	}
	return l.Load(ctx, id)
}

// commentPayload wraps a service's answer for the mutations that return CommentPayload.
func commentPayload(c *parley.Comment, err error) (*CommentPayload, error) {
	if err != nil {
		return nil, err
	}
	return &CommentPayload{Comment: c}, nil
}

// visibleEmail applies parley.User.EmailVisibleTo. The user of an AuthPayload is the one who
// now holds its token, though the request that signed them in was anonymous.
func visibleEmail(ctx context.Context, u *parley.User) *string {
	if u.EmailVisibleTo(parley.UserFromContext(ctx)) || parentObject(ctx) == "AuthPayload" {
		return &u.Email
	}
	return nil
}

// nonEmpty maps "" to null, for optional strings kept as plain strings in the domain.
func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// parentObject names the type whose field holds the object being resolved.
func parentObject(ctx context.Context) string {
	if fc := graphql.GetFieldContext(ctx); fc != nil && fc.Parent != nil {
		return fc.Parent.Object
	}
	return ""
}

// bearerToken returns the token the operation was sent with, which signOut revokes. The
// server has already checked that it is live.
func bearerToken(ctx context.Context) string {
	if !graphql.HasOperationContext(ctx) {
		return ""
	}
	h := graphql.GetOperationContext(ctx).Headers.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

func pointers[T any](vs []T) []*T {
	out := make([]*T, len(vs))
	for i := range vs {
		out[i] = &vs[i]
	}
	return out
}

// values copies a list of input objects, which gqlgen hands over as pointers; nil stays nil
// because nil means "unchanged" in the domain's updates.
func values[T any](ps []*T) []T {
	if ps == nil {
		return nil
	}
	out := make([]T, len(ps))
	for i, p := range ps {
		out[i] = *p
	}
	return out
}

// deref reads an optional argument, "" when absent.
func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// sanction imposes a sanction and answers the sanctioned user, as the API's mutations do.
func (r *Resolver) sanction(ctx context.Context, in parley.SanctionInput) (*parley.User, error) {
	if _, err := r.s.Sanctions.Sanction(ctx, in); err != nil {
		return nil, err
	}
	return r.s.Users.FindUserByID(ctx, in.UserID)
}

// userSanction reads the input shared by warnUser, premodUser and messageUser.
func userSanction(in UserSanctionInput, kind parley.SanctionKind) parley.SanctionInput {
	return parley.SanctionInput{UserID: in.UserID, SiteID: deref(in.SiteID), Kind: kind, Message: deref(in.Message)}
}

// bulkPayload wraps the comments a bulk decision changed.
func bulkPayload(cs []*parley.Comment, err error) (*BulkCommentPayload, error) {
	if err != nil {
		return nil, err
	}
	return &BulkCommentPayload{Comments: cs}, nil
}

// optional makes a (value, ok) pair a nullable field.
func optional(v float64, ok bool) (*float64, error) {
	if !ok {
		return nil, nil
	}
	return &v, nil
}

// commentStream subscribes to a story's new comments (created) or changed ones.
func (r *Resolver) commentStream(ctx context.Context, storyID string, created bool) (<-chan *parley.Comment, error) {
	if r.s.Live == nil {
		return nil, parley.Errorf(parley.EINVALID, "Live updates are not available on this server.")
	}
	return r.s.Live.CommentEvents(ctx, storyID, created)
}
