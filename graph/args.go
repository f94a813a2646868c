package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/citygraph/citygraph/domain"
)

// args are a field's arguments as the document and the variables give them
// (ast.Field.ArgumentMap), defaults applied: what the planner sees before
// execution and a resolver sees during it, so both build the same queries.
type args map[string]any

// fieldArgs returns the arguments of the field being resolved.
func fieldArgs(ctx context.Context) args {
	fc := graphql.GetFieldContext(ctx)
	return fc.Field.ArgumentMap(graphql.GetOperationContext(ctx).Variables)
}

// str returns a string argument, "" when absent or null.
func (a args) str(name string) string {
	s, _ := a[name].(string)
	return s
}

// page returns the page that first, after, last and before ask for.
func (a args) page() (domain.Page, error) {
	first, err := a.optInt("first")
	if err != nil {
		return domain.Page{}, err
	}
	last, err := a.optInt("last")
	if err != nil {
		return domain.Page{}, err
	}
	after, before := a.str("after"), a.str("before")
	return page(first, &after, last, &before)
}

// optInt reads an optional Int argument, nil when absent or null.
func (a args) optInt(name string) (*int, error) {
	v := a[name]
	if v == nil {
		return nil, nil
	}
	n, err := graphql.UnmarshalInt(v)
	if err != nil {
		return nil, domain.Errorf(domain.EINVALID, "%s must be a whole number: %v", name, err)
	}
	return &n, nil
}

// argAs reads an argument with T's own GraphQL unmarshaler (enums, dates),
// the zero T when absent or null; an earlier err is passed on unchanged.
func argAs[T any, PT interface {
	*T
	graphql.Unmarshaler
}](a args, name string, err error) (T, error) {
	var v T
	if err != nil || a[name] == nil {
		return v, err
	}
	err = PT(&v).UnmarshalGQL(a[name])
	return v, err
}
