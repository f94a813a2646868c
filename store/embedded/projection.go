package embedded

import "github.com/citygraph/citygraph/domain"

// What a plan does not ask is not copied: plan answers share the stored
// nodes (putNode replaces a node, never changes it, so a shared one stays
// as it was read), and a page that asks for its total alone only counts.

// edgeTotal answers a page that asks for its total alone (Page.NoItems):
// the matching relations are counted, none sorted or copied.
func (st *state) edgeTotal(q domain.EdgeQuery, anchor domain.NodeKey, lists [2][]*domain.Edge, dl *deadline) domain.EdgePage {
	n := 0
	for _, list := range lists {
		for _, e := range list {
			if dl.tick() {
				return domain.EdgePage{}
			}
			if st.keepEdge(q, e, anchor) {
				n++
			}
		}
	}
	return domain.EdgePage{TotalCount: total(q.Page, n)}
}

// nodeTotal answers a node list that asks for its total alone.
func (st *state) nodeTotal(q domain.NodeQuery, dl *deadline) domain.NodePage {
	n := 0
	for _, id := range st.byKind[q.Kind] {
		if dl.tick() {
			return domain.NodePage{}
		}
		if st.matches(st.nodes[domain.NodeKey{Kind: q.Kind, ID: id}], q.Filter) {
			n++
		}
	}
	return domain.NodePage{TotalCount: total(q.Page, n)}
}
