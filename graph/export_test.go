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

// ExecutorOnly returns o with the direct answers turned off: every operation goes through
// gqlgen's executor, for the tests that compare the two.
func ExecutorOnly(o Options) Options {
	o.executorOnly = true
	return o
}

// DirectAnswers counts the operations answered without the executor so far.
func DirectAnswers() int64 { return directAnswers.Load() }
