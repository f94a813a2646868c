package graph

import (
	"slices"

	"github.com/vektah/gqlparser/v2/ast"
)

// A page's cursors are built only when the selection reads one: encoding
// a cursor for every item was a large part of a plan's cost, and most
// queries page no further. The planner and the resolvers both set
// domain.Page.NoCursors from the selection, so their queries' signatures
// agree and a resolver finds the plan's page.

// asksCursors reports whether a connection's selection reads a cursor: an
// edge's cursor, or pageInfo's startCursor or endCursor, through
// fragments. A fragment counts whatever its type condition, and a
// directive it cannot evaluate keeps its selection: in doubt, the cursors
// are built.
func asksCursors(set ast.SelectionSet, vars map[string]any) bool {
	return selects(set, vars, func(f *ast.Field) bool {
		switch f.Name {
		case "edges":
			return selects(f.SelectionSet, vars, fieldNamed("cursor"))
		case "pageInfo":
			return selects(f.SelectionSet, vars, fieldNamed("startCursor", "endCursor"))
		}
		return false
	})
}

// selects reports whether some field the set selects (@skip and @include
// applied, fragments expanded) satisfies want.
func selects(set ast.SelectionSet, vars map[string]any, want func(*ast.Field) bool) bool {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if included(s.Directives, vars) && want(s) {
				return true
			}
		case *ast.InlineFragment:
			if included(s.Directives, vars) && selects(s.SelectionSet, vars, want) {
				return true
			}
		case *ast.FragmentSpread:
			if included(s.Directives, vars) && (s.Definition == nil || selects(s.Definition.SelectionSet, vars, want)) {
				return true
			}
		}
	}
	return false
}

// fieldNamed matches a field by name.
func fieldNamed(names ...string) func(*ast.Field) bool {
	return func(f *ast.Field) bool { return slices.Contains(names, f.Name) }
}
