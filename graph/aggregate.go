package graph

import (
	"cmp"
	"slices"

	"github.com/citygraph/citygraph/domain"
	"github.com/vektah/gqlparser/v2/ast"
)

// aggregateFields map the fields of the aggregate types (CityAggregate,
// FinancingAggregate, …) to the fields they aggregate; graph/model's
// Aggregate reads each back by the same field.
var aggregateFields = map[string]domain.FieldRef{
	"population":     {Name: "population"},
	"populationYear": {Name: "populationYear"},
	"edition":        {Name: "edition"},
	"participants":   {Name: "participants"},
	"officials":      {Name: "officials"},
	"capital":        {Name: "capital"},
	"delegationSize": {Name: "delegationSize", Edge: true},
	"position":       {Name: "position", Edge: true},
	"amount":         {Name: "amount", Edge: true},
}

// asksAggregate reads what a connection's selection asks of its
// aggregate field, through aliases, fragments and @include/@skip, so the
// store computes only that. The planner and the resolvers both build the
// query with it (as with asksTotal), so their signatures agree; fields
// come in one order however the query writes them.
func asksAggregate(set ast.SelectionSet, vars map[string]any) domain.Aggregation {
	var a domain.Aggregation
	eachField(set, vars, func(f *ast.Field) {
		if f.Name != "aggregate" {
			return
		}
		eachField(f.SelectionSet, vars, func(sf *ast.Field) {
			if sf.Name == "count" {
				a.Count = true
			} else if ref, ok := aggregateFields[sf.Name]; ok && !slices.Contains(a.Fields, ref) {
				a.Fields = append(a.Fields, ref)
			}
		})
	})
	slices.SortFunc(a.Fields, func(x, y domain.FieldRef) int {
		return cmp.Or(cmp.Compare(x.Name, y.Name), boolCompare(x.Edge, y.Edge))
	})
	return a
}

func boolCompare(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// eachField calls f for every field a selection set selects, through
// fragments, skipping what @skip and @include leave out. Connection and
// aggregate types are objects in no interface or union, so every fragment
// a valid document spreads there applies.
func eachField(set ast.SelectionSet, vars map[string]any, f func(*ast.Field)) {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if included(s.Directives, vars) {
				f(s)
			}
		case *ast.InlineFragment:
			if included(s.Directives, vars) {
				eachField(s.SelectionSet, vars, f)
			}
		case *ast.FragmentSpread:
			if s.Definition != nil && included(s.Directives, vars) {
				eachField(s.Definition.SelectionSet, vars, f)
			}
		}
	}
}
