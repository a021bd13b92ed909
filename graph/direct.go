package graph

import (
	"context"
	"encoding/json"
	"sync"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/parleyhq/parley"
)

// direct answers the reads that make up nearly every request the page cache cannot serve (a
// story's page of comments with their authors, roles, reactions and inline replies, and a
// comment's page of replies) without gqlgen's executor, which spends a goroutine on every
// item of a list and on every resolver field, and several allocations on every scalar. It
// reads the page, loads what its comments need in one batch per kind, and writes the JSON
// once. gqlgen still parses, validates and prices the operation. An operation that asks for
// anything else, and one whose reading fails in any way, goes to the executor instead, so the
// answer is always the executor's, byte for byte (TestDirectMatchesExecutor).
type direct struct {
	s Services
	// count counts a root field in the metrics, as the executor's root-field middleware
	// does; nil without metrics.
	count func(field string)

	plans plans
}

// directAnswers counts the operations answered directly, for the tests.
var directAnswers atomic.Int64

// commentPageFields are the fields of a comment on a story's page that both fast paths
// answer: direct (directFields) and the page cache's overlay (overlayFields).
var commentPageFields = map[string]bool{"id": true, "body": true, "bodySource": true, "status": true, "author": true,
	"parent": true, "depth": true, "replyCount": true, "featured": true, "createdAt": true, "editedAt": true, "version": true,
	"reactions": true, "rejectionReason": true, "replies": true}

// directFields are the fields, by type, that direct answers. Comment.parent is answered
// with its scalar fields only (directParentFields), which is all a reader needs to link a
// reply to what it answers.
var directFields = map[string]map[string]bool{
	"Query":             {"story": true, "comment": true},
	"Story":             {"id": true, "url": true, "title": true, "closed": true, "commentCount": true, "createdAt": true, "comments": true},
	"CommentConnection": {"edges": true, "pageInfo": true},
	"CommentEdge":       {"cursor": true, "node": true},
	"PageInfo":          {"hasNextPage": true, "endCursor": true},
	"Comment":           commentPageFields,
	"User":              {"id": true, "username": true, "guest": true, "admin": true, "role": true},
	"ReactionCount":     {"kind": true, "count": true, "viewerReacted": true},
}

var directParentFields = map[string]bool{"id": true, "body": true, "bodySource": true, "status": true, "depth": true,
	"replyCount": true, "featured": true, "createdAt": true, "editedAt": true, "version": true}

func newDirect(s Services, count func(string)) *direct {
	return &direct{s: s, count: count}
}

// around is the response middleware that answers the operations direct knows.
func (d *direct) around(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	if !graphql.HasOperationContext(ctx) {
		return next(ctx)
	}
	oc := graphql.GetOperationContext(ctx)
	// An operation refused before it runs (invalid, over a limit) comes here too, with its
	// errors already reported.
	if len(graphql.GetErrors(ctx)) > 0 || oc.Operation == nil || oc.Operation.Operation != ast.Query || !d.plan(oc) {
		return next(ctx)
	}
	r := &directRun{ctx: ctx, oc: oc, s: d.s}
	body, ok := r.run()
	if !ok {
		return next(ctx)
	}
	if d.count != nil {
		for _, f := range r.roots {
			d.count(f)
		}
	}
	directAnswers.Add(1)
	ext := graphql.GetExtensions(ctx)
	if slot, _ := ctx.Value(directBodyKey{}).(*directBody); slot != nil && len(ext) == 0 {
		slot.b = body
		return &graphql.Response{Data: json.RawMessage("null")}
	}
	return &graphql.Response{Data: body[len(directPrefix) : len(body)-1], Extensions: ext}
}

// plan tells whether direct answers the operation, remembering the answer per document.
func (d *direct) plan(oc *graphql.OperationContext) bool {
	return d.plans.get(oc.OperationName, oc.RawQuery, func() bool {
		return directSupports(oc.Doc, "Query", oc.Operation.SelectionSet, directFields)
	})
}

