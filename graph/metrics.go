package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/prometheus/client_golang/prometheus"
)

// metrics counts the API's use by root field (the schema bounds the label values, unlike
// client-chosen operation names) and its errors by code. The WebSocket transport registers
// its own gauges of connections, subscriptions and shared streams.
type metrics struct {
	fields *prometheus.CounterVec
	errors *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		fields: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "parley_graphql_root_fields_total", Help: "GraphQL root fields resolved, by operation type (query, mutation, subscription) and field.",
		}, []string{"type", "field"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "parley_graphql_errors_total", Help: "GraphQL errors answered, by extensions.code; CANCELED counts errors of requests whose client hung up, which no one received.",
		}, []string{"code"}),
	}
	reg.MustRegister(m.fields, m.errors)
	return m
}

func (m *metrics) rootField(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	if fc := graphql.GetRootFieldContext(ctx); fc != nil && graphql.HasOperationContext(ctx) {
		m.fields.WithLabelValues(string(graphql.GetOperationContext(ctx).Operation.Operation), fc.Field.Name).Inc()
	}
	return next(ctx)
}
