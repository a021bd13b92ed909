package graph

// Resolver is the root of gqlgen's resolver tree. It holds only the services: every decision
// (who may do what, what is visible, what is valid) belongs to them, so resolvers translate
// between GraphQL and the domain and nothing more.
type Resolver struct {
	s Services
}
