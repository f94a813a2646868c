package domain

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// FilterOp is what one node of a filter tree does.
type FilterOp string

const (
	// Logic: AND and OR of Args (an empty AND holds), NOT of Args[0].
	OpAnd FilterOp = "AND"
	OpOr  FilterOp = "OR"
	OpNOT FilterOp = "NOT"
	// Quantifiers over a node's Relation: some, none or all of its
	// relations meet Args[0] (a filter in the relation's scope; none given
	// holds for every relation). All holds for a node with no such relation.
	OpSome FilterOp = "some"
	OpNone FilterOp = "none"
	OpAll  FilterOp = "all"
	// OpNode, in a relation's scope, applies Args[0] to the far end.
	OpNode FilterOp = "node"
	// Comparisons of Field with Values.
	OpEq         FilterOp = "eq"
	OpIn         FilterOp = "in"
	OpNot        FilterOp = "not" // not equal
	OpContains   FilterOp = "contains"
	OpStartsWith FilterOp = "startsWith"
	OpLt         FilterOp = "lt"
	OpLte        FilterOp = "lte"
	OpGt         FilterOp = "gt"
	OpGte        FilterOp = "gte"
	OpIsNull     FilterOp = "isNull"
)

// Bounds on one filter, so that a filter's work stays bounded whatever the
// cost limit says: how many operators, how deeply quantifiers nest, how many
// values one in lists, how long a text is.
const (
	MaxFilterNodes  = 200
	MaxFilterDepth  = 6
	MaxFilterValues = 500
	MaxFilterText   = 500
)

// Filter is a where: a tree of AND, OR and NOT over comparisons of a node's
// or relation's properties and quantifiers over relations (see FilterOp),
// written once for both stores. The scope (Scope) says which fields and
// relations it may name. A node query's filter is in its kind's scope
// (NodeScope), an edge query's in its relation's (EdgeScope).
//
// A comparison of a property that is unknown holds for no operator but
// isNull: true, on every store. Values are strings (String, Enum and Date
// fields), int64 (Int, and Decimal in hundredths) or bool (Boolean, and
// isNull's operand).
type Filter struct {
	Op       FilterOp
	Args     []Filter
	Field    string
	Values   []any
	Relation string
}

// And is the conjunction of fs (the filter itself for one).
func And(fs ...Filter) Filter {
	if len(fs) == 1 {
		return fs[0]
	}
	return Filter{Op: OpAnd, Args: fs}
}

// Compare is the comparison of field by op with values.
func Compare(field string, op FilterOp, values ...any) Filter {
	return Filter{Op: op, Field: field, Values: values}
}

// Quantify is op (some, none, all) over relation, its relations meeting f
// (nil: any relation).
func Quantify(op FilterOp, relation string, f *Filter) Filter {
	q := Filter{Op: op, Relation: relation}
	if f != nil {
		q.Args = []Filter{*f}
	}
	return q
}

// String is the filter's canonical form, which query signatures print:
// two filters with the same form answer alike. Normalize sorts the
// operands of AND and OR and the values of in, so that the order they
// were written in does not matter.
func (f *Filter) String() string {
	if f == nil {
		return "<nil>"
	}
	var b strings.Builder
	f.write(&b)
	return b.String()
}

func (f *Filter) write(b *strings.Builder) {
	switch f.Op {
	case OpAnd, OpOr, OpNOT, OpNode, OpSome, OpNone, OpAll:
		b.WriteString(string(f.Op))
		if f.Relation != "" {
			b.WriteString(" " + f.Relation)
		}
		b.WriteByte('(')
		for i := range f.Args {
			if i > 0 {
				b.WriteByte(',')
			}
			f.Args[i].write(b)
		}
		b.WriteByte(')')
		return
	}
	b.WriteString(f.Field + "." + string(f.Op) + "(")
	for i, v := range f.Values {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(valueString(v))
	}
	b.WriteByte(')')
}

