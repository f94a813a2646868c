package domain

import (
	"reflect"
	"slices"
	"strings"
	"unicode"
)

// Projection says which fields a plan reads of the nodes and relations it
// answers, by kind. It is per kind, not per step of the plan, because
// Answers.Nodes holds one node per key whichever step reached it: a node
// carries the fields listed for its kind wherever it was found, and a
// relation those listed for its relation kind.
//
// Field names are the domain structs' field names with a lower-case first
// letter ("name", "nameZh", "population", "capital", "url"):
// ProjectableNodeFields and ProjectableEdgeFields list them. A node's Key (kind and ID) and a relation's Kind,
// From and To are always read. A store answers each listed field exactly
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
	for _, f := range fields {
		if src := v.FieldByName(goFieldName(f)); src.IsValid() {
			out.Elem().FieldByName(goFieldName(f)).Set(src)
		}
	}
	return out.Interface().(Node)
}

// ProjectEdge returns a copy of e with only its kind, ends and the given
// fields set.
func ProjectEdge(e Edge, fields []string) Edge {
	v := reflect.ValueOf(e)
	out := reflect.New(v.Type()).Elem()
	for _, f := range append([]string{"kind", "from", "to"}, fields...) {
		if src := v.FieldByName(goFieldName(f)); src.IsValid() {
			out.FieldByName(goFieldName(f)).Set(src)
		}
	}
	return out.Interface().(Edge)
}

// The field names are read from the structs, so a field added to a node
// type or to Edge can be projected without a table to keep in step.
var (
	nodeFieldNames = func() map[Kind][]string {
		m := map[Kind][]string{}
		for _, k := range Kinds {
			m[k] = projectionFieldNames(reflect.TypeOf(NewNode(k, "x")).Elem(), "ID")
		}
		return m
	}()
	edgeFieldNames = projectionFieldNames(reflect.TypeOf(Edge{}), "Kind", "From", "To")
)

// projectionFieldNames lists t's fields, those of embedded structs flattened, as
// projection names, leaving out skip.
func projectionFieldNames(t reflect.Type, skip ...string) []string {
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		switch {
		case f.Anonymous && f.Type.Kind() == reflect.Struct:
			out = append(out, projectionFieldNames(f.Type, skip...)...)
		case f.IsExported() && !slices.Contains(skip, f.Name):
			out = append(out, projectionName(f.Name))
		}
	}
	return out
}

// projectionName is a Go field name with its leading capitals lowered
// (URL → url, NameZh → nameZh).
func projectionName(goName string) string {
	r := []rune(goName)
	i := 0
	for i < len(r) && unicode.IsUpper(r[i]) && (i == 0 || i+1 == len(r) || unicode.IsUpper(r[i+1])) {
		r[i] = unicode.ToLower(r[i])
		i++
	}
	return string(r)
}

// goFieldName is projectionName's inverse for the names in use.
func goFieldName(name string) string {
	if name == "url" {
		return "URL"
	}
	if name == "" {
		return ""
	}
	return strings.ToUpper(name[:1]) + name[1:]
}
