package graph

import (
	"github.com/citygraph/citygraph/domain"
	"github.com/vektah/gqlparser/v2/ast"
)

// asksTotal says whether a connection's selection asks for totalCount,
// through aliases, fragments and @include/@skip: a page whose total is not
// asked sets domain.Page.NoTotal, and a store may skip counting. The
// planner and the resolvers both decide with it, so the query they build
// has the same signature and the resolver finds the plan's answer.
//
// A connection type is an object in no interface or union, so every
// fragment a valid document spreads in its selection applies to it: no
// schema is needed to tell.
func asksTotal(set ast.SelectionSet, vars map[string]any) bool {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if s.Name == "totalCount" && included(s.Directives, vars) {
				return true
			}
		case *ast.InlineFragment:
			if included(s.Directives, vars) && asksTotal(s.SelectionSet, vars) {
				return true
			}
		case *ast.FragmentSpread:
			if s.Definition != nil && included(s.Directives, vars) && asksTotal(s.Definition.SelectionSet, vars) {
				return true
			}
		}
	}
	return false
}

// queryFor is the field's query for its arguments; a page of relations
// counts its total only when total says its selection asks for it.
func (rf relationField) queryFor(a args, total bool) (domain.EdgeQuery, error) {
	q, err := rf.query(a)
	if rf.shape == shapeConnection || rf.shape == shapeNodes {
		q.Page.NoTotal = !total
		if err == nil {
			q, err = relationWhere(rf.shape, q, a)
		}
	}
	return q, err
}

// listPageQuery is a top-level list's query for its arguments, counting the
// total only when total says the selection asks for it.
func listPageQuery(build func(args) (domain.NodeQuery, error), a args, total bool) (domain.NodeQuery, error) {
	q, err := build(a)
	q.Page.NoTotal = !total
	return q, err
}

// included evaluates @skip and @include. An argument it cannot read keeps
// the selection (reading more is harmless).
func included(ds ast.DirectiveList, vars map[string]any) bool {
	for _, d := range ds {
		if d.Name != "skip" && d.Name != "include" {
			continue
		}
		a := d.ArgumentMap(vars)
		if v, ok := a["if"].(bool); ok && v == (d.Name == "skip") {
			return false
		}
	}
	return true
}
