package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// introspectionOff refuses operations that select __schema or __type
// before they run. Without it gqlgen answers them with a null and an
// uncoded "introspection disabled" field error, which reads like a bug.
type introspectionOff struct{}

// The refusal is a request error, answered with the status of a
// validation failure (as Apollo Server reports it).
func init() { errcode.RegisterErrorType(CodeIntrospectionDisabled, errcode.KindProtocol) }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = introspectionOff{}

func (introspectionOff) ExtensionName() string                   { return "IntrospectionOff" }
func (introspectionOff) Validate(graphql.ExecutableSchema) error { return nil }

func (introspectionOff) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	f := introspectionField(oc.Operation.SelectionSet, map[string]bool{})
	if f == nil {
		return nil
	}
	e := gqlerror.ErrorPosf(f.Position, "introspection is switched off on this server: %s cannot be queried; ask the API's operator for its schema", f.Name)
	errcode.Set(e, CodeIntrospectionDisabled)
	return e
}

// introspectionField returns the first __schema or __type field in set.
// Each fragment is walked once, so a fragment spread many times costs no
// more than one spread.
func introspectionField(set ast.SelectionSet, seen map[string]bool) *ast.Field {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if s.Name == "__schema" || s.Name == "__type" {
				return s
			}
			if f := introspectionField(s.SelectionSet, seen); f != nil {
				return f
			}
		case *ast.InlineFragment:
			if f := introspectionField(s.SelectionSet, seen); f != nil {
				return f
			}
		case *ast.FragmentSpread:
			if seen[s.Name] || s.Definition == nil {
				continue
			}
			seen[s.Name] = true
			if f := introspectionField(s.Definition.SelectionSet, seen); f != nil {
				return f
			}
		}
	}
	return nil
}