// directSupports walks a selection set of the named type, fragments included, and tells
// whether every field in it is one direct answers, with no directive but @skip and @include.
func directSupports(doc *ast.QueryDocument, typ string, sel ast.SelectionSet, fields map[string]map[string]bool) bool {
	for _, s := range sel {
		switch s := s.(type) {
		case *ast.Field:
			if !onlySkipInclude(s.Directives) {
				return false
			}
			if s.Name == "__typename" {
				continue
			}
			if !fields[typ][s.Name] || s.Definition == nil {
				return false
			}
			if typ == "Comment" && s.Name == "parent" {
				if !directSupports(doc, "Comment", s.SelectionSet, map[string]map[string]bool{"Comment": directParentFields}) {
					return false
				}
				continue
			}
			if len(s.SelectionSet) > 0 && !directSupports(doc, s.Definition.Type.Name(), s.SelectionSet, fields) {
				return false
			}
		case *ast.FragmentSpread:
			f := doc.Fragments.ForName(s.Name)
			if f == nil || f.TypeCondition != typ || !onlySkipInclude(s.Directives) || !directSupports(doc, typ, f.SelectionSet, fields) {
				return false
			}
		case *ast.InlineFragment:
			if (s.TypeCondition != "" && s.TypeCondition != typ) || !onlySkipInclude(s.Directives) || !directSupports(doc, typ, s.SelectionSet, fields) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

func onlySkipInclude(ds ast.DirectiveList) bool {
	for _, d := range ds {
		if d.Name != "skip" && d.Name != "include" {
			return false
		}
	}
	return true
}

// directRun is one operation answered directly: first every page it asks for is read
// (gather), then what the pages' comments need is loaded in one batch per kind (load), then
// the answer is written (write*, in direct_write.go).
type directRun struct {
	ctx   context.Context
	oc    *graphql.OperationContext
	s     Services
	buf   []byte
	roots []string
	fail  bool

	// collected memoises the fields selected under a field, and args its arguments.
	collected map[*ast.Field][]graphql.CollectedField
	args      map[*ast.Field]map[string]any

	rootValues []any
	pages      map[pageKey]*directPage
	// paged holds every comment of the pages read: the executor's loaders are primed with
	// them, so a reply's parent among them costs no lookup.
	paged map[string]*parley.Comment

	authorIDs, reactionIDs, rejectedIDs, parentIDs []string
	roleKeys                                       []parley.SiteUser
	seen                                           map[seenKey]bool

	users      map[string]*parley.User
	roles      map[parley.SiteUser]parley.Role
	reactions  map[string][]parley.ReactionCount
	rejections map[string]parley.RejectReason
	parents    map[string]*parley.Comment
}

type pageKey struct {
	field  *ast.Field
	parent string
}

type directPage struct {
	order parley.CommentOrder
	page  *parley.CommentPage
}

type seenKey struct {
	kind byte
	id   string
	site string
}

// run answers the operation, or says it could not.
func (r *directRun) run() ([]byte, bool) {
	r.collected = map[*ast.Field][]graphql.CollectedField{}
	r.args = map[*ast.Field]map[string]any{}
	r.pages = map[pageKey]*directPage{}
	r.paged = map[string]*parley.Comment{}
	r.seen = map[seenKey]bool{}
	roots := graphql.CollectFields(r.oc, r.oc.Operation.SelectionSet, queryImplementors)
	r.rootValues = make([]any, len(roots))
	for i, f := range roots {
		if f.Name == "__typename" {
			continue
		}
		r.roots = append(r.roots, f.Name)
		if !r.gatherRoot(i, f) {
			return nil, false
		}
	}
	if !r.load() {
		return nil, false
	}
	r.buf = append(getDirectBuffer(), directPrefix...)
	r.buf = append(r.buf, '{')
	for i, f := range roots {
		if i > 0 {
			r.buf = append(r.buf, ',')
		}
		r.key(f.Alias)
		switch v := r.rootValues[i].(type) {
		case nil:
			r.str("Query") // __typename
		case *parley.Story:
			r.writeStory(f, v)
		case *parley.Comment:
			r.writeComment(r.sub(f, commentImplementors), v)
		}
	}
	r.buf = append(r.buf, '}', '}')
	if r.fail {
		putDirectBuffer(r.buf)
		return nil, false
	}
	return r.buf, true
}

// gatherRoot reads a root field as its resolver does and gathers what its selection needs.
func (r *directRun) gatherRoot(i int, f graphql.CollectedField) bool {
	args := r.argsOf(f)
	switch f.Name {
	case "story":
		// story(url:) may create the story, which is counted against limits: only the
		// executor does that, once.
		id, ok := args["id"].(string)
		if !ok || args["url"] != nil {
			return false
		}
		st, err := r.s.Stories.FindStoryByID(r.ctx, id)
		if err != nil || st == nil {
			return false
		}
		if _, err = sourced(r.ctx, st, nil); err != nil {
			return false
		}
		r.rootValues[i] = st
		for _, sf := range r.sub(f, storyImplementors) {
			if sf.Name == "comments" && !r.gatherPages(sf, parley.OrderNewest, []string{st.ID}, []string{st.ID}) {
				return false
			}
		}
	case "comment":
		id, ok := args["id"].(string)
		if !ok {
			return false
		}
		c, err := r.s.Comments.FindCommentByID(r.ctx, id)
		if err != nil || c == nil {
			return false
		}
		if _, err = sourced(r.ctx, c, nil); err != nil {
			return false
		}
		r.rootValues[i] = c
		return r.gather(r.sub(f, commentImplementors), []*parley.Comment{c})
	default:
		return false
	}
	return true
}

// pageFilter reads a connection field's page arguments as commentPage does.
func (r *directRun) pageFilter(f graphql.CollectedField, def parley.CommentOrder) (parley.CommentFilter, bool) {
	var filter parley.CommentFilter
	args := r.argsOf(f)
	filter.Order = def
	if v, ok := args["orderBy"]; ok && v != nil {
		s, ok := v.(string)
		if !ok {
			return filter, false
		}
		filter.Order = parley.CommentOrder(s)
	}
	var first *int
	if v, ok := args["first"]; ok && v != nil {
		n, err := graphql.UnmarshalInt(v)
		if err != nil {
			return filter, false
		}
		first = &n
	}
	n, err := parley.PageSize(first)
	if err != nil {
		return filter, false
	}
	filter.First = n
	if v, ok := args["after"]; ok && v != nil {
		s, ok := v.(string)
		if !ok {
			return filter, false
		}
		if s != "" {
			if filter.After, err = parley.DecodeCursor(s, filter.Order); err != nil {
				return filter, false
			}
		}
	}
	return filter, true
}

// directWorkers bounds the pages of one level (the replies of a page's comments) read at
// once, as the executor's goroutines did, so that a page's latency is not the sum of its
// replies' queries.
const directWorkers = 4

// gatherPages reads a connection field's page under each of parents (a story, or comments:
// their replies) as commentPage does, then gathers what the pages' nodes' selection needs,
// for all of them at once.
func (r *directRun) gatherPages(f graphql.CollectedField, def parley.CommentOrder, storyIDs, parents []string) bool {
	base, ok := r.pageFilter(f, def)
	if !ok {
		return false
	}
	var todo []int
	for i, parent := range parents {
		key := pageKey{f.Field, parent}
		if _, done := r.pages[key]; !done {
			r.pages[key] = nil // taken
			todo = append(todo, i)
		}
	}
	filterOf := func(i int) parley.CommentFilter {
		filter := base
		filter.StoryID = storyIDs[i]
		if parents[i] != storyIDs[i] {
			filter.ParentID = parents[i]
		}
		return filter
	}
	pages, errs := make([]*parley.CommentPage, len(todo)), make([]error, len(todo))
	if r.replyPages(base, storyIDs, parents, todo, pages) {
		// read in one statement
	} else if len(todo) == 1 {
		pages[0], errs[0] = r.s.Comments.FindComments(r.ctx, filterOf(todo[0]))
	} else if len(todo) > 1 {
		var next atomic.Int32
		var wg sync.WaitGroup
		for range min(len(todo), directWorkers) {
			wg.Go(func() {
				for k := int(next.Add(1)) - 1; k < len(todo); k = int(next.Add(1)) - 1 {
					pages[k], errs[k] = r.s.Comments.FindComments(r.ctx, filterOf(todo[k]))
				}
			})
		}
		wg.Wait()
	}
	var all []*parley.Comment
	for k, i := range todo {
		if errs[k] != nil {
			return false
		}
		page := pages[k]
		noteComments(r.ctx, page.Comments)
		r.pages[pageKey{f.Field, parents[i]}] = &directPage{order: base.Order, page: page}
		for _, c := range page.Comments {
			if _, ok := r.paged[c.ID]; !ok {
				r.paged[c.ID] = c
			}
		}
		all = append(all, page.Comments...)
	}
	return r.gatherNodes(f, all)
}

// replyPages reads the first pages of replies under many comments of one story in one
// statement (CommentService.FindReplyPages), when that is what todo asks for; it reports
// whether it did.
func (r *directRun) replyPages(base parley.CommentFilter, storyIDs, parents []string, todo []int, pages []*parley.CommentPage) bool {
	if len(todo) < 2 || base.After != nil {
		return false
	}
	story := storyIDs[todo[0]]
	ids := make([]string, len(todo))
	for k, i := range todo {
		if storyIDs[i] != story || parents[i] == story {
			return false
		}
		ids[k] = parents[i]
	}
	found, err := r.s.Comments.FindReplyPages(r.ctx, story, ids, base.Order, base.First)
	if err != nil {
		return false
	}
	for k, id := range ids {
		if pages[k] = found[id]; pages[k] == nil {
			return false
		}
	}
	return true
}

// gatherNodes gathers for the comments of a connection what edges { node { … } } needs.
func (r *directRun) gatherNodes(conn graphql.CollectedField, comments []*parley.Comment) bool {
	for _, e := range r.sub(conn, commentConnectionImplementors) {
		if e.Name != "edges" {
			continue
		}
		for _, n := range r.sub(e, commentEdgeImplementors) {
			if n.Name == "node" && !r.gather(r.sub(n, commentImplementors), comments) {
				return false
			}
		}
	}
	return true
}

// gather notes what the selected fields of comments need loaded, and reads their replies.
func (r *directRun) gather(fields []graphql.CollectedField, comments []*parley.Comment) bool {
	for _, f := range fields {
		switch f.Name {
		case "author":
			var sites []string
			for _, uf := range r.sub(f, userImplementors) {
				if uf.Name == "role" {
					site, ok := r.argsOf(uf)["siteID"].(string)
					if !ok {
						return false
					}
					sites = append(sites, site)
				}
			}
			for _, c := range comments {
				if c.AuthorID == "" {
					continue
				}
				r.note(&r.authorIDs, 'u', c.AuthorID)
				for _, site := range sites {
					if k := (seenKey{'r', c.AuthorID, site}); !r.seen[k] {
						r.seen[k] = true
						r.roleKeys = append(r.roleKeys, parley.SiteUser{SiteID: site, UserID: c.AuthorID})
					}
				}
			}
		case "parent":
			for _, c := range comments {
				if c.ParentID != "" {
					r.note(&r.parentIDs, 'p', c.ParentID)
				}
			}
		case "reactions":
			for _, c := range comments {
				r.note(&r.reactionIDs, 'x', c.ID)
			}
		case "rejectionReason":
			for _, c := range comments {
				if c.Status == parley.StatusRejected {
					r.note(&r.rejectedIDs, 'j', c.ID)
				}
			}
		case "replies":
			storyIDs, parents := make([]string, len(comments)), make([]string, len(comments))
			for i, c := range comments {
				storyIDs[i], parents[i] = c.StoryID, c.ID
			}
			if !r.gatherPages(f, parley.OrderOldest, storyIDs, parents) {
				return false
			}
		}
	}
	return true
}

func (r *directRun) note(ids *[]string, kind byte, id string) {
	if k := (seenKey{kind: kind, id: id}); !r.seen[k] {
		r.seen[k] = true
		*ids = append(*ids, id)
	}
}

// load reads, one batch per kind, what the gathered comments need: the same service calls
// the executor's loaders make, so the viewer finds the same.
func (r *directRun) load() bool {
	var err error
	if len(r.authorIDs) > 0 {
		var users []*parley.User
		if users, err = r.s.Users.FindUsersByIDs(r.ctx, r.authorIDs); err != nil {
			return false
		}
		r.users = make(map[string]*parley.User, len(users))
		for _, u := range users {
			r.users[u.ID] = u
		}
	}
	if len(r.roleKeys) > 0 {
		if r.roles, err = r.s.Users.SiteRoles(r.ctx, r.roleKeys); err != nil {
			return false
		}
	}
	if len(r.reactionIDs) > 0 {
		if r.reactions, err = r.s.Reactions.ReactionCounts(r.ctx, r.reactionIDs); err != nil {
			return false
		}
	}
	if len(r.rejectedIDs) > 0 {
		if r.rejections, err = r.s.Comments.RejectionReasons(r.ctx, r.rejectedIDs); err != nil {
			return false
		}
	}
	var missing []string
	for _, id := range r.parentIDs {
		if _, ok := r.paged[id]; !ok {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		found, err := r.s.Comments.FindCommentsByIDs(r.ctx, missing)
		if err != nil {
			return false
		}
		r.parents = make(map[string]*parley.Comment, len(found))
		for _, c := range found {
			r.parents[c.ID] = c
		}
	}
	return true
}

// sub returns the fields selected under f on an object of the given type, collected once.
func (r *directRun) sub(f graphql.CollectedField, implementors []string) []graphql.CollectedField {
	if fs, ok := r.collected[f.Field]; ok {
		return fs
	}
	fs := graphql.CollectFields(r.oc, f.Selections, implementors)
	r.collected[f.Field] = fs
	return fs
}

// argsOf returns f's arguments with the operation's variables, read once.
func (r *directRun) argsOf(f graphql.CollectedField) map[string]any {
	if a, ok := r.args[f.Field]; ok {
		return a
	}
	a := f.ArgumentMap(r.oc.Variables)
	r.args[f.Field] = a
	return a
}
