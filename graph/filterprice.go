package graph

import (
	"github.com/citygraph/citygraph/domain"
	"github.com/vektah/gqlparser/v2/ast"
)

// A where is priced by the work it may cause before anything runs, so that
// a hostile filter (partners of partners of partners …) is refused with
// its cost. Per candidate node or relation, a comparison costs 1 and a
// quantifier 1 plus the relation's fan-out times its own filter; ten such
// steps are priced as one item. The candidates are a scan for a top-level
// list, unless the filter pins them by id (the stores then start there:
// the ids times the fan-out back to the list), and the relation's fan-out
// for a connection.

// fanOut is about how many relations of a kind a node has in a direction:
// a typical busy node, not the worst one (the cost limit and
// domain.MaxFilterDepth bound the worst).
var fanOut = map[domain.EdgeKind][2]int{ // out, in
	domain.EdgeInCountry:       {1, 100},
	domain.EdgeMemberOf:        {5, 30},
	domain.EdgeSeatedIn:        {1, 10},
	domain.EdgeHeadquarteredIn: {1, 5},
	domain.EdgeOrganised:       {5, 5},
	domain.EdgeAttended:        {10, 50},
	domain.EdgeEditionOf:       {1, 20},
	domain.EdgeHeldIn:          {1, 20},
	domain.EdgePartOf:          {1, 10},
	domain.EdgeDiscussed:       {10, 5},
	domain.EdgeAdopted:         {5, 5},
	domain.EdgeSigned:          {10, 50},
	domain.EdgePartnerOf:       {10, 10},
	domain.EdgeCalledOn:        {5, 20},
	domain.EdgeFinanced:        {50, 5},
	domain.EdgeLocatedIn:       {5, 50},
	domain.EdgeRefersTo:        {5, 200},
}

func fan(k domain.EdgeKind, d domain.Direction) int {
	f := fanOut[k]
	switch d {
	case domain.Out:
		return f[0]
	case domain.In:
		return f[1]
	}
	return f[0] + f[1]
}

func back(d domain.Direction) domain.Direction {
	switch d {
	case domain.Out:
		return domain.In
	case domain.In:
		return domain.Out
	}
	return d
}

// whereScopes finds a scope by its GraphQL input type.
var whereScopes = func() map[string]*domain.Scope {
	m := map[string]*domain.Scope{}
	for _, s := range domain.Scopes() {
		m[s.Name] = s
	}
	return m
}()

// wherePrice is the work the where argument of field def (on type on) may
// cause: 0 without one.
func (args arguments) wherePrice(on *ast.Definition) int {
	arg := args.def.Arguments.ForName("where")
	if arg == nil {
		return 0
	}
	s := whereScopes[arg.Type.Name()]
	var v any
	if a := args.field.Arguments.ForName("where"); a != nil && a.Value != nil {
		v = args.a.full(a.Value)
	}
	m, ok := v.(map[string]any)
	if s == nil || !ok || len(m) == 0 {
		return 0
	}
	candidates := scanPrice
	if on != nil && on != args.a.schema.Query {
		if rf, ok := relationFields[on.Name][args.def.Name]; ok {
			if q, err := rf.query(nil); err == nil {
				candidates = fan(q.Kind, q.Direction)
			}
		}
	} else if n, ok := pinned(m, s); ok {
		candidates = min(candidates, n)
	}
	return saturatingMul(candidates, filterWork(m, s)) / 10
}

// filterWork is the work of a where object per candidate.
func filterWork(v any, s *domain.Scope) int {
	m, ok := v.(map[string]any)
	if !ok || s == nil {
		return 1
	}
	w := 0
	for k, x := range m {
		switch {
		case x == nil:
		case k == "AND" || k == "OR":
			list, ok := x.([]any)
			if !ok {
				list = []any{x}
			}
			for _, item := range list {
				w = saturatingAdd(w, filterWork(item, s))
			}
		case k == "NOT":
			w = saturatingAdd(w, filterWork(x, s))
		case k == "node" && s.Edge != "":
			w = saturatingAdd(w, filterWork(x, domain.NodesScope(s.Far)))
		case s.Relation(k) != nil:
			r := s.Relation(k)
			es := domain.EdgeScope(r.Kind, r.Direction)
			q, _ := x.(map[string]any)
			for _, sub := range q {
				w = saturatingAdd(w, saturatingAdd(1, saturatingMul(fan(r.Kind, r.Direction), filterWork(sub, es))))
			}
		default:
			ops, _ := x.(map[string]any)
			w = saturatingAdd(w, max(1, len(ops)))
		}
	}
	return max(w, 1)
}

// pinned is how many candidates a list's where leaves when it names them
// by id or through a relation to nodes named by id, as the stores start
// from them.
func pinned(m map[string]any, s *domain.Scope) (int, bool) {
	ids := func(x any) (int, bool) {
		ops, _ := x.(map[string]any)
		if _, ok := ops["eq"]; ok && ops["eq"] != nil {
			return 1, true
		}
		if l, ok := ops["in"].([]any); ok {
			return len(l), true
		}
		return 0, false
	}
	best, found := 0, false
	take := func(n int) {
		if !found || n < best {
			best, found = n, true
		}
	}
	if n, ok := ids(m["id"]); ok {
		take(n)
	}
	for _, r := range s.Relations {
		q, _ := m[r.Name].(map[string]any)
		some, _ := q["some"].(map[string]any)
		node, _ := some["node"].(map[string]any)
		if n, ok := ids(node["id"]); ok {
			take(saturatingMul(n, fan(r.Kind, back(r.Direction))))
		}
	}
	return best, found
}

// full reads a value whole, objects and lists included, following
// variables to the request's variables or the operation's defaults.
func (a *analyzer) full(v *ast.Value) any {
	switch v.Kind {
	case ast.Variable:
		if x, ok := a.variable(v.Raw); ok {
			return x
		}
		if d := a.varDefs.ForName(v.Raw); d != nil && d.DefaultValue != nil && d.DefaultValue.Kind != ast.Variable {
			return a.full(d.DefaultValue)
		}
		return nil
	case ast.ObjectValue:
		m := make(map[string]any, len(v.Children))
		for _, c := range v.Children {
			m[c.Name] = a.full(c.Value)
		}
		return m
	case ast.ListValue:
		l := make([]any, len(v.Children))
		for i, c := range v.Children {
			l[i] = a.full(c.Value)
		}
		return l
	case ast.NullValue:
		return nil
	}
	return v.Raw
}
