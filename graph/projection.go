package graph

import (
	"slices"

	"github.com/citygraph/citygraph/domain"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// projections remembers each operation's projection. The handler's query
// cache hands every request with the same text the same parsed operation,
// so an app's repeated query is walked once, not once per request. The
// projections are shared and must not be changed by their readers.
var projections, _ = lru.New[projectionKey, *domain.Projection](1000)

type projectionKey struct {
	schema *ast.Schema
	op     *ast.OperationDefinition
}

// operationFields is the projection of a query operation: for each node
// kind, the fields any selection of the operation reads of such a node,
// and for each relation kind, those any connection's edges read. It is one
// per kind over the whole operation, not per step, because the request's
// loaders hold one node per key and one page per query and anchor,
// whichever field read them: a node read for one field must carry what
// every other field of the operation reads of its kind (the analytics'
// named nodes included, read by a second plan with the same projection).
// Every kind is listed; one whose selection holds a field the tables below
// do not know is left out, and so read whole.
func operationFields(schema *ast.Schema, op *ast.OperationDefinition) *domain.Projection {
	if schema == nil || op == nil || schema.Query == nil {
		return nil
	}
	key := projectionKey{schema, op}
	if p, ok := projections.Get(key); ok {
		return p
	}
	p := walkOperationFields(schema, op)
	projections.Add(key, p)
	return p
}

// walkOperationFields computes operationFields' projection.
func walkOperationFields(schema *ast.Schema, op *ast.OperationDefinition) *domain.Projection {
	w := fieldWalk{schema: schema, selected: map[string][]string{}, edgeKinds: map[string][]domain.EdgeKind{}, fragments: map[string]bool{}}
	w.visit(op.SelectionSet, schema.Query.Name)

	p := &domain.Projection{Nodes: map[domain.Kind][]string{}, Edges: map[domain.EdgeKind][]string{}}
	whole := map[domain.Kind]bool{}
	for _, k := range domain.Kinds {
		p.Nodes[k] = []string{"name"} // read for orders and group names, as well as the field
	}
	for t, fields := range w.selected {
		def := schema.Types[t]
		if def == nil {
			continue
		}
		for _, obj := range w.objects(def) {
			kind := domain.Kind(obj)
			if !kind.Valid() {
				continue
			}
			for _, f := range fields {
				name, known := nodeField(obj, f)
				switch {
				case !known:
					whole[kind] = true
				case name != "" && !slices.Contains(p.Nodes[kind], name):
					p.Nodes[kind] = append(p.Nodes[kind], name)
				}
			}
		}
	}
	for k := range whole {
		delete(p.Nodes, k)
	}
	for _, k := range domain.EdgeKinds {
		p.Edges[k] = []string{}
	}
	wholeEdges := map[domain.EdgeKind]bool{}
	for edgeType, kinds := range w.edgeKinds {
		for _, k := range kinds {
			for _, f := range w.selected[edgeType] {
				name, known := edgeField(f)
				switch {
				case !known:
					wholeEdges[k] = true
				case name != "" && !slices.Contains(p.Edges[k], name):
					p.Edges[k] = append(p.Edges[k], name)
				}
			}
		}
	}
	for k := range wholeEdges {
		delete(p.Edges, k)
	}
	return p
}

// nodeField maps a field of object type t that is a node kind to the
// domain field it reads: "" for a field that reads none (the key, or
// relations), known false for a field the tables do not know.
func nodeField(t, f string) (name string, known bool) {
	switch f {
	case "__typename", "id", "slug", "code":
		return "", true
	}
	if _, ok := relationFields[t][f]; ok || t == string(domain.KindForum) && f == "attendanceByCountry" {
		return "", true
	}
	if t == string(domain.KindOrganization) && f == "kind" {
		return "orgKind", true
	}
	if slices.Contains(domain.ProjectableNodeFields(domain.Kind(t)), f) {
		return f, true
	}
	return "", false
}

// edgeField maps a field of a connection's edge type to the relation field
// it reads, as graph/model.RelEdge reads them.
func edgeField(f string) (name string, known bool) {
	switch f {
	case "__typename", "cursor", "node", "attendingMemberCountries":
		return "", true
	case "kind":
		return "partnershipKind", true
	case "date", "approved":
		return "since", true
	}
	if slices.Contains(domain.ProjectableEdgeFields(), f) {
		return f, true
	}
	return "", false
}

// fieldWalk visits every selection of an operation once per fragment,
// recording the field names selected on each type, and for each edge type
// of a relation connection the relation kinds it shows. @skip and @include
// are not evaluated: reading a skipped field's property costs little.
type fieldWalk struct {
	schema    *ast.Schema
	selected  map[string][]string
	edgeKinds map[string][]domain.EdgeKind
	fragments map[string]bool
}

func (w *fieldWalk) visit(set ast.SelectionSet, t string) {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if !slices.Contains(w.selected[t], s.Name) {
				w.selected[t] = append(w.selected[t], s.Name)
			}
			if s.Definition == nil || len(s.SelectionSet) == 0 {
				continue
			}
			w.relation(t, s)
			w.visit(s.SelectionSet, s.Definition.Type.Name())
		case *ast.InlineFragment:
			cond := s.TypeCondition
			if cond == "" {
				cond = t
			}
			w.visit(s.SelectionSet, cond)
		case *ast.FragmentSpread:
			if s.Definition == nil || w.fragments[s.Name] {
				continue
			}
			w.fragments[s.Name] = true
			w.visit(s.Definition.SelectionSet, s.Definition.TypeCondition)
		}
	}
}

