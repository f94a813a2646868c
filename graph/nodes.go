package graph

import (
	"context"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/graph/loader"
	"github.com/citygraph/citygraph/graph/model"
)

// globalID is a node's global ID, "Kind:slug".
func globalID(n domain.Node) string { return n.Key().String() }

// nodeSources loads the sources a node cites.
func nodeSources(ctx context.Context, n domain.Node) ([]*domain.Source, error) {
	return loader.For(ctx).Sources(ctx, n.Base().Sources)
}

// listed returns a node list edge's node as T.
func listed[T domain.Node](e *model.NodeEdge) (T, error) {
	t, ok := e.Node.(T)
	if !ok {
		var zero T
		return zero, domain.Errorf(domain.EINTERNAL, "list holds a %s where %T was expected", e.Node.Key().Kind, zero)
	}
	return t, nil
}

// loadAll loads nodes of one kind by slug, in order, skipping missing ones.
func loadAll[T domain.Node](ctx context.Context, kind domain.Kind, slugs []string) ([]T, error) {
	keys := make([]domain.NodeKey, len(slugs))
	for i, s := range slugs {
		keys[i] = domain.NodeKey{Kind: kind, ID: s}
	}
	nodes, err := loader.For(ctx).Nodes(ctx, keys)
	return loader.AllAs[T](nodes), err
}

// throughNode loads the agreement or forum a partnership came about
// through, nil if none is known.
func throughNode(ctx context.Context, e *domain.Edge) (domain.Node, error) {
	if e.Through == nil {
		return nil, nil
	}
	return loader.For(ctx).Node(ctx, *e.Through)
}
