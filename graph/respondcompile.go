package graph

import (
	"bytes"

	"github.com/99designs/gqlgen/graphql"
	"github.com/citygraph/citygraph/domain"
	"github.com/vektah/gqlparser/v2/ast"
)

// A selection set on an object type is compiled once per request into a
// list of field writers, each resolved from the tables once: writing an
// object then looks up no type, field name or alias, only its values.

// fieldWriter writes the value of one field on an object.
type fieldWriter func(r *responder, f *graphql.CollectedField, o obj) bool

// compiledField is one field of a compiled selection set.
type compiledField struct {
	f *graphql.CollectedField
	// key is the field's `"alias":`, after a comma unless it is the first.
	key   string
	write fieldWriter
}

// compiledSet is a selection set compiled for one object type; ok false
// when the writer leaves it to gqlgen.
type compiledSet struct {
	fields []compiledField
	ok     bool
}

// compile returns sel compiled for typ, once per request.
func (r *responder) compile(typ string, sel ast.SelectionSet) *compiledSet {
	key := selectionKey{typ: typ, n: len(sel)}
	if len(sel) > 0 {
		key.sel = &sel[0]
	}
	if s, ok := r.sets[key]; ok {
		return s
	}
	s := r.compileSet(typ, sel)
	if r.sets == nil {
		r.sets = map[selectionKey]*compiledSet{}
	}
	r.sets[key] = s
	return s
}

func (r *responder) compileSet(typ string, sel ast.SelectionSet) *compiledSet {
	satisfies, known := r.shapes.satisfies[typ]
	if !known {
		return &compiledSet{}
	}
	fields := graphql.CollectFields(r.oc, sel, satisfies)
	s := &compiledSet{fields: make([]compiledField, len(fields)), ok: true}
	// Every field's key is a slice of one string.
	var keys bytes.Buffer
	ends := make([]int, len(fields))
	for i := range fields {
		f := &fields[i]
		if len(f.Deferrables) > 0 || f.Definition == nil && f.Name != "__typename" || repeatsAlias(fields[:i], f.Alias) {
			return &compiledSet{}
		}
		if i > 0 {
			keys.WriteByte(',')
		}
		appendQuoted(&keys, f.Alias)
		keys.WriteByte(':')
		ends[i] = keys.Len()
		s.fields[i] = compiledField{f: f, write: r.writerFor(typ, f)}
	}
	all, start := keys.String(), 0
	for i, end := range ends {
		s.fields[i].key, start = all[start:end], end
	}
	return s
}

// writerFor resolves how a field of typ is written: the hot categories
// (nodes and relation edges) directly, the others through field.
func (r *responder) writerFor(typ string, f *graphql.CollectedField) fieldWriter {
	if f.Name == "__typename" {
		var b bytes.Buffer
		appendQuoted(&b, typ)
		quoted := b.String()
		return func(r *responder, _ *graphql.CollectedField, _ obj) bool {
			r.buf.WriteString(quoted)
			return true
		}
	}
	switch r.shapes.category[typ] {
	case categoryNode:
		return r.nodeWriter(typ, f)
	case categoryRelEdge:
		switch f.Name {
		case "node":
			var memo nodeSetMemo
			return func(r *responder, f *graphql.CollectedField, o obj) bool {
				far, ok := r.answers.Nodes[o.edge.Other(o.anchor)]
				return ok && r.nodeValueMemo(f, far, false, &memo)
			}
		case "cursor":
			return func(r *responder, _ *graphql.CollectedField, o obj) bool { return r.cursor(o) }
		}
		if w, ok := r.shapes.edges[f.Name]; ok {
			return func(r *responder, f *graphql.CollectedField, o obj) bool { return w(r, f, o.edge) }
		}
	case categoryNodeEdge:
		if f.Name == "node" {
			var memo nodeSetMemo
			return func(r *responder, f *graphql.CollectedField, o obj) bool {
				return r.nodeValueMemo(f, o.node, false, &memo)
			}
		}
	}
	return func(r *responder, f *graphql.CollectedField, o obj) bool { return r.field(typ, f, o) }
}

// nodeWriter resolves a field of node type typ: id, sources, a relation,
// attendanceByCountry, or a leaf of its table.
func (r *responder) nodeWriter(typ string, f *graphql.CollectedField) fieldWriter {
	switch f.Name {
	case "id":
		// globalID's "Kind:slug", quoted as one string.
		prefix := `"` + typ + `:`
		return func(r *responder, _ *graphql.CollectedField, o obj) bool {
			r.buf.WriteString(prefix)
			appendEscaped(r.buf, o.node.Base().ID)
			r.buf.WriteByte('"')
			return true
		}
	case "sources":
		return func(r *responder, f *graphql.CollectedField, o obj) bool { return r.sources(f, o.node.Base().Sources) }
	}
	if rf, ok := relationFields[typ][f.Name]; ok {
		var q *preparedQuery
		return func(r *responder, f *graphql.CollectedField, o obj) bool {
			if q == nil {
				pq := r.query(rf, f)
				q = &pq
			}
			return r.relationOn(rf, f, o.node, q)
		}
	}
	if typ == string(domain.KindForum) && f.Name == "attendanceByCountry" {
		return func(r *responder, f *graphql.CollectedField, o obj) bool {
			forum, ok := o.node.(*domain.Forum)
			return ok && r.attendanceByCountry(f, forum)
		}
	}
	if w, ok := r.shapes.nodes[typ][f.Name]; ok {
		return func(r *responder, f *graphql.CollectedField, o obj) bool { return w(r, f, o.node) }
	}
	return func(*responder, *graphql.CollectedField, obj) bool { return false }
}

// nodeSetMemo remembers the last compiled set a field's nodes were written
// with: a field's nodes are mostly of one type.
type nodeSetMemo struct {
	typ string
	set *compiledSet
}

// nodeValueMemo is nodeValue, compiling f's selection for a node's type
// only when the type changes.
func (r *responder) nodeValueMemo(f *graphql.CollectedField, n domain.Node, nullable bool, memo *nodeSetMemo) bool {
	if n == nil {
		if !nullable {
			return false
		}
		r.buf.WriteString("null")
		return true
	}
	typ := string(n.Key().Kind)
	if memo.set == nil || memo.typ != typ {
		if !r.shapes.holds(f.Definition.Type.Name(), typ) {
			return false
		}
		memo.typ, memo.set = typ, r.compile(typ, f.Selections)
	}
	return r.write(memo.set, obj{node: n})
}
