package graph

import (
	"context"
	"errors"
	"reflect"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/internal/telemetry"
)

// responseSizeLimit caps the bytes of a response's data. It is a gqlgen
// interceptor, not an http.ResponseWriter wrapper, because the transport
// marshals the whole response before its one Write: a writer could only
// refuse to send what was already built. Here each field's value is counted
// as it resolves, and once the count crosses the cap the operation's
// context is cancelled, so no further resolver or store call starts and the
// store's loops stop; the marshalled data is measured exactly at the end.
type responseSizeLimit struct{ max int }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
	graphql.FieldInterceptor
} = responseSizeLimit{}

func (responseSizeLimit) ExtensionName() string                   { return "ResponseSizeLimit" }
func (responseSizeLimit) Validate(graphql.ExecutableSchema) error { return nil }

// errResponseTooLarge is the cause of an operation's cancellation by its budget.
var errResponseTooLarge = errors.New("the response crossed the size limit")

// responseBudget counts one response's bytes as its fields resolve.
type responseBudget struct {
	max    int64
	used   atomic.Int64
	cancel context.CancelCauseFunc
}

type responseBudgetKey struct{}

func (l responseSizeLimit) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	responses := next(ctx)
	return func(ctx context.Context) *graphql.Response {
		ctx, cancel := context.WithCancelCause(ctx)
		defer cancel(nil)
		b := &responseBudget{max: int64(l.max), cancel: cancel}
		resp := responses(context.WithValue(ctx, responseBudgetKey{}, b))
		if errors.Is(context.Cause(ctx), errResponseTooLarge) || (resp != nil && len(resp.Data) > l.max) {
			telemetry.RequestFrom(ctx).Refuse(telemetry.RefusedSize)
			return errorResponse(domain.Errorf(domain.ELIMIT,
				"the response is larger than the server's limit of %d bytes; ask for smaller pages (first), fewer nested lists or fewer fields", l.max))
		}
		return resp
	}
}

func (l responseSizeLimit) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	res, err := next(ctx)
	if err != nil {
		return res, err
	}
	b, _ := ctx.Value(responseBudgetKey{}).(*responseBudget)
	fc := graphql.GetFieldContext(ctx)
	if b == nil || fc == nil {
		return res, err
	}
	// "alias": and the value; both at most what the JSON will hold.
	if b.used.Add(int64(len(fc.Field.Alias)+3)+jsonSizeAtLeast(res)) > b.max {
		b.cancel(errResponseTooLarge)
	}
	return res, err
}

// jsonSizeAtLeast is a lower bound of the bytes v takes in the response: a
// string's text and quotes, a list's brackets and commas, an object's
// braces (its fields count for themselves), one byte for other scalars.
// A lower bound, so that the cap never refuses a response under it.
func jsonSizeAtLeast(v any) int64 {
	switch v := v.(type) {
	case nil:
		return 4
	case string:
		return int64(len(v)) + 2
	case *string:
		if v == nil {
			return 4
		}
		return int64(len(*v)) + 2
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return 4
		}
		if rv.Elem().Kind() == reflect.String {
			rv = rv.Elem()
		}
	}
	switch rv.Kind() {
	case reflect.String:
		return int64(rv.Len()) + 2
	case reflect.Slice, reflect.Array:
		n := int64(2 + max(rv.Len()-1, 0))
		if rv.Type().Elem().Kind() == reflect.String {
			for i := range rv.Len() {
				n += int64(rv.Index(i).Len()) + 2
			}
		}
		return n
	case reflect.Pointer, reflect.Struct, reflect.Map, reflect.Interface:
		return 2
	}
	return 1
}