func valueString(v any) string {
	switch x := v.(type) {
	case string:
		return strconv.Quote(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprintf("%T(%v)", v, v)
}

// Normalize validates f in scope s and puts it in canonical form: AND and
// OR operands sorted, in's values sorted and unique. EINVALID names the
// place (where.partners.some.node.name) and what is wrong.
func (f *Filter) Normalize(s *Scope) error {
	n := 0
	return f.normalize(s, "where", 0, &n)
}

func (f *Filter) normalize(s *Scope, at string, depth int, n *int) error {
	if s == nil {
		return Errorf(EINVALID, "%s: nothing here can be filtered", at)
	}
	if *n++; *n > MaxFilterNodes {
		return Errorf(ELIMIT, "the filter has more than %d operators; split the question or use fewer conditions", MaxFilterNodes)
	}
	one := func(sub *Scope, where string, d int) error {
		if len(f.Args) > 1 {
			return Errorf(EINVALID, "%s: %s takes one filter, got %d", at, f.Op, len(f.Args))
		}
		if len(f.Args) == 1 {
			return f.Args[0].normalize(sub, where, d, n)
		}
		if f.Op == OpNOT || f.Op == OpNode {
			return Errorf(EINVALID, "%s: %s needs a filter", at, f.Op)
		}
		return nil
	}
	switch f.Op {
	case OpAnd, OpOr:
		for i := range f.Args {
			if err := f.Args[i].normalize(s, fmt.Sprintf("%s.%s[%d]", at, f.Op, i), depth, n); err != nil {
				return err
			}
		}
		// Sorted only when not already: a normalized filter is read, not
		// written, so queries that share one may be normalized at once.
		byForm := func(a, b Filter) int { return cmp.Compare(a.String(), b.String()) }
		if !slices.IsSortedFunc(f.Args, byForm) {
			slices.SortFunc(f.Args, byForm)
		}
		return nil
	case OpNOT:
		return one(s, at+".NOT", depth)
	case OpNode:
		if s.Edge == "" {
			return Errorf(EINVALID, "%s: node applies only in a relation's filter", at)
		}
		return one(NodesScope(s.Far), at+".node", depth)
	case OpSome, OpNone, OpAll:
		r := s.Relation(f.Relation)
		if r == nil {
			return Errorf(EINVALID, "%s: %s has no relation %q; expected one of %v", at, s.Name, f.Relation, relationNames(s))
		}
		if depth+1 > MaxFilterDepth {
			return Errorf(ELIMIT, "%s: relation filters nest deeper than %d; ask in two steps", at, MaxFilterDepth)
		}
		return one(EdgeScope(r.Kind, r.Direction), at+"."+f.Relation+"."+string(f.Op), depth+1)
	}
	return f.normalizeComparison(s, at)
}

func (f *Filter) normalizeComparison(s *Scope, at string) error {
	fd := s.Field(f.Field)
	if fd == nil {
		return Errorf(EINVALID, "%s: %s has no field %q; expected one of %v", at, s.Name, f.Field, scopeFieldNames(s))
	}
	at += "." + f.Field
	if !slices.Contains(fd.Type.Ops(), f.Op) {
		return Errorf(EINVALID, "%s: operator %q does not apply to a %s field; expected one of %v", at, f.Op, fd.Type, fd.Type.Ops())
	}
	switch {
	case f.Op == OpIsNull:
		if len(f.Values) != 1 {
			return Errorf(EINVALID, "%s: isNull takes true or false", at)
		}
		if _, ok := f.Values[0].(bool); !ok {
			return Errorf(EINVALID, "%s: isNull takes true or false, got %T", at, f.Values[0])
		}
		return nil
	case f.Op == OpIn:
		if len(f.Values) > MaxFilterValues {
			return Errorf(ELIMIT, "%s.in: %d values, more than the %d allowed", at, len(f.Values), MaxFilterValues)
		}
	case len(f.Values) != 1:
		return Errorf(EINVALID, "%s.%s takes one value, got %d", at, f.Op, len(f.Values))
	}
	for _, v := range f.Values {
		if err := checkValue(fd, v); err != nil {
			return Errorf(EINVALID, "%s.%s: %s", at, f.Op, err.(*Error).Message)
		}
	}
	byForm := func(a, b any) int { return cmp.Compare(valueString(a), valueString(b)) }
	if f.Op == OpIn && !(slices.IsSortedFunc(f.Values, byForm) && len(slices.CompactFunc(slices.Clone(f.Values), func(a, b any) bool { return a == b })) == len(f.Values)) {
		f.Values = slices.CompactFunc(slices.SortedFunc(slices.Values(f.Values), byForm), func(a, b any) bool { return a == b })
	}
	return nil
}

func checkValue(fd *FilterField, v any) error {
	switch fd.Type {
	case FieldInt, FieldDecimal:
		if _, ok := v.(int64); !ok {
			return Errorf(EINVALID, "expected a number, got %T", v)
		}
		return nil
	case FieldBool:
		if _, ok := v.(bool); !ok {
			return Errorf(EINVALID, "expected true or false, got %T", v)
		}
		return nil
	}
	s, ok := v.(string)
	if !ok {
		return Errorf(EINVALID, "expected a string, got %T", v)
	}
	if len(s) > MaxFilterText {
		return Errorf(EINVALID, "text of %d bytes, more than %d", len(s), MaxFilterText)
	}
	switch fd.Type {
	case FieldDate:
		if s == "" {
			return Errorf(EINVALID, "expected a date of the form YYYY, YYYY-MM or YYYY-MM-DD, got an empty string")
		}
		_, err := ParseDate(s)
		return err
	case FieldEnum:
		if !slices.Contains(fd.Enum, s) {
			return Errorf(EINVALID, "unknown %s %q; expected one of %v", fd.EnumType, s, fd.Enum)
		}
	}
	return nil
}

func scopeFieldNames(s *Scope) []string {
	var out []string
	for _, f := range s.Fields {
		out = append(out, f.Name)
	}
	return out
}

func relationNames(s *Scope) []string {
	var out []string
	for _, r := range s.Relations {
		out = append(out, r.Name)
	}
	return out
}

// Conjuncts lists the filters f requires all of: AND's operands, else f.
func (f *Filter) Conjuncts() []Filter {
	if f == nil {
		return nil
	}
	if f.Op == OpAnd {
		return f.Args
	}
	return []Filter{*f}
}

// FilterGraph is what evaluating a filter reads besides the node or
// relation it is about: the relations of a node and the nodes at their ends.
type FilterGraph interface {
	// FilterNode returns the node with key k, nil if there is none.
	FilterNode(k NodeKey) Node
	// FilterRelations calls each with every relation of kind k at node
	// at, in direction d, until each returns false.
	FilterRelations(at NodeKey, k EdgeKind, d Direction, each func(*Edge) bool)
}

// MatchNode reports whether node n meets f (normalized in n's kind's
// scope), reading its relations from g.
func (f *Filter) MatchNode(g FilterGraph, n Node) bool {
	return f.match(g, NodeScope(n.Key().Kind), n, nil, NodeKey{})
}

// MatchEdge reports whether relation e, reached from anchor, meets f
// (normalized in the relation's scope).
func (f *Filter) MatchEdge(g FilterGraph, s *Scope, e *Edge, anchor NodeKey) bool {
	return f.match(g, s, nil, e, anchor)
}

// match evaluates f in scope s on node n, or on relation e reached from anchor.
func (f *Filter) match(g FilterGraph, s *Scope, n Node, e *Edge, anchor NodeKey) bool {
	switch f.Op {
	case OpAnd:
		for i := range f.Args {
			if !f.Args[i].match(g, s, n, e, anchor) {
				return false
			}
		}
		return true
	case OpOr:
		for i := range f.Args {
			if f.Args[i].match(g, s, n, e, anchor) {
				return true
			}
		}
		return false
	case OpNOT:
		return !f.Args[0].match(g, s, n, e, anchor)
	case OpNode:
		far := g.FilterNode(e.Other(anchor))
		return far != nil && f.Args[0].match(g, NodesScope(s.Far), far, nil, NodeKey{})
	case OpSome, OpNone, OpAll:
		r := s.Relation(f.Relation)
		es := EdgeScope(r.Kind, r.Direction)
		at := n.Key()
		found := false
		g.FilterRelations(at, r.Kind, r.Direction, func(x *Edge) bool {
			ok := len(f.Args) == 0 || f.Args[0].match(g, es, nil, x, at)
			if f.Op == OpAll {
				ok = !ok // look for one that fails
			}
			found = found || ok
			return !found
		})
		return found == (f.Op == OpSome)
	}
	fd := s.Field(f.Field)
	var v any
	var known bool
	if e != nil {
		v, known = fd.edge(e)
	} else {
		v, known = fd.node(n)
	}
	if f.Op == OpIsNull {
		return !known == f.Values[0].(bool)
	}
	return known && compareValue(v, f.Op, f.Values)
}

// compareValue applies a comparison to a known value.
func compareValue(v any, op FilterOp, values []any) bool {
	if op == OpIn {
		return slices.Contains(values, v)
	}
	x := values[0]
	switch op {
	case OpEq:
		return v == x
	case OpNot:
		return v != x
	case OpContains:
		return strings.Contains(v.(string), x.(string))
	case OpStartsWith:
		return strings.HasPrefix(v.(string), x.(string))
	}
	var c int
	switch a := v.(type) {
	case int64:
		c = cmp.Compare(a, x.(int64))
	case string:
		c = cmp.Compare(a, x.(string))
	default:
		return false
	}
	switch op {
	case OpLt:
		return c < 0
	case OpLte:
		return c <= 0
	case OpGt:
		return c > 0
	case OpGte:
		return c >= 0
	}
	return false
}
