package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/parleyhq/parley"
)

// commentPage reads one page of a comment connection. f selects the story's top-level
// comments or a comment's replies; the page arguments come from the client as they are, and
// the cursor and size rules are the domain's (parley.DecodeCursor, parley.PageSize).
func (r *Resolver) commentPage(ctx context.Context, f parley.CommentFilter, first *int, after *string, orderBy *parley.CommentOrder, def parley.CommentOrder) (*CommentConnection, error) {
	f.Order = def
	if orderBy != nil {
		f.Order = *orderBy
	}
	return connection(ctx, f.Order, first, after, func(n int, cur *parley.Cursor) (*parley.CommentPage, error) {
		f.First, f.After = n, cur
		return r.s.Comments.FindComments(ctx, f)
	})
}

// connection turns the client's page arguments into a page size and cursor, reads the page
// with fetch, and builds the Relay connection with its cursors.
func connection(ctx context.Context, order parley.CommentOrder, first *int, after *string, fetch func(first int, after *parley.Cursor) (*parley.CommentPage, error)) (*CommentConnection, error) {
	n, err := parley.PageSize(first)
	if err != nil {
		return nil, err
	}
	var cur *parley.Cursor
	if after != nil && *after != "" {
		if cur, err = parley.DecodeCursor(*after, order); err != nil {
			return nil, err
		}
	}
	page, err := fetch(n, cur)
	if err != nil {
		return nil, err
	}
	prefetch(ctx, page.Comments)
	noteComments(ctx, page.Comments)
	conn := &CommentConnection{Edges: make([]*CommentEdge, len(page.Comments)), PageInfo: &PageInfo{HasNextPage: page.HasNextPage}}
	for i, c := range page.Comments {
		conn.Edges[i] = &CommentEdge{Cursor: parley.CursorFor(order, c).Encode(), Node: c}
	}
	if n := len(conn.Edges); n > 0 {
		conn.PageInfo.EndCursor = &conn.Edges[n-1].Cursor
	}
	return conn, nil
}

// prefetch puts every key the page's nodes will ask the loaders for into one batch per
// loader, now, for the fields the operation selects. Left to the nodes' own resolvers, the
// keys would arrive from one goroutine per node, and on a busy machine some would miss the
// batch's window and cost a second query; this way a page costs one query per loader
// whatever its size and however loaded the machine.
func prefetch(ctx context.Context, comments []*parley.Comment) {
	l := loadersFrom(ctx)
	for _, c := range comments {
		l.comments.Prime(c.ID, c)
	}
	fields, roleSites := selectedNodeFields(ctx)
	for _, c := range comments {
		if fields["author"] && c.AuthorID != "" {
			l.users.LoadThunk(ctx, c.AuthorID)
			for _, siteID := range roleSites {
				l.roles.LoadThunk(ctx, parley.SiteUser{SiteID: siteID, UserID: c.AuthorID})
			}
		}
		if fields["parent"] && c.ParentID != "" {
			l.comments.LoadThunk(ctx, c.ParentID)
		}
		if fields["story"] {
			l.stories.LoadThunk(ctx, c.StoryID)
		}
		if fields["reactions"] {
			l.reactions.LoadThunk(ctx, c.ID)
		}
		if fields["trail"] {
			l.trails.LoadThunk(ctx, c.ID)
		}
		if fields["reports"] {
			l.reports.LoadThunk(ctx, c.ID)
		}
		// Only a rejected comment has a reason to read (see Comment.rejectionReason): an
		// author's page holds their own rejected comments, a queue page many.
		if fields["rejectionReason"] && c.Status == parley.StatusRejected {
			l.rejections.LoadThunk(ctx, c.ID)
		}
	}
}

// selectedNodeFields names the fields the operation selects on the nodes of the connection
// being resolved (edges { node { … } }), fragments included, and the sites of the
// author { role(siteID:) } fields among them.
func selectedNodeFields(ctx context.Context) (fields map[string]bool, roleSites []string) {
	fields = map[string]bool{}
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || !graphql.HasOperationContext(ctx) {
		return fields, nil
	}
	op := graphql.GetOperationContext(ctx)
	for _, edges := range graphql.CollectFields(op, fc.Field.Selections, []string{"CommentConnection"}) {
		if edges.Name != "edges" {
			continue
		}
		for _, node := range graphql.CollectFields(op, edges.Selections, []string{"CommentEdge"}) {
			if node.Name != "node" {
				continue
			}
			for _, f := range graphql.CollectFields(op, node.Selections, []string{"Comment"}) {
				fields[f.Name] = true
				if f.Name == "author" {
					roleSites = append(roleSites, selectedRoleSites(op, f)...)
				}
			}
		}
	}
	return fields, roleSites
}

// selectedRoleSites returns the siteID arguments of the role fields selected on a user.
func selectedRoleSites(op *graphql.OperationContext, user graphql.CollectedField) []string {
	var out []string
	for _, f := range graphql.CollectFields(op, user.Selections, []string{"User"}) {
		if f.Name != "role" {
			continue
		}
		if siteID, ok := f.ArgumentMap(op.Variables)["siteID"].(string); ok {
			out = append(out, siteID)
		}
	}
	return out
}

// storyConnection does for a page of stories, newest first, what connection does for
// comments: the same page arguments, cursors and Relay shape.
func storyConnection(first *int, after *string, fetch func(first int, after *parley.Cursor) (*parley.StoryPage, error)) (*StoryConnection, error) {
	n, err := parley.PageSize(first)
	if err != nil {
		return nil, err
	}
	var cur *parley.Cursor
	if after != nil && *after != "" {
		if cur, err = parley.DecodeCursor(*after, parley.OrderNewest); err != nil {
			return nil, err
		}
	}
	page, err := fetch(n, cur)
	if err != nil {
		return nil, err
	}
	conn := &StoryConnection{Edges: make([]*StoryEdge, len(page.Stories)), PageInfo: &PageInfo{HasNextPage: page.HasNextPage}}
	for i, st := range page.Stories {
		conn.Edges[i] = &StoryEdge{Cursor: parley.CursorForStory(st).Encode(), Node: st}
	}
	if n := len(conn.Edges); n > 0 {
		conn.PageInfo.EndCursor = &conn.Edges[n-1].Cursor
	}
	return conn, nil
}

// connectionComplexity is the cost of a connection field: what one item costs, times the
// number of items the client asked for (the default page size when it did not say).
func connectionComplexity(child int, first *int) int {
	n := parley.DefaultPageSize
	if first != nil {
		n = min(max(*first, 1), parley.MaxPageSize)
	}
	return 1 + child*n
}
