package embedded

import (
	"cmp"
	"context"
	"slices"

	"github.com/citygraph/citygraph/domain"
)

// Nodes returns copies of the nodes with the given keys, nil where missing.
func (s *Store) Nodes(ctx context.Context, keys []domain.NodeKey) ([]domain.Node, error) {
	return read(s, ctx, func(st *state) ([]domain.Node, error) {
		out := make([]domain.Node, len(keys))
		for i, k := range keys {
			if n, ok := st.nodes[k]; ok {
				out[i] = cloneNode(n)
			}
		}
		return out, nil
	})
}

// positioned is a list item with its keyset position.
type positioned[T any] struct {
	key, id string
	item    T
}

// pageOf returns the page of items after the cursor in (key, id) order,
// ascending or descending, with its cursors and whether more follow. It
// keeps the page's items as it goes rather than sorting all of them.
func pageOf[T any](items []positioned[T], desc bool, page domain.Page) (out []T, cursors []string, hasNext bool) {
	order := func(a, b positioned[T]) int {
		c := cmp.Or(cmp.Compare(a.key, b.key), cmp.Compare(a.id, b.id))
		if desc {
			return -c
		}
		return c
	}
	var after *domain.Cursor
	if page.After != "" {
		c, _ := domain.DecodeCursor(page.After) // checked by Normalize
		after = &c
	}
	var kept []positioned[T]
	rest := 0
	if page.First >= len(items) {
		// Every item fits (always so for a plan's Follow with All): sorting
		// them costs n log n, where keeping the best would move n² items.
		for _, p := range items {
			if after == nil || after.After(p.key, p.id, desc) {
				kept = append(kept, p)
			}
		}
		slices.SortFunc(kept, order)
		rest = len(kept)
	} else {
		best := newBest(page.First, order)
		for _, p := range items {
			if after == nil || after.After(p.key, p.id, desc) {
				rest++
				best.offer(p)
			}
		}
		kept = best.items
	}
	for _, p := range kept {
		out = append(out, p.item)
		cursors = append(cursors, domain.Cursor{Key: p.key, ID: p.id}.Encode())
	}
	return out, cursors, rest > len(kept)
}

// ListNodes returns one page of the nodes of a kind. See domain.Store.
func (s *Store) ListNodes(ctx context.Context, q domain.NodeQuery) (domain.NodePage, error) {
	if err := q.Normalize(); err != nil {
		return domain.NodePage{}, err
	}
	return read(s, ctx, func(st *state) (domain.NodePage, error) {
		dl := newDeadline(ctx, "listing nodes of kind "+string(q.Kind), "a narrower filter (country, grouping, sector)")
		page := st.nodePage(q, dl)
		if dl.stopped() {
			return domain.NodePage{}, dl.Err()
		}
		return page, nil
	})
}

// nodePage is one page of a node list (q normalized); empty once dl stops
// the read.
func (st *state) nodePage(q domain.NodeQuery, dl *deadline) domain.NodePage {
	var items []positioned[domain.Node]
	for _, id := range st.byKind[q.Kind] {
		if dl.tick() {
			return domain.NodePage{}
		}
		k := domain.NodeKey{Kind: q.Kind, ID: id}
		n := st.nodes[k]
		if !st.matches(n, q.Filter) {
			continue
		}
		items = append(items, positioned[domain.Node]{key: q.Order.SortKey(n), id: id, item: n})
	}
	nodes, cursors, next := pageOf(items, q.Desc, q.Page)
	for i := range nodes {
		nodes[i] = cloneNode(nodes[i])
	}
	return domain.NodePage{Items: nodes, Cursors: cursors, TotalCount: len(items), HasNextPage: next}
}

// matches applies a node filter. A filter on a property a kind does not
// have (the sector of a city) matches nothing.
func (st *state) matches(n domain.Node, f domain.NodeFilter) bool {
	if f.OrgKind != "" {
		if o, ok := n.(*domain.Organization); !ok || o.OrgKind != f.OrgKind {
			return false
		}
	}
	if f.Sector != "" {
		if p, ok := n.(*domain.Project); !ok || p.Sector != f.Sector {
			return false
		}
	}
	return st.inPlace(n.Key(), f.Country, f.Grouping)
}

// Edges returns a page of each anchor's edges. See domain.Store.
func (s *Store) Edges(ctx context.Context, q domain.EdgeQuery, anchors []domain.NodeKey) ([]domain.EdgePage, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	return read(s, ctx, func(st *state) ([]domain.EdgePage, error) {
		dl := newDeadline(ctx, "listing relations of kind "+string(q.Kind), "fewer nodes per page, or a narrower filter on the relations")
		out := make([]domain.EdgePage, len(anchors))
		for i, a := range anchors {
			out[i] = st.edgePage(q, a, false, dl)
			if dl.stopped() {
				return nil, dl.Err()
			}
		}
		return out, nil
	})
}

// edgePage is one anchor's page of edges, or every matching edge with
// all (q.Page's size ignored); empty once dl stops the read.
func (st *state) edgePage(q domain.EdgeQuery, anchor domain.NodeKey, all bool, dl *deadline) domain.EdgePage {
	lists := st.edgesOf(anchor, q.Kind, q.Direction)
	n := 0
	for _, list := range lists {
		n += len(list)
	}
	items := make([]positioned[*domain.Edge], 0, n) // one allocation, not a doubling per few edges
	for _, list := range lists {
		for _, e := range list {
			if dl.tick() {
				return domain.EdgePage{}
			}
			if !st.keepEdge(q, e, anchor) {
				continue
			}
			key, id := q.Order.EdgeSortKey(e, st.nodes[e.Other(anchor)])
			items = append(items, positioned[*domain.Edge]{key: key, id: id, item: e})
		}
	}
	if all {
		q.Page.First = len(items)
	}
	edges, cursors, next := pageOf(items, q.Desc, q.Page)
	page := domain.EdgePage{Cursors: cursors, TotalCount: len(items), HasNextPage: next}
	for _, e := range edges {
		page.Items = append(page.Items, cloneEdge(e))
	}
	return page
}

func (st *state) keepEdge(q domain.EdgeQuery, e *domain.Edge, anchor domain.NodeKey) bool {
	other := e.Other(anchor)
	switch {
	case len(q.OtherKinds) > 0 && !slices.Contains(q.OtherKinds, other.Kind),
		q.PartnershipKind != "" && e.PartnershipKind != q.PartnershipKind,
		q.Role != "" && e.Role != q.Role,
		!domain.ActiveAsOf(e.Since, q.AsOf):
		return false
	}
	return q.OtherCountry == "" || st.inPlace(other, q.OtherCountry, "")
}

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
						if kept[e.To] {
							g.Edges = append(g.Edges, cloneEdge(e))
						}
					}
				}
			}
		}
		return g, nil
	})
}
