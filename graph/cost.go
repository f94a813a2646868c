package graph

import (
	"context"
	"encoding/json"

	"github.com/99designs/gqlgen/graphql"
	"github.com/citygraph/citygraph/domain"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// costLimit refuses operations that could return more than max items
// before they run. A field's cost is 1 plus, for a list field that takes
// `first`, its page size times the cost of what it selects, so that pages
// nested in pages (100 cities × 100 partners × 100 partners) are priced as
// the million rows they may return. gqlgen's own complexity limit counts
// each field once and cannot see page sizes without a function per field.
type costLimit struct{ max int }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = costLimit{}

func (costLimit) ExtensionName() string                   { return "CostLimit" }
func (costLimit) Validate(graphql.ExecutableSchema) error { return nil }

func (c costLimit) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	cost := selectionCost(oc.Operation.SelectionSet, oc.Variables, 0)
	if cost > c.max {
		e := gqlerror.Errorf("this query could return about %d items; the limit is %d: ask for smaller pages (first) or nest fewer lists", cost, c.max)
		e.Extensions = map[string]any{"code": domain.EINVALID}
		return e
	}
	return nil
}

// selectionCost prices a selection set; depth guards against fragment
// cycles, which validation rejects anyway.
func selectionCost(set ast.SelectionSet, vars map[string]any, depth int) int {
	if depth > 50 {
		return 0
	}
	total := 0
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			child := selectionCost(s.SelectionSet, vars, depth+1)
			total = saturatingAdd(total, saturatingAdd(1, saturatingMul(pageSize(s, vars), child)))
		case *ast.InlineFragment:
			total = saturatingAdd(total, selectionCost(s.SelectionSet, vars, depth+1))
		case *ast.FragmentSpread:
			if s.Definition != nil {
				total = saturatingAdd(total, selectionCost(s.Definition.SelectionSet, vars, depth+1))
			}
		}
	}
	return total
}

// pageSize is how many items a field may return per parent: its `first`
// argument (given, from a variable, or defaulted) for paged fields, else 1.
func pageSize(f *ast.Field, vars map[string]any) int {
	if f.Definition == nil || f.Definition.Arguments.ForName("first") == nil {
		return 1
	}
	if a := f.Arguments.ForName("first"); a != nil {
		if v, err := a.Value.Value(vars); err == nil {
			switch n := v.(type) {
			case int64:
				return max(1, int(n))
			case int:
				return max(1, n)
			case float64:
				return max(1, int(n))
			case json.Number:
				if i, err := n.Int64(); err == nil {
					return max(1, int(i))
				}
			}
		}
	}
	return domain.DefaultPageSize
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
	if p := a * b; p/b == a {
		return p
	}
	return int(^uint(0) >> 1)
}
