package embedded

import (
	"context"
	"slices"

	"github.com/citygraph/citygraph/domain"
)

// Edges returns a page of each anchor's edges. See domain.Store.
func (s *Store) Edges(ctx context.Context, q domain.EdgeQuery, anchors []domain.NodeKey) ([]domain.EdgePage, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	return read(s, ctx, func(st *state) ([]domain.EdgePage, error) {
		dl := newDeadline(ctx, "listing relations of kind "+string(q.Kind), "fewer nodes per page, or a narrower filter on the relations")
		out := make([]domain.EdgePage, len(anchors))
		buf := &pageBuf{}
		for i, a := range anchors {
			out[i] = st.edgePage(q, a, false, dl, buf)
			if dl.stopped() {
				return nil, dl.Err()
			}
		}
		return out, nil
	})
}

// edgePage is one anchor's page of edges, or every matching edge with
// all (q.Page's size ignored), made in buf; empty once dl stops the read.
func (st *state) edgePage(q domain.EdgeQuery, anchor domain.NodeKey, all bool, dl *deadline, buf *pageBuf) domain.EdgePage {
	buf.ends = nil
	if q.Page.NoItems && !all {
		return st.edgeTotal(q, anchor, st.edgesOf(anchor, q.Kind, q.Direction), dl)
	}
	if len(q.OrderBy) == 0 && q.Order == domain.OrderByOtherName && !q.Aggregate.Wanted() {
		return st.namePage(q, anchor, all, dl, buf)
	}
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
			items = append(items, positioned[*domain.Edge]{position: edgePosition(q, e, st.nodes[e.Other(anchor)]), item: e})
		}
	}
	if all {
		q.Page = domain.Page{First: len(items)}
	}
	lp := pageOf(items, edgeOrder(q), q.Page)
	page := domain.EdgePage{Cursors: lp.cursors, TotalCount: total(q.Page, len(items)), HasNextPage: lp.hasNext, HasPreviousPage: lp.hasPrev,
		Aggregates: st.aggregateEdges(q.Aggregate, items, anchor)}
	if len(lp.items) > 0 {
		page.Items = buf.items(len(lp.items))
	}
	for _, e := range lp.items {
		page.Items = append(page.Items, buf.edge(e))
	}
	return page
}

func (st *state) keepEdge(q domain.EdgeQuery, e *domain.Edge, anchor domain.NodeKey) bool {
	other := e.Other(anchor)
	switch {
	case len(q.OtherKinds) > 0 && !slices.Contains(q.OtherKinds, other.Kind),
		q.PartnershipKind != "" && e.PartnershipKind != q.PartnershipKind,
		q.Role != "" && e.Role != q.Role,
		!e.ActiveOn(q.AsOf):
		return false
	}
	if q.OtherCountry != "" && !st.inPlace(other, q.OtherCountry, "") {
		return false
	}
	return q.Where == nil || q.Where.MatchEdge(st, domain.EdgeScope(q.Kind, q.Direction), e, anchor)
}
