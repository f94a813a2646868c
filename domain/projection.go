package domain

import (
	"reflect"
	"slices"
)

// Projection says which fields a plan reads of the nodes and relations it
// answers, by kind. It is per kind, not per step of the plan, because
// Answers.Nodes holds one node per key whichever step reached it: a node
// carries the fields listed for its kind wherever it was found, and a
// relation those listed for its relation kind.
//
// Field names are the fields' stored names in the field table
// (fieldtable.go: "name", "nameZh", "population", "capital", "orgKind",
// "partnershipKind"): ProjectableNodeFields and ProjectableEdgeFields list
// them. A node's Key (kind and ID) and a relation's Kind, From and To are
// always read. A store answers each listed field exactly
// as its single reads would; a field not listed holds its zero value or
// its stored value (a store may share its own copy), so a caller reads
// only the fields it listed.
type Projection struct {
	// Nodes lists the fields to read of each node kind; a kind that is not
	// in the map is read whole.
	Nodes map[Kind][]string
	// Edges lists the fields to read of each relation kind; a kind that is
	// not in the map is read whole.
	Edges map[EdgeKind][]string
}

// NodeFieldsOf returns the fields p lists for nodes of kind k, and false
// when they are read whole (p nil, or k not listed).
func (p *Projection) NodeFieldsOf(k Kind) ([]string, bool) {
	if p == nil {
		return nil, false
	}
	f, ok := p.Nodes[k]
	return f, ok
}

// EdgeFieldsOf returns the fields p lists for relations of kind k, and
// false when they are read whole.
func (p *Projection) EdgeFieldsOf(k EdgeKind) ([]string, bool) {
	if p == nil {
		return nil, false
	}
	f, ok := p.Edges[k]
	return f, ok
}

// Validate checks that every kind and field p names exists.
func (p *Projection) Validate() error {
	if p == nil {
		return nil
	}
	for k, fs := range p.Nodes {
		valid, ok := nodeFieldNames[k]
		if !ok {
			return Errorf(EINVALID, "the plan's fields name unknown node kind %q; expected one of %v", k, Kinds)
		}
		for _, f := range fs {
			if !slices.Contains(valid, f) {
				return Errorf(EINVALID, "the plan's fields name %q, which %s has not; expected some of %v", f, k, valid)
			}
		}
	}
	for k, fs := range p.Edges {
		if _, ok := EdgeRules[k]; !ok {
			return Errorf(EINVALID, "the plan's fields name unknown relation kind %q; expected one of %v", k, EdgeKinds)
		}
		for _, f := range fs {
			if !slices.Contains(edgeFieldNames, f) {
				return Errorf(EINVALID, "the plan's fields name relation field %q; expected some of %v", f, edgeFieldNames)
			}
		}
	}
	return nil
}

// ProjectableNodeFields lists the fields of nodes of kind k that a Projection may name
// (ID is part of the key, always read).
func ProjectableNodeFields(k Kind) []string { return slices.Clone(nodeFieldNames[k]) }

// ProjectableEdgeFields lists the fields of a relation that a Projection may name
// (Kind, From and To are always read).
func ProjectableEdgeFields() []string { return slices.Clone(edgeFieldNames) }

// ProjectNode returns a copy of n with only its key and the given fields
// set, the others zero: what a caller that listed fields may rely on. The
// copy shares slices and pointers with n.
func ProjectNode(n Node, fields []string) Node {
	if n == nil {
		return nil
	}
	v := reflect.ValueOf(n).Elem()
	out := reflect.New(v.Type())
	out.Elem().FieldByName("ID").Set(v.FieldByName("ID"))
	projectFields(out.Elem(), v, nodeProjection[n.Key().Kind], fields)
	return out.Interface().(Node)
}

// ProjectEdge returns a copy of e with only its kind, ends and the given
// fields set.
func ProjectEdge(e Edge, fields []string) Edge {
	out := Edge{Kind: e.Kind, From: e.From, To: e.To}
	projectFields(reflect.ValueOf(&out).Elem(), reflect.ValueOf(e), edgeProjection, fields)
	return out
}

// projectFields copies the listed fields of src into dst (both of the struct
// type whose projectable fields are table).
func projectFields(dst, src reflect.Value, table []structField, fields []string) {
	for _, name := range fields {
		if i := slices.IndexFunc(table, func(f structField) bool { return f.property() == name }); i >= 0 {
			dst.FieldByIndex(table[i].index).Set(src.FieldByIndex(table[i].index))
		}
	}
}

// The projectable fields of each node kind and of a relation, in the
// struct's order, and their names.
var (
	nodeProjection = func() map[Kind][]structField {
		m := map[Kind][]structField{}
		for _, k := range Kinds {
			m[k] = withoutOmitted(nodeStructFields[k], omitFromProjections)
		}
		return m
	}()
	edgeProjection = withoutOmitted(edgeStructFields, omitFromProjections)

	nodeFieldNames = func() map[Kind][]string {
		m := map[Kind][]string{}
		for k, fs := range nodeProjection {
			m[k] = projectionNames(fs)
		}
		return m
	}()
	edgeFieldNames = projectionNames(edgeProjection)
)

func projectionNames(fs []structField) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.property()
	}
	return out
}
