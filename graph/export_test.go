package graph

import (
	"context"

	"github.com/99designs/gqlgen/complexity"
	"github.com/vektah/gqlparser/v2"
)

// ClientKey exposes clientKey to the external tests.
var ClientKey = clientKey

// OperationComplexity prices an operation as the complexity limit does, for tests that
// compare prices.
func OperationComplexity(query string, vars map[string]any) (int, error) {
	cfg := Config{Resolvers: &Resolver{}}
	setComplexity(&cfg.Complexity)
	es := NewExecutableSchema(cfg)
	doc, errs := gqlparser.LoadQuery(es.Schema(), query)
	if errs != nil {
		return 0, errs
	}
	c := &complexityLimit{}
	if err := c.Validate(es); err != nil {
		return 0, err
	}
	return complexity.Calculate(context.Background(), c.es, doc.Operations[0], vars), nil
}
