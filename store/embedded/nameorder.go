package embedded

import (
	"cmp"
	"slices"
	"sync/atomic"

	"github.com/citygraph/citygraph/domain"
)

// The default order of a relation list is its far ends' names, then their
// keys (domain.OrderByOtherName). Sorting an anchor's relations on every
// read was most of a plan's cost, so each anchor keeps them in that order,
// per kind and direction. A write that could change a list (a relation
// added or changed at the anchor, a neighbour renamed) drops the anchor's lists and
// sorts them again once it is done (sortStale), so reads find them made;
// a list no write made (both directions of a directed kind) is made by its
// first read, under the read lock, hence the atomics.

// nameList is one anchor's relations of a kind and direction in the
// default order: copies of the stored relations, so that a plan's page is
// a stretch of edges, not a copy of each (a write that changes a relation
// drops the lists holding it), their far ends' sort keys and their
// cursors, which a page in ascending order takes as a stretch too.
type nameList struct {
	edges   []domain.Edge
	ends    []nameEnd
	cursors []string
}

// nameEnd is a relation's far end as the default order sorts it.
type nameEnd struct {
	name string // the far end's name: the sort key
	id   string // the far end's key: the tie-breaker
	at   *adjacency
}

// cursoredEnd is a far end with its relations' cursor: the encoded
// domain.Cursor{Key: name, ID: id}.
type cursoredEnd struct {
	nameEnd
	cursor string
}

// endsMemo holds the far ends one write's sortStale met: a relation's
// cursor is its far end's name and key, so each node's key and cursor
// strings are made once and shared by every list, not once per relation.
type endsMemo map[domain.NodeKey]cursoredEnd

// end returns o as a far end; memo, when not nil, remembers it.
func (st *state) end(o domain.NodeKey, memo endsMemo) cursoredEnd {
	if e, ok := memo[o]; ok {
		return e
	}
	e := cursoredEnd{nameEnd: nameEnd{name: st.nodes[o].Base().Name, id: o.String(), at: st.adj[o]}}
	e.cursor = domain.Cursor{Key: e.name, ID: e.id}.Encode()
	if memo != nil {
		memo[o] = e
	}
	return e
}

// noNames is the list of an anchor with no such relation.
var noNames = &nameList{}

// nameLists holds one anchor's relation lists in the default order,
// indexed by nameSlot; a nil slot is not built yet.
type nameLists struct {
	lists []atomic.Pointer[nameList]
}

// nameSlot numbers a (kind, direction) list.
func nameSlot(kind domain.EdgeKind, dir domain.Direction) int {
	d := 2 // Both
	switch dir {
	case domain.Out:
		d = 0
	case domain.In:
		d = 1
	}
	return edgeKindIndex[kind]*3 + d
}

// byName returns anchor's relations of one kind in a direction (as
// edgesOf) in the default order.
func (st *state) byName(anchor domain.NodeKey, kind domain.EdgeKind, dir domain.Direction) *nameList {
	a := st.adj[anchor]
	if a == nil {
		return noNames
	}
	ls := a.named.Load()
	if ls == nil {
		fresh := newNameLists()
		if a.named.CompareAndSwap(nil, fresh) {
			ls = fresh
		} else {
			ls = a.named.Load() // another reader made it first
		}
	}
	slot := &ls.lists[nameSlot(kind, dir)]
	if l := slot.Load(); l != nil {
		return l
	}
	l := st.sortByName(anchor, kind, dir, nil) // readers share no memo
	if len(l.edges) > 0 {                      // an empty list costs nothing to make again
		slot.Store(l) // a reader racing this one made the same list
	}
	return l
}

func newNameLists() *nameLists {
	return &nameLists{lists: make([]atomic.Pointer[nameList], 3*len(domain.EdgeKinds))}
}

// sortByName lists anchor's relations in the default order; ties (two
// relations with one far end) keep their adjacency order.
func (st *state) sortByName(anchor domain.NodeKey, kind domain.EdgeKind, dir domain.Direction, memo endsMemo) *nameList {
	lists := st.edgesOf(anchor, kind, dir)
	n := len(lists[0]) + len(lists[1])
	if n == 0 {
		return noNames
	}
	type named struct {
		e   *domain.Edge
		end cursoredEnd
	}
	l := make([]named, 0, n)
	for _, list := range lists {
		for _, e := range list {
			o := e.Other(anchor)
			l = append(l, named{e: e, end: st.end(o, memo)})
		}
	}
	slices.SortStableFunc(l, func(a, b named) int {
		return cmp.Or(cmp.Compare(a.end.name, b.end.name), cmp.Compare(a.end.id, b.end.id))
	})
	out := &nameList{edges: make([]domain.Edge, n), ends: make([]nameEnd, n), cursors: make([]string, n)}
	for i, r := range l {
		out.edges[i], out.ends[i], out.cursors[i] = *r.e, r.end.nameEnd, r.end.cursor
	}
	return out
}

// dropNamed forgets k's default-order lists, as a relation at k was
// added or changed or a neighbour renamed; sortStale makes them again.
func (st *state) dropNamed(k domain.NodeKey) {
	if a := st.adj[k]; a != nil {
		a.named.Store(nil)
		st.stale[k] = struct{}{}
	}
}

// renamed drops the default-order lists of k's neighbours, which sort by
// k's name: k was added or replaced by old (nil when new) with another
// name.
func (st *state) renamed(k domain.NodeKey, old, n domain.Node) {
	a := st.adj[k]
	if a == nil || old != nil && old.Base().Name == n.Base().Name {
		return
	}
	for _, side := range [][][]*domain.Edge{a.out, a.in} {
		for _, list := range side {
			for _, e := range list {
				st.dropNamed(e.Other(k))
			}
		}
	}
}

// sortStale makes the dropped lists again at the end of a write or a load:
// for each kind the lists reads ask for (Both for an undirected kind, Out
// and In for a directed one), when not empty.
func (st *state) sortStale() {
	directed, undirected := []domain.Direction{domain.Out, domain.In}, []domain.Direction{domain.Both}
	memo := endsMemo{}
	for k := range st.stale {
		a := st.adj[k]
		ls := newNameLists()
		for i, kind := range domain.EdgeKinds {
			dirs := directed
			if domain.EdgeRules[kind].Undirected {
				dirs = undirected
			}
			for _, d := range dirs {
				if d == domain.Out && len(a.out[i]) == 0 || d == domain.In && len(a.in[i]) == 0 || len(a.out[i])+len(a.in[i]) == 0 {
					continue
				}
				ls.lists[nameSlot(kind, d)].Store(st.sortByName(k, kind, d, memo))
			}
		}
		a.named.Store(ls)
	}
	clear(st.stale)
}
