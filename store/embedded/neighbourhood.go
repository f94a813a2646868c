package embedded

import (
	"cmp"
	"context"
	"slices"

	"github.com/citygraph/citygraph/domain"
)

// Neighbourhood returns the nodes within q.Depth of the centre, level by
// level in key order, cut at q.Limit, and the followed edges among them.
func (s *Store) Neighbourhood(ctx context.Context, q domain.NeighbourhoodQuery) (domain.Subgraph, error) {
	if err := q.Normalize(); err != nil {
		return domain.Subgraph{}, err
	}
	return read(s, ctx, func(st *state) (domain.Subgraph, error) {
		if _, ok := st.nodes[q.Center]; !ok {
			return domain.Subgraph{}, domain.Errorf(domain.ENOTFOUND, "node %s does not exist", q.Center)
		}
		kinds := slices.Clone(q.Kinds)
		if len(kinds) == 0 {
			kinds = domain.EdgeKinds
		}
		slices.Sort(kinds)
		kinds = slices.Compact(kinds) // a kind asked twice is followed once
		dl := newDeadline(ctx, "collecting the neighbourhood of "+q.Center.String(), "a smaller neighbourhood (depth, limit) or fewer kinds of relation")
		kept := map[domain.NodeKey]bool{q.Center: true}
		order := []domain.NodeKey{q.Center}
		frontier := order
		var g domain.Subgraph
		for range q.Depth {
			var next []domain.NodeKey
			found := map[domain.NodeKey]bool{}
			for _, n := range frontier {
				for _, k := range kinds {
					for _, list := range st.edgesOf(n, k, domain.Both) {
						for _, e := range list {
							if dl.tick() {
								return domain.Subgraph{}, dl.Err()
							}
							if !e.ActiveOn(q.AsOf) {
								continue
							}
							if o := e.Other(n); !kept[o] && !found[o] {
								found[o] = true
								next = append(next, o)
							}
						}
					}
				}
			}
			keyOrder := func(a, b domain.NodeKey) int { return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.ID, b.ID)) }
			// A level larger than the room left is cut to its first keys
			// without sorting all of it: a hub can have 100,000 relations.
			if room := q.Limit - len(order); len(next) > room {
				first := newBest(room, keyOrder)
				for _, o := range next {
					first.offer(o)
				}
				next, g.Truncated = first.items, true
			} else {
				slices.SortFunc(next, keyOrder)
			}
			for _, o := range next {
				kept[o] = true
				order = append(order, o)
			}
			if g.Truncated {
				break
			}
			frontier = next
		}
		for _, k := range order {
			g.Nodes = append(g.Nodes, cloneNode(st.nodes[k]))
		}
		for _, n := range order {
			for _, k := range kinds {
				for _, list := range st.edgesOf(n, k, domain.Out) {
					for _, e := range list {
						if dl.tick() {
							return domain.Subgraph{}, dl.Err()
						}
						if kept[e.To] && e.ActiveOn(q.AsOf) {
							g.Edges = append(g.Edges, cloneEdge(e))
						}
					}
				}
			}
		}
		return g, nil
	})
}