// relation records the edge type and relation kind of a connection field
// of the table (on t, or on any object type of t if it is abstract).
func (w *fieldWalk) relation(t string, f *ast.Field) {
	def := w.schema.Types[t]
	if def == nil {
		return
	}
	conn := w.schema.Types[f.Definition.Type.Name()]
	if conn == nil {
		return
	}
	edges := conn.Fields.ForName("edges")
	if edges == nil {
		return
	}
	edgeType := edges.Type.Name()
	for _, obj := range w.objects(def) {
		rf, ok := relationFields[obj][f.Name]
		if !ok || rf.shape != shapeConnection {
			continue
		}
		q, _ := rf.query(args{})
		if !slices.Contains(w.edgeKinds[edgeType], q.Kind) {
			w.edgeKinds[edgeType] = append(w.edgeKinds[edgeType], q.Kind)
		}
	}
}

// objects lists the object types a type stands for: itself, or the
// possible types of an interface or union.
func (w *fieldWalk) objects(def *ast.Definition) []string {
	if def.Kind == ast.Object {
		return []string{def.Name}
	}
	var out []string
	for _, d := range w.schema.GetPossibleTypes(def) {
		out = append(out, d.Name)
	}
	return out
}

// totalOnly says a connection's selection asks for its totalCount alone,
// so its page need read no item (domain.Page.NoItems).
func totalOnly(set ast.SelectionSet, vars map[string]any) bool {
	if len(set) == 0 {
		return false
	}
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if s.Name != "totalCount" && s.Name != "__typename" && included(s.Directives, vars) {
				return false
			}
		case *ast.InlineFragment:
			if included(s.Directives, vars) && !totalOnly(s.SelectionSet, vars) {
				return false
			}
		case *ast.FragmentSpread:
			if s.Definition != nil && included(s.Directives, vars) && !totalOnly(s.Definition.SelectionSet, vars) {
				return false
			}
		}
	}
	return true
}

// withMerged returns fields, and for each response name that several of
// them share, one more field whose selection is all of theirs: the field
// as its resolver sees it, once the executor has merged them. Planned
// alone, each would ask its own page (one its total alone, another its
// items without the total), and none the merged field's.
func withMerged(fields []*ast.Field) []*ast.Field {
	var byName map[string][]*ast.Field
	for _, f := range fields {
		if len(f.SelectionSet) == 0 {
			continue
		}
		if byName == nil {
			byName = map[string][]*ast.Field{}
		}
		name := f.Alias
		if name == "" {
			name = f.Name
		}
		byName[name] = append(byName[name], f)
	}
	out := fields
	for _, f := range fields {
		name := f.Alias
		if name == "" {
			name = f.Name
		}
		group := byName[name]
		if len(group) < 2 || group[0] != f {
			continue
		}
		merged := *f
		merged.SelectionSet = nil
		for _, g := range group {
			merged.SelectionSet = append(merged.SelectionSet, g.SelectionSet...)
		}
		if len(out) == len(fields) {
			out = slices.Clone(fields)
		}
		out = append(out, &merged)
	}
	return out
}
