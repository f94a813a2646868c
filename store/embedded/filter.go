package embedded

import (
	"github.com/citygraph/citygraph/domain"
)

// The embedded store evaluates a where (domain/filter.go) over its
// in-memory indexes: the adjacency lists answer the quantifiers, and a
// filter that pins the candidates (an id, or a relation to nodes named by
// id) narrows the list to them instead of visiting every node of the kind.

var _ domain.FilterGraph = (*state)(nil)

// FilterNode returns the stored node k (not a copy: filters only read it).
func (st *state) FilterNode(k domain.NodeKey) domain.Node { return st.nodes[k] }

// FilterRelations visits k's relations of one kind in a direction.
func (st *state) FilterRelations(at domain.NodeKey, kind domain.EdgeKind, d domain.Direction, each func(*domain.Edge) bool) {
	for _, list := range st.edgesOf(at, kind, d) {
		for _, e := range list {
			if !each(e) {
				return
			}
		}
	}
}

// candidates returns the slugs a node list with where w need visit, when
// one of w's conjuncts pins them (the fewest such), else all of the kind.
func (st *state) candidates(kind domain.Kind, w *domain.Filter) []string {
	all := st.byKind[kind]
	best, narrowed := []string(nil), false
	for _, c := range w.Conjuncts() {
		ids, ok := st.pinned(kind, c)
		if ok && (!narrowed || len(ids) < len(best)) {
			best, narrowed = ids, true
		}
	}
	if !narrowed {
		return all
	}
	return best
}

// pinned returns the slugs of the nodes of kind that can meet c when c
// names them: id eq or in, or some relation whose far end's id is eq or in.
func (st *state) pinned(kind domain.Kind, c domain.Filter) ([]string, bool) {
	if ids, ok := idValues(c); ok {
		var out []string
		for _, id := range ids {
			if _, ok := st.nodes[domain.NodeKey{Kind: kind, ID: id}]; ok {
				out = append(out, id)
			}
		}
		return out, true
	}
	if c.Op != domain.OpSome || len(c.Args) == 0 {
		return nil, false
	}
	r := domain.NodeScope(kind).Relation(c.Relation)
	es := domain.EdgeScope(r.Kind, r.Direction)
	for _, ec := range c.Args[0].Conjuncts() {
		if ec.Op != domain.OpNode {
			continue
		}
		for _, nc := range ec.Args[0].Conjuncts() {
			ids, ok := idValues(nc)
			if !ok {
				continue
			}
			back := map[domain.Direction]domain.Direction{domain.Out: domain.In, domain.In: domain.Out, domain.Both: domain.Both}[r.Direction]
			seen := map[string]bool{}
			var out []string
			for _, farKind := range es.Far {
				for _, id := range ids {
					far := domain.NodeKey{Kind: farKind, ID: id}
					st.FilterRelations(far, r.Kind, back, func(e *domain.Edge) bool {
						if o := e.Other(far); o.Kind == kind && !seen[o.ID] {
							seen[o.ID] = true
							out = append(out, o.ID)
						}
						return true
					})
				}
			}
			return out, true
		}
	}
	return nil, false
}

// idValues returns the slugs an id comparison (eq or in) names.
func idValues(c domain.Filter) ([]string, bool) {
	if c.Field != "id" || (c.Op != domain.OpEq && c.Op != domain.OpIn) {
		return nil, false
	}
	ids := make([]string, 0, len(c.Values))
	for _, v := range c.Values {
		s, _ := v.(string)
		ids = append(ids, s)
	}
	return ids, true
}
