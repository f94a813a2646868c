package embedded

import "github.com/citygraph/citygraph/domain"

// aggregateNodes aggregates a whole node list (every item that matched,
// whatever the page), nil when nothing is asked.
func aggregateNodes(a domain.Aggregation, items []positioned[domain.Node]) *domain.Aggregates {
	if !a.Wanted() {
		return nil
	}
	g := domain.NewAggregator(a)
	for _, p := range items {
		g.AddNode(p.item)
	}
	return g.Result()
}

// aggregateEdges aggregates a whole relation list of anchor.
func (st *state) aggregateEdges(a domain.Aggregation, items []positioned[*domain.Edge], anchor domain.NodeKey) *domain.Aggregates {
	if !a.Wanted() {
		return nil
	}
	g := domain.NewAggregator(a)
	for _, p := range items {
		g.AddEdge(p.item, st.nodes[p.item.Other(anchor)])
	}
	return g.Result()
}
