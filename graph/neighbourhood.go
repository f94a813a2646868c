package graph

import (
	"cmp"
	"context"
	"slices"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/graph/model"
)

// neighbourhood answers question 12.
func (r *Resolver) neighbourhood(ctx context.Context, id string, depth *int, kinds []domain.EdgeKind, limit *int, asOf *domain.Date) (*model.Subgraph, error) {
	key, err := domain.ParseNodeKey(id)
	if err != nil {
		return nil, err
	}
	var c counts
	q := domain.NeighbourhoodQuery{Center: key, Depth: c.get(domain.NeighbourhoodDepth, depth), Kinds: kinds, Limit: c.get(domain.NeighbourhoodLimit, limit), AsOf: deref(asOf)}
	if c.err != nil {
		return nil, c.err
	}
	g, err := r.Store.Neighbourhood(ctx, q)
	if err != nil {
		return nil, err
	}
	r.planNamed(ctx, namedInSubgraph(g)...)
	out := &model.Subgraph{Nodes: g.Nodes, Truncated: g.Truncated}
	// Stores gather edges in their own order; clients diffing two answers
	// (and the parity test) need one order: by kind, then ends.
	slices.SortFunc(g.Edges, func(a, b domain.Edge) int {
		return cmp.Compare(a.Key().String(), b.Key().String())
	})
	for _, e := range g.Edges {
		out.Edges = append(out.Edges, &model.Relation{Edge: e})
	}
	return out, nil
}
