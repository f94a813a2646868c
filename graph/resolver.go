// Package graph is citygraph's GraphQL layer: the gqlgen executor, the
// planner that reads a whole operation with one store call (plan.go,
// planrun.go), thin resolvers that read its answers through the request's
// loaders (relations.go, roots.go), and the server assembly (error
// presenter, recover, limits).
package graph

//go:generate go run ./gen

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
	// Feed serves subscription changes (feed.go).
	Feed *feed
}
