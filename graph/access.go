package graph

import (
	"context"
	"fmt"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/internal/auth"
	"github.com/citygraph/citygraph/internal/telemetry"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Access says what a request may run without which role.
type Access struct {
	// RequireReader makes queries and subscriptions need the reader role;
	// without it they are open to anonymous requests.
	RequireReader bool
}

// RequiredRole is the one rule of who may run a root field: a mutation
// field needs editor, or admin when it deletes or imports; a query or
// subscription field needs reader when the operator requires it, else
// nothing. A mutation field added later falls under the rule by its name.
func (a Access) RequiredRole(op ast.Operation, field string) auth.Role {
	if op == ast.Mutation && !strings.HasPrefix(field, "__") {
		if strings.HasPrefix(field, "delete") || strings.HasPrefix(field, "import") {
			return auth.Admin
		}
		return auth.Editor
	}
	if a.RequireReader {
		return auth.Reader
	}
	return auth.Anonymous
}

// authorize refuses, before anything runs, an operation whose principal
// lacks the role a root field needs. Every root field counts, including
// those behind fragments and @skip, so no spelling of an operation gets
// round the rule.
type authorize struct{ access Access }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = authorize{}

func (authorize) ExtensionName() string                   { return "Authorize" }
func (authorize) Validate(graphql.ExecutableSchema) error { return nil }

func (a authorize) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	p := auth.FromContext(ctx)
	need, field := auth.Anonymous, ""
	forRootFields(oc.Operation.SelectionSet, map[string]bool{}, func(f *ast.Field) {
		if r := a.access.RequiredRole(oc.Operation.Operation, f.Name); r > need {
			need, field = r, f.Name
		}
	})
	if p.Role >= need {
		return nil
	}
	telemetry.RequestFrom(ctx).Refuse(telemetry.RefusedAuth)
	if p.Role == auth.Anonymous {
		return accessError(domain.EUNAUTHENTICATED, fmt.Sprintf(
			"%s needs a credential with the %s role; send \"Authorization: Bearer <API key or JWT>\"", field, need))
	}
	return accessError(domain.EFORBIDDEN, fmt.Sprintf(
		"%s needs the %s role; the credential of %q has the %s role", field, need, p.Subject, p.Role))
}

func accessError(code domain.Code, msg string) *gqlerror.Error {
	return &gqlerror.Error{Message: msg, Extensions: map[string]any{"code": code}}
}

// forRootFields calls f for every field of an operation's root selection,
// through inline fragments and fragment spreads, each fragment once.
func forRootFields(set ast.SelectionSet, seen map[string]bool, f func(*ast.Field)) {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			f(s)
		case *ast.InlineFragment:
			forRootFields(s.SelectionSet, seen, f)
		case *ast.FragmentSpread:
			if seen[s.Name] || s.Definition == nil {
				continue
			}
			seen[s.Name] = true
			forRootFields(s.Definition.SelectionSet, seen, f)
		}
	}
}
