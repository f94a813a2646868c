package embedded

import (
	"context"

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

// ListNodes returns one page of the nodes of a kind. See domain.Store.
func (s *Store) ListNodes(ctx context.Context, q domain.NodeQuery) (domain.NodePage, error) {
	if err := q.Normalize(); err != nil {
		return domain.NodePage{}, err
	}
	return read(s, ctx, func(st *state) (domain.NodePage, error) {
		dl := newDeadline(ctx, "listing nodes of kind "+string(q.Kind), "a narrower filter (country, grouping, sector)")
		page := st.nodePage(q, dl, false)
		if dl.stopped() {
			return domain.NodePage{}, dl.Err()
		}
		return page, nil
	})
}

// nodePage is one page of a node list (q normalized); empty once dl stops
// the read. With share it holds the stored nodes (a plan's answers are
// read-only), else copies.
func (st *state) nodePage(q domain.NodeQuery, dl *deadline, share bool) domain.NodePage {
	if q.Page.NoItems {
		return st.nodeTotal(q, dl)
	}
	var items []positioned[domain.Node]
	for _, id := range st.candidates(q.Kind, q.Where) {
		if dl.tick() {
			return domain.NodePage{}
		}
		k := domain.NodeKey{Kind: q.Kind, ID: id}
		n := st.nodes[k]
		if !st.matches(n, q.Filter) || q.Where != nil && !q.Where.MatchNode(st, n) {
			continue
		}
		items = append(items, positioned[domain.Node]{position: nodePosition(q, n), item: n})
	}
	lp := pageOf(items, nodeOrder(q), q.Page)
	if !share {
		for i := range lp.items {
			lp.items[i] = cloneNode(lp.items[i])
		}
	}
	return domain.NodePage{Items: lp.items, Cursors: lp.cursors, TotalCount: total(q.Page, len(items)), HasNextPage: lp.hasNext, HasPreviousPage: lp.hasPrev,
		Aggregates: aggregateNodes(q.Aggregate, items)}
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
