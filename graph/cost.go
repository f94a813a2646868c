package graph

import (
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// Analysis is what one pass over a query document learns before anything
// runs: the selected operation's cost and the document's shape. The limits
// (limits.go) are checked against it.
type Analysis struct {
	// Cost is how many items the operation may return plus the work its
	// analytics may cause (see prices.go): a field costs 1, plus its work,
	// plus its items times what it selects, so nested pages multiply out.
	Cost int
	// Depth is the deepest nesting of fields and inline fragments in any
	// operation or fragment of the document; spreads add none of their own.
	Depth int
	// Aliases counts the aliased fields written in the document.
	Aliases int
	// Directives is the most directives written on one field, fragment or
	// spread.
	Directives int
	// Selections measures the largest selection set as validation sees
	// it, which compares fields answering one key pairwise: a field counts
	// once, plus once for each inline fragment around it; a key written n
	// times counts n times that; a fragment spread counts what the
	// fragment does (at least 1). Ten thousand copies of a field count a
	// hundred million; a plain selection set of 30 fields counts 30.
	Selections int
	// Nodes counts the selections, directives and fragment definitions the
	// analysis visited: its own work, at most one per token of the document.
	Nodes int
}

// Analyze prices the operation op of doc (nil prices none) with its
// variables vars, and measures the shape of the whole document: every
// operation and fragment, since validation looks at all of them.
//
// It is linear in the document's size, whatever the document: each
// fragment is summarised once and its summary reused at every spread (and
// a cycle, which validation refuses, counts for nothing); inline fragments
// are merged into the selection set around them at any depth, whatever
// their type condition (so each item of an abstract list is priced as if
// it matched every branch: an upper bound); fields with
// the same response key in one selection set are merged as the executor
// merges them, so ten thousand copies of a field cost what one does. A
// spread is not merged with its siblings but added, which can only price
// a query higher than the executor's work, never lower. Fields are looked
// up in the schema by name, not through validation's annotations, so the
// analysis can run before validation and again on a cached document.
func Analyze(schema *ast.Schema, doc *ast.QueryDocument, op *ast.OperationDefinition, vars map[string]any) Analysis {
	an, _ := analyze(schema, doc, op, vars)
	return an
}

// analyze is Analyze, and says whether the analysis read a variable: one
// that did not is the same for every request with that operation.
func analyze(schema *ast.Schema, doc *ast.QueryDocument, op *ast.OperationDefinition, vars map[string]any) (Analysis, bool) {
	a := &analyzer{schema: schema, vars: vars, memo: map[string]*summary{}, fragments: map[string]*ast.FragmentDefinition{}}
	if op != nil {
		a.varDefs = op.VariableDefinitions
	}
	for _, f := range doc.Fragments {
		if _, dup := a.fragments[f.Name]; !dup {
			a.fragments[f.Name] = f // the first of duplicate names, as validation does
		}
	}
	if op != nil {
		a.result.Cost = a.operation(op).cost
	}
	for _, o := range doc.Operations {
		if o != op {
			a.operation(o)
		}
	}
	for _, f := range doc.Fragments {
		if a.fragments[f.Name] == f {
			a.fragment(f.Name)
		} else {
			a.definition(f) // a duplicate name: validation refuses it, but only after looking at it
		}
	}
	return a.result, a.readVars
}

// analyses remembers the analyses of operations from the query cache that
// read no variable, so an app's repeated query is analysed once; keyed by
// the parsed operation, as projections are (projection.go).
type analyses struct {
	cache *lru.Cache[analysisKey, Analysis] // nil remembers none
}

type analysisKey struct {
	doc *ast.QueryDocument
	op  *ast.OperationDefinition
}

func newAnalyses(size int) analyses {
	c, _ := lru.New[analysisKey, Analysis](size)
	return analyses{cache: c}
}

// of is Analyze(schema, doc, op, vars), remembered when doc came from the
// query cache (cached): a document parsed afresh is never seen again.
func (c analyses) of(schema *ast.Schema, doc *ast.QueryDocument, op *ast.OperationDefinition, vars map[string]any, cached bool) Analysis {
	if !cached || c.cache == nil {
		return Analyze(schema, doc, op, vars)
	}
	key := analysisKey{doc, op}
	if an, ok := c.cache.Get(key); ok {
		return an
	}
	an, readVars := analyze(schema, doc, op, vars)
	if !readVars {
		c.cache.Add(key, an)
	}
	return an
}

// analyzer is one analysis in progress.
type analyzer struct {
	schema    *ast.Schema
	vars      map[string]any
	varDefs   ast.VariableDefinitionList
	fragments map[string]*ast.FragmentDefinition
	// memo holds each fragment's summary; a nil entry marks a fragment
	// being summarised, so a cycle ends there.
	memo   map[string]*summary
	result Analysis
	// readVars says a variable's value was read (or found missing).
	readVars bool
}

// variable returns the request's value of the variable name, noting that
// the analysis depends on it.
func (a *analyzer) variable(name string) (any, bool) {
	a.readVars = true
	v, ok := a.vars[name]
	return v, ok
}

// summary is what a selection set contributes to the one it is part of.
type summary struct {
	cost       int
	depth      int
	selections int
}

// part is a selection set with the type its selections apply to (nil when
// the document names an unknown type) and the inline fragments around it.
type part struct {
	set  ast.SelectionSet
	on   *ast.Definition
	nest int
}

// occurrence is one field node that answers a response key.
type occurrence struct {
	field *ast.Field
	on    *ast.Definition
	nest  int
}

func (a *analyzer) operation(op *ast.OperationDefinition) summary {
	a.directives(op.Directives)
	var root *ast.Definition
	switch op.Operation {
	case ast.Query, "":
		root = a.schema.Query
	case ast.Mutation:
		root = a.schema.Mutation
	case ast.Subscription:
		root = a.schema.Subscription
	}
	s := a.collect([]part{{set: op.SelectionSet, on: root}})
	a.result.Depth = max(a.result.Depth, s.depth)
	return s
}

// fragment returns the named fragment's summary, computing it once.
func (a *analyzer) fragment(name string) summary {
	if s, done := a.memo[name]; done {
		if s == nil {
			return summary{} // a cycle
		}
		return *s
	}
	def := a.fragments[name]
	if def == nil {
		a.memo[name] = &summary{} // unknown: validation refuses it
		return summary{}
	}
	a.memo[name] = nil
	s := a.definition(def)
	a.memo[name] = &s
	return s
}

func (a *analyzer) definition(def *ast.FragmentDefinition) summary {
	a.result.Nodes++
	a.directives(def.Directives)
	s := a.collect([]part{{set: def.SelectionSet, on: a.schema.Types[def.TypeCondition]}})
	a.result.Depth = max(a.result.Depth, s.depth)
	return s
}

// collect summarises the selection sets in parts as the executor collects
// them into one: inline fragments flattened in, a fragment spread once
// however often it is written, fields grouped by response key. Each
// group's sub-selections are then collected together, once.
func (a *analyzer) collect(parts []part) summary {
	queue := append(make([]part, 0, len(parts)), parts...)
	var (
		s      summary
		keys   []string
		groups = map[string][]occurrence{}
		spread map[string]bool
	)
	for i := 0; i < len(queue); i++ {
		p := queue[i]
		for _, sel := range p.set {
			a.result.Nodes++
			switch x := sel.(type) {
			case *ast.Field:
				a.directives(x.Directives)
				if x.Alias != "" && x.Alias != x.Name {
					a.result.Aliases++
				}
				key := x.Alias
				if key == "" {
					key = x.Name
				}
				if _, seen := groups[key]; !seen {
					keys = append(keys, key)
				}
				groups[key] = append(groups[key], occurrence{field: x, on: p.on, nest: p.nest})
			case *ast.InlineFragment:
				a.directives(x.Directives)
				on := p.on
				if x.TypeCondition != "" {
					on = a.schema.Types[x.TypeCondition]
				}
				queue = append(queue, part{set: x.SelectionSet, on: on, nest: p.nest + 1})
				s.depth = max(s.depth, p.nest+1)
			case *ast.FragmentSpread:
				a.directives(x.Directives)
				f := a.fragment(x.Name)
				// Validation compares every spread written with the others
				// and with the fields around it, repeats included.
				s.selections = saturatingAdd(s.selections, saturatingMul(p.nest+1, max(1, f.selections)))
				s.depth = max(s.depth, p.nest+f.depth)
				if spread[x.Name] {
					continue // the executor collects a fragment once per selection set
				}
				if spread == nil {
					spread = map[string]bool{}
				}
				spread[x.Name] = true
				s.cost = saturatingAdd(s.cost, f.cost)
			}
		}
	}
	for _, key := range keys {
		occ := groups[key]
		// n copies of a key are compared pairwise, in the selection set and
		// again inside each inline fragment around them: n × Σ(nest+1),
		// which for a key written once is its nesting plus one.
		weight := 0
		for _, o := range occ {
			weight = saturatingAdd(weight, o.nest+1)
		}
		s.selections = saturatingAdd(s.selections, saturatingMul(len(occ), weight))
		s.cost = saturatingAdd(s.cost, a.group(occ, &s.depth))
	}
	a.result.Selections = max(a.result.Selections, s.selections)
	return s
}

// group prices the fields answering one response key as the one field the
// executor makes of them: what they select is collected together, and the
// price is the highest any of them asks (validation makes them equal
// wherever they can meet on one object).
func (a *analyzer) group(occ []occurrence, depth *int) int {
	var (
		children []part
		price    fieldPrice
		nest     int
	)
	for _, o := range occ {
		def := fieldDefinition(o.on, o.field.Name)
		var childType *ast.Definition
		if def != nil {
			childType = a.schema.Types[def.Type.Name()]
		}
		if len(o.field.SelectionSet) > 0 {
			children = append(children, part{set: o.field.SelectionSet, on: childType})
		}
		price = price.atLeast(a.price(o.on, def, o.field))
		nest = max(nest, o.nest)
	}
	var child summary
	if len(children) > 0 {
		child = a.collect(children)
	}
	*depth = max(*depth, nest+1+child.depth)
	return price.cost(child.cost)
}

func (a *analyzer) directives(list ast.DirectiveList) {
	a.result.Nodes += len(list)
	a.result.Directives = max(a.result.Directives, len(list))
}

// fieldDefinition finds a field of a type by name; nil for a field the
// schema lacks (validation refuses it) and for __typename and the
// introspection fields, which cost what a plain field costs.
func fieldDefinition(on *ast.Definition, name string) *ast.FieldDefinition {
	if on == nil {
		return nil
	}
	return on.Fields.ForName(name)
}

func saturatingAdd(a, b int) int {
	if s := a + b; s >= a && s >= b {
		return s
	}
	return int(^uint(0) >> 1)
}

func saturatingMul(a, b int) int {
	if a == 0 || b == 0 {
		return 0
	}
	if p := a * b; p/b == a && p >= 0 {
		return p
	}
	return int(^uint(0) >> 1)
}
