package graph

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"

	"github.com/99designs/gqlgen/complexity"
	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/parleyhq/parley"
)

// Bounds on the shape of one operation. Aliases are how one request repeats a field, and a
// root field is a separate lookup that no dataloader batches: 1,000 aliases of
// story(url:) would read (and create) 1,000 stories in one request. The widget and the
// dashboard send at most two root fields and no aliases.
const (
	MaxRootFields = 20
	MaxAliases    = 50
	// ResolverCost is what a field served by a resolver (a lookup, a loader, a
	// permission check) costs beyond the 1 a plain field does, so that the complexity limit
	// counts work done and not only data returned. The widget's largest page (25 comments
	// with 3 replies each, every one with its author, role and reactions) costs about 3,500
	// with it, under the default limit of 5,000.
	ResolverCost = 2
)

// complexityLimit refuses, before anything runs, operations that ask for too much: more
// than MaxRootFields root fields, more than MaxAliases aliased fields, or a complexity beyond
// limit, where every field served by a resolver costs ResolverCost more and every
// connection its items' cost times `first`. The fields are counted with each fragment
// expanded where it is spread, but each fragment is walked only once, so that a document
// of fragments that spread each other twice — a few hundred bytes that expand to millions of
// fields — is refused in microseconds instead of pinning a core. gqlgen's own complexity
// walk, run only once the expanded size is known to be under the limit, expands fragments
// as it goes.
type complexityLimit struct {
	limit int
	es    graphql.ExecutableSchema
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = (*complexityLimit)(nil)

// ExtensionName implements graphql.HandlerExtension.
func (*complexityLimit) ExtensionName() string { return "ComplexityLimit" }

// Validate implements graphql.HandlerExtension.
func (c *complexityLimit) Validate(es graphql.ExecutableSchema) error {
	c.es = weighted{ExecutableSchema: es, resolvers: resolverFields(es.Schema()), schema: es.Schema()}
	return nil
}

// MutateOperationContext implements graphql.OperationContextMutator.
func (c *complexityLimit) MutateOperationContext(ctx context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	op := opCtx.Operation
	s := newShape(opCtx.Doc.Fragments)
	if n := s.rootFields(op.SelectionSet); n > MaxRootFields {
		return invalidOperation("An operation may select at most %d root fields; this one selects %d. Send them in separate requests.", MaxRootFields, n)
	}
	fields, aliases := s.count(op.SelectionSet)
	if aliases > MaxAliases {
		return invalidOperation("An operation may use at most %d aliases; this one uses %d once its fragments are expanded.", MaxAliases, aliases)
	}
	if fields > c.limit {
		return complexityError("The operation selects at least %d fields once its fragments are expanded, which exceeds the complexity limit of %d.", fields, c.limit)
	}
	if n := complexity.Calculate(ctx, c.es, op, opCtx.Variables); n > c.limit {
		return complexityError("The operation has complexity %d, which exceeds the limit of %d: ask for fewer items or fields.", n, c.limit)
	}
	return nil
}

func invalidOperation(format string, args ...any) *gqlerror.Error {
	err := gqlerror.Errorf(format, args...)
	errcode.Set(err, errcode.ValidationFailed)
	return err
}

func complexityError(format string, args ...any) *gqlerror.Error {
	err := gqlerror.Errorf(format, args...)
	errcode.Set(err, "COMPLEXITY_LIMIT_EXCEEDED")
	return err
}

// shape counts an operation's fields and aliases with fragments expanded, walking each
// fragment once.
type shape struct {
	fragments ast.FragmentDefinitionList
	memo      map[string][2]int
	// busy marks fragments being counted; validation has refused cycles, but the walk
	// stays finite whatever it is given.
	busy map[string]bool
}

func newShape(fragments ast.FragmentDefinitionList) *shape {
	return &shape{fragments: fragments, memo: map[string][2]int{}, busy: map[string]bool{}}
}

// countCap keeps counts from overflowing: anything this large is far beyond every limit.
const countCap = 1 << 40

func capAdd(a, b int) int { return min(a+b, countCap) }

// count returns how many fields and how many aliased fields set selects, fragments
// expanded.
func (s *shape) count(set ast.SelectionSet) (fields, aliases int) {
	for _, sel := range set {
		var f, a int
		switch x := sel.(type) {
		case *ast.Field:
			f, a = s.count(x.SelectionSet)
			f = capAdd(f, 1)
			if x.Alias != "" && x.Alias != x.Name {
				a = capAdd(a, 1)
			}
		case *ast.InlineFragment:
			f, a = s.count(x.SelectionSet)
		case *ast.FragmentSpread:
			f, a = s.spread(x.Name)
		}
		fields, aliases = capAdd(fields, f), capAdd(aliases, a)
	}
	return fields, aliases
}

func (s *shape) spread(name string) (fields, aliases int) {
	if m, ok := s.memo[name]; ok {
		return m[0], m[1]
	}
	def := s.fragments.ForName(name)
	if def == nil || s.busy[name] {
		return 0, 0
	}
	s.busy[name] = true
	fields, aliases = s.count(def.SelectionSet)
	delete(s.busy, name)
	s.memo[name] = [2]int{fields, aliases}
	return fields, aliases
}

// rootFields counts the distinct response keys of the root selection set, through its
// fragments. Introspection's __typename is free.
func (s *shape) rootFields(set ast.SelectionSet) int {
	keys := map[string]bool{}
	seen := map[string]bool{}
	var walk func(ast.SelectionSet)
	walk = func(set ast.SelectionSet) {
		for _, sel := range set {
			switch x := sel.(type) {
			case *ast.Field:
				if x.Name != "__typename" {
					keys[x.Alias] = true
				}
			case *ast.InlineFragment:
				walk(x.SelectionSet)
			case *ast.FragmentSpread:
				if def := s.fragments.ForName(x.Name); def != nil && !seen[x.Name] {
					seen[x.Name] = true
					walk(def.SelectionSet)
				}
			}
		}
	}
	walk(set)
	return len(keys)
}

// weighted prices fields for the complexity limit: ResolverCost more for each field a
// resolver serves, and a connection (a field returning a *Connection with a `first`
// argument) its items' cost times the page size asked for, whether or not setComplexity
// names it, so that a connection added later is priced like the others.
type weighted struct {
	graphql.ExecutableSchema
	schema    *ast.Schema
	resolvers map[string]bool
}

// Complexity implements graphql.ExecutableSchema.
func (w weighted) Complexity(ctx context.Context, typeName, field string, child int, args map[string]any) (int, bool) {
	c, ok := w.ExecutableSchema.Complexity(ctx, typeName, field, child, args)
	if !ok || c < 1 {
		c = capAdd(1, child)
		if def := w.schema.Types[typeName]; def != nil {
			if f := def.Fields.ForName(field); f != nil && strings.HasSuffix(f.Type.Name(), "Connection") && f.Arguments.ForName("first") != nil {
				c = connectionComplexity(child, pageArg(args["first"]))
			}
		}
	}
	if w.resolvers[typeName+"."+field] {
		c = capAdd(c, ResolverCost)
	}
	return c, true
}

// pageArg reads a `first` argument as the complexity walk passes it.
func pageArg(v any) *int {
	var n int64
	switch x := v.(type) {
	case int:
		n = int64(x)
	case int64:
		n = x
	case json.Number:
		var err error
		if n, err = x.Int64(); err != nil {
			return nil
		}
	default:
		return nil
	}
	i := int(min(max(n, 0), parley.MaxPageSize))
	return &i
}

// resolverFields names the fields (Type.field) that gqlgen serves through a resolver
// method rather than by reading a struct field: the resolver interfaces of ResolverRoot
// list them.
func resolverFields(s *ast.Schema) map[string]bool {
	out := map[string]bool{}
	root := reflect.TypeFor[ResolverRoot]()
	for i := range root.NumMethod() {
		m := root.Method(i)
		def := s.Types[m.Name]
		if def == nil || m.Type.NumOut() != 1 {
			continue
		}
		r := m.Type.Out(0)
		for j := range r.NumMethod() {
			name := r.Method(j).Name
			for _, f := range def.Fields {
				if strings.EqualFold(f.Name, name) {
					out[def.Name+"."+f.Name] = true
				}
			}
		}
	}
	return out
}
