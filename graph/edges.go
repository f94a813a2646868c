package graph

import (
	"context"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/graph/loader"
	"github.com/citygraph/citygraph/graph/model"
)

// other loads the far end of a relation edge as T.
func other[T domain.Node](ctx context.Context, e *model.RelEdge) (T, error) {
	return loader.As[T](ctx, e.Other())
}

// edgeSources loads the sources that state a relation.
func edgeSources(ctx context.Context, e domain.Edge) ([]*domain.Source, error) {
	return loader.For(ctx).Sources(ctx, e.Sources)
}
