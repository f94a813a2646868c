package telemetry

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// OperationName is a gqlgen extension that records each GraphQL operation's
// name on the request (RequestFrom), for the metrics, the access log and
// the request's span. Use it before the extensions that may refuse an
// operation, so that a refused request is still labelled.
type OperationName struct{}

// operationLabel is the operation as the metrics and the access log name
// it: AnonymousOperation for an unnamed one, "" when there was none.
func operationLabel(name string, seen bool) string {
	if name == "" && seen {
		return AnonymousOperation
	}
	return name
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
	graphql.OperationContextMutator
} = OperationName{}

func (OperationName) ExtensionName() string                   { return "TelemetryOperationName" }
func (OperationName) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters records the name the client sent, before the
// query is parsed, so requests refused by parsing or validation have it.
func (OperationName) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	rec := RequestFrom(ctx)
	if rec != nil {
		rec.graphql.Store(true)
	}
	rec.SetOperation(p.OperationName)
	return nil
}

// MutateOperationContext records the name of the operation that will run,
// which a client that sends one named operation need not repeat.
func (OperationName) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation != nil {
		RequestFrom(ctx).SetOperation(oc.Operation.Name)
	}
	return nil
}
