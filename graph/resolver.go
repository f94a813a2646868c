// Package graph is citygraph's GraphQL layer: the gqlgen executor, thin
// resolvers that parse arguments and call the store or the request's
// loaders, and the server assembly (error presenter, recover, limits).
package graph

//go:generate go run github.com/99designs/gqlgen generate

import (
	"log/slog"

	"github.com/citygraph/citygraph/domain"
	"github.com/vektah/gqlparser/v2/ast"
)

// Resolver is the dependency-injection point, built once in NewHandler.
type Resolver struct {
	Store domain.Store
	Log   *slog.Logger
	// Schema is the executable schema's, for planning what an analytic's
	// answer names (planNamed).
	Schema *ast.Schema
}
