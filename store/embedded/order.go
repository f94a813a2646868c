package embedded

import (
	"cmp"

	"github.com/citygraph/citygraph/domain"
)

// listOrder is the order a list is paged in: by its items' (key, id),
// ascending or descending, or by an orderBy's keys (domain.OrderKey), then
// id ascending, when keys are given (the item's vals then hold its values).
type listOrder struct {
	desc bool
	keys []domain.OrderKey
}

// compare orders two items.
func (o listOrder) compare(a, b position) int {
	if len(o.keys) > 0 {
		return domain.CompareSorted(o.keys, a.vals, a.id, b.vals, b.id)
	}
	c := cmp.Or(cmp.Compare(a.key, b.key), cmp.Compare(a.id, b.id))
	if o.desc {
		return -c
	}
	return c
}

// at is the position a cursor marks (ok false for none: nil, or one of
// another order, which the query's Normalize refuses).
func (o listOrder) at(c *domain.Cursor) (p position, ok bool) {
	if c == nil {
		return position{}, false
	}
	if len(o.keys) == 0 {
		return position{key: c.Key, id: c.ID}, true
	}
	vals, err := domain.DecodeSortValues(c.Key, o.keys)
	return position{vals: vals, id: c.ID}, err == nil
}

// cursor is the cursor of an item at p.
func (o listOrder) cursor(p position) string {
	if len(o.keys) > 0 {
		return domain.Cursor{Key: domain.EncodeSortValues(p.vals), ID: p.id}.Encode()
	}
	return domain.Cursor{Key: p.key, ID: p.id}.Encode()
}

// position is an item's place in its list's order.
type position struct {
	key, id string
	vals    []any
}

// nodeOrder is a node list's order.
func nodeOrder(q domain.NodeQuery) listOrder { return listOrder{desc: q.Desc, keys: q.OrderBy} }

// nodePosition is n's position in q's order.
func nodePosition(q domain.NodeQuery, n domain.Node) position {
	if len(q.OrderBy) > 0 {
		return position{vals: domain.NodeSortValues(n, q.OrderBy), id: n.Base().ID}
	}
	return position{key: q.Order.SortKey(n), id: n.Base().ID}
}

// edgeOrder is a relation list's order.
func edgeOrder(q domain.EdgeQuery) listOrder { return listOrder{desc: q.Desc, keys: q.OrderBy} }

// edgePosition is e's position in q's order, other its far end.
func edgePosition(q domain.EdgeQuery, e *domain.Edge, other domain.Node) position {
	if len(q.OrderBy) > 0 {
		return position{vals: domain.EdgeSortValues(e, other, q.OrderBy), id: other.Key().String()}
	}
	key, id := q.Order.EdgeSortKey(e, other)
	return position{key: key, id: id}
}
