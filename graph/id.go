package graph

import (
	"github.com/99designs/gqlgen/graphql"
)

// MarshalID writes an ID as gqlgen does.
func MarshalID(id string) graphql.Marshaler { return graphql.MarshalID(id) }

// UnmarshalID reads an ID. An explicit null reads as "" (left out), where gqlgen's own
// reading gives the string "null", which would then be looked up as an ID.
func UnmarshalID(v any) (string, error) {
	if v == nil {
		return "", nil
	}
	return graphql.UnmarshalID(v)
}
