package neo4jstore

import (
	"strconv"
	"strings"

	"github.com/citygraph/citygraph/domain"
)

// listSort is how a list's rows are ordered in Cypher: one sort key
// column (the list's Order) or, with an orderBy, one per key
// (domain.OrderKey), each with its expression; ties by the row's id.
type listSort struct {
	names, exprs []string
	keys         []domain.OrderKey // none: the one key, ascending or desc
	desc         bool
}

// with is the projection of the sort columns ("expr AS sk", …).
func (s listSort) with() string {
	cols := make([]string, len(s.names))
	for i := range s.names {
		cols[i] = s.exprs[i] + " AS " + s.names[i]
	}
	return strings.Join(cols, ", ")
}

// row is the sort key a row carries back for its cursor: the one column,
// or a list of the orderBy's columns (see cursorKey).
func (s listSort) row() string {
	if len(s.keys) == 0 {
		return s.names[0]
	}
	return "[" + strings.Join(s.names, ", ") + "]"
}

// order is the ORDER BY list over the sort columns and id, the list's
// order or its reverse (back).
func (s listSort) order(id string, back bool) string {
	if len(s.keys) == 0 {
		dir := direction(s.desc != back)
		return s.names[0] + dir + ", " + id + dir
	}
	parts := make([]string, 0, len(s.names)+1)
	for i, k := range s.keys {
		parts = append(parts, s.names[i]+direction(k.Desc != back))
	}
	return strings.Join(append(parts, id+direction(back)), ", ")
}

// cut builds the page's cut over the sort columns and id (see cutPage).
func (s listSort) cut(p domain.Page, id string, ps paramSet) (pageCut, error) {
	if len(s.keys) == 0 {
		return cutPage(p, s.desc, s.names[0], s.exprs[0], id, ps)
	}
	c := pageShape(p)
	limit := c.n
	if c.extra {
		limit++
	}
	c.limit = ps.add("limit", int64(limit))
	c.order = s.order(id, c.back)
	conds := []string{}
	for _, x := range []struct {
		cursor, name string
		later        bool
		at           *string
	}{{p.After, "a", true, &c.atAfter}, {p.Before, "b", false, &c.atBefore}} {
		if x.cursor == "" {
			continue
		}
		cur, err := domain.DecodeCursor(x.cursor)
		if err != nil {
			return pageCut{}, err
		}
		vals, err := domain.DecodeSortValues(cur.Key, s.keys)
		if err != nil {
			return pageCut{}, err
		}
		refs := make([]string, len(vals))
		for i, v := range vals {
			refs[i] = ps.add(x.name+"k"+strconv.Itoa(i), v)
		}
		ci := ps.add(x.name+"i", cur.ID)
		conds = append(conds, s.beyond(s.names, id, refs, ci, x.later))
		*x.at = "NOT " + s.beyond(s.exprs, id, refs, ci, x.later)
	}
	c.inRange = "true"
	if len(conds) > 0 {
		c.inRange = "(" + strings.Join(conds, " AND ") + ")"
	}
	return c, nil
}

// beyond is the keyset condition that a row (cols, id) lies after the
// cursor (refs, ci) in the list's order (later), or before it: the first
// key that differs decides, each in its own direction, then the id.
func (s listSort) beyond(cols []string, id string, refs []string, ci string, later bool) string {
	op := func(desc bool) string {
		if desc == later {
			return "<"
		}
		return ">"
	}
	cond := id + " " + op(false) + " " + ci
	for i := len(s.keys) - 1; i >= 0; i-- {
		cond = "(" + cols[i] + " " + op(s.keys[i].Desc) + " " + refs[i] + " OR (" + cols[i] + " = " + refs[i] + " AND " + cond + "))"
	}
	return cond
}

// fieldExpr is a field's value for a row: the property of the relation
// rel or of the node, its zero where absent, as domain.NodeValue reads it.
func fieldExpr(f domain.FieldRef, node, rel string) string {
	x := node
	if f.Edge {
		x = rel
	}
	prop, _ := f.Property()
	zero := "''"
	if f.Type() != domain.SortText {
		zero = "0"
	}
	return "coalesce(" + x + "." + prop + ", " + zero + ")"
}

// orderedSort is the listSort of an orderBy over node and rel, its
// columns named name_0, name_1, ….
func orderedSort(keys []domain.OrderKey, name, node, rel string) listSort {
	s := listSort{keys: keys}
	for i, k := range keys {
		s.names = append(s.names, name+"_"+strconv.Itoa(i))
		s.exprs = append(s.exprs, fieldExpr(k.Field, node, rel))
	}
	return s
}

// nodeSort is a node list's sort over v, its column(s) named sk.
func nodeSort(q domain.NodeQuery) listSort {
	if len(q.OrderBy) > 0 {
		return orderedSort(q.OrderBy, "sk", "v", "")
	}
	sk := "v.name"
	if q.Order == domain.OrderByID {
		sk = "v.id"
	}
	return listSort{names: []string{"sk"}, exprs: []string{sk}, desc: q.Desc}
}

// edgeSort is a relation list's sort over relation r and far end o, its
// column(s) named sk; m.sortKey is the expression of the list's Order.
func edgeSort(q domain.EdgeQuery, m edgeMatch, sk, r, o string) listSort {
	if len(q.OrderBy) > 0 {
		return orderedSort(q.OrderBy, sk, o, r)
	}
	return listSort{names: []string{sk}, exprs: []string{m.sortKey}, desc: q.Desc}
}

// cursorKey is a cursor's key from a row's sort key (see listSort.row).
func cursorKey(v any) string {
	if l, ok := v.([]any); ok {
		return domain.EncodeSortValues(l)
	}
	s, _ := v.(string)
	return s
}
