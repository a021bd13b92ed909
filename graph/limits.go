package graph

import (
	"context"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// depthLimit refuses operations that nest fields deeper than max. The complexity limit
// bounds how much work a query asks for; this bounds how far it can recurse (comment →
// parent → parent …), which complexity alone prices too cheaply when every level asks for
// one item.
type depthLimit struct {
	max int
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = depthLimit{}

// ExtensionName implements graphql.HandlerExtension.
func (depthLimit) ExtensionName() string { return "DepthLimit" }

// Validate implements graphql.HandlerExtension.
func (depthLimit) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext implements graphql.OperationContextMutator: it measures the
// operation, following fragment spreads and inline fragments, before anything executes.
func (d depthLimit) MutateOperationContext(ctx context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	if selectionDepth(opCtx.Operation.SelectionSet, opCtx.Doc.Fragments, d.max+1) > d.max {
		err := gqlerror.Errorf("The query nests fields more than %d levels deep.", d.max)
		errcode.Set(err, errcode.ValidationFailed)
		return err
	}
	return nil
}

// selectionDepth returns how deeply fields nest in set, counting stops at stop so that the
// walk stays bounded whatever the document. Introspection fields are not counted: their
// standard queries are deep by nature, and introspection is off in production.
func selectionDepth(set ast.SelectionSet, fragments ast.FragmentDefinitionList, stop int) int {
	w := depthWalker{fragments: fragments, stop: stop, memo: map[string]int{}}
	return w.depth(set, stop)
}

// depthWalker measures depth walking each fragment once, however often it is spread:
// fragments that spread each other twice would otherwise cost a walk exponential in their
// number. A fragment's depth is measured once up to the walk's first stop, the largest, and
// then cut to the stop where it is spread: counting up to a stop gives the true depth or the
// stop, whichever is smaller, so the cut is exact.
type depthWalker struct {
	fragments ast.FragmentDefinitionList
	stop      int
	memo      map[string]int
}

func (w *depthWalker) depth(set ast.SelectionSet, stop int) int {
	if stop <= 0 {
		return 0
	}
	deepest := 0
	for _, sel := range set {
		d := 0
		switch s := sel.(type) {
		case *ast.Field:
			if strings.HasPrefix(s.Name, "__") {
				continue
			}
			d = 1 + w.depth(s.SelectionSet, stop-1)
		case *ast.InlineFragment:
			d = w.depth(s.SelectionSet, stop)
		case *ast.FragmentSpread:
			known, ok := w.memo[s.Name]
			if !ok {
				w.memo[s.Name] = 0 // a cycle, which validation refuses, ends here
				if f := w.fragments.ForName(s.Name); f != nil {
					known = w.depth(f.SelectionSet, w.stop)
				}
				w.memo[s.Name] = known
			}
			d = min(known, stop)
		}
		deepest = max(deepest, d)
	}
	return deepest
}

// getQueriesOnly refuses mutations sent with GET, which caches and prefetchers may repeat.
// gqlgen's GET transport refuses them too, but with an answer that has no error code.
type getQueriesOnly struct{}

// ExtensionName implements graphql.HandlerExtension.
func (getQueriesOnly) ExtensionName() string { return "GetQueriesOnly" }

// Validate implements graphql.HandlerExtension.
func (getQueriesOnly) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext implements graphql.OperationContextMutator.
func (getQueriesOnly) MutateOperationContext(ctx context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	if get, _ := ctx.Value(plainGETKey{}).(bool); get && opCtx.Operation.Operation != ast.Query {
		err := gqlerror.Errorf("Only queries may be sent with GET; send %ss with POST.", opCtx.Operation.Operation)
		errcode.Set(err, errcode.ValidationFailed)
		return err
	}
	return nil
}

// plainGETKey marks a request sent with GET (not a WebSocket upgrade, which is a GET too).
type plainGETKey struct{}

// noIntrospection refuses __schema and __type queries in production before they execute.
// gqlgen's own refusal happens during execution, as an error without a code that would read
// as an internal error; this one answers INVALID with a clear message.
type noIntrospection struct{}

// ExtensionName implements graphql.HandlerExtension.
func (noIntrospection) ExtensionName() string { return "NoIntrospection" }

// Validate implements graphql.HandlerExtension.
func (noIntrospection) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext implements graphql.OperationContextMutator.
func (noIntrospection) MutateOperationContext(ctx context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	if introspects(opCtx.Operation.SelectionSet, opCtx.Doc.Fragments, 0) {
		err := gqlerror.Errorf("Introspection is disabled on this server; the schema is published with the source.")
		errcode.Set(err, errcode.ValidationFailed)
		return err
	}
	return nil
}

// introspects reports whether a root selection set asks for __schema or __type, which exist
// only on the root query type, so only the root level and its fragments need a look.
func introspects(set ast.SelectionSet, fragments ast.FragmentDefinitionList, hops int) bool {
	if hops > 10 {
		return false
	}
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if s.Name == "__schema" || s.Name == "__type" {
				return true
			}
		case *ast.InlineFragment:
			if introspects(s.SelectionSet, fragments, hops+1) {
				return true
			}
		case *ast.FragmentSpread:
			if f := fragments.ForName(s.Name); f != nil && introspects(f.SelectionSet, fragments, hops+1) {
				return true
			}
		}
	}
	return false
}
