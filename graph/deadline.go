package graph

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/internal/telemetry"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// requestDeadline makes the deadline limitRequest sets stop the work: a
// resolver whose context is done does not start (so it makes no store
// call), and an operation that ran past its deadline answers one TIMEOUT
// error instead of the partial data and the errors of the fields it cut.
// The stores stop their own loops on the same context.
type requestDeadline struct{ timeout time.Duration }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
	graphql.FieldInterceptor
} = requestDeadline{}

func (requestDeadline) ExtensionName() string                   { return "RequestDeadline" }
func (requestDeadline) Validate(graphql.ExecutableSchema) error { return nil }

func (d requestDeadline) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if err := ctx.Err(); err != nil { // parsing and validation used the time up
		return graphql.OneShot(d.refuse(ctx, err))
	}
	responses := next(ctx)
	answered := false
	return func(ctx context.Context) *graphql.Response {
		if answered {
			return nil // the timeout ended the stream
		}
		// gqlgen answers nothing (an empty body) for a context done before
		// execution, and partial data for one done during it.
		if err := ctx.Err(); err != nil {
			answered = true
			return d.refuse(ctx, err)
		}
		resp := responses(ctx)
		if err := ctx.Err(); err != nil {
			answered = true
			return d.refuse(ctx, err)
		}
		return resp
	}
}

// InterceptField keeps resolvers (and model methods, which load too) from
// starting once the context is done; plain fields of data already loaded
// go on, as they cost next to nothing and the answer is replaced anyway.
func (d requestDeadline) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	if err := ctx.Err(); err != nil {
		if fc := graphql.GetFieldContext(ctx); fc != nil && (fc.IsResolver || fc.IsMethod) {
			return nil, d.error(err)
		}
	}
	return next(ctx)
}

// error is the TIMEOUT for a request whose context ended with err.
func (d requestDeadline) error(err error) *domain.Error {
	if errors.Is(err, context.Canceled) {
		return domain.Timeout(err, "the request was cancelled before it was answered")
	}
	return domain.Timeout(err, fmt.Sprintf("the request took longer than the server allows (%s) and was stopped; "+
		"ask for less: smaller pages (first), fewer nested lists, fewer hops (maxHops) or a shorter distance (withinKm)", d.timeout))
}

// refuse records the timeout and answers it as the whole response.
func (d requestDeadline) refuse(ctx context.Context, err error) *graphql.Response {
	if errors.Is(err, context.DeadlineExceeded) {
		telemetry.RequestFrom(ctx).Refuse(telemetry.RefusedTimeout)
	}
	return errorResponse(d.error(err))
}

// errorResponse is a response of one error and no data, for a limit that
// replaces the whole answer.
func errorResponse(e *domain.Error) *graphql.Response {
	return &graphql.Response{Errors: gqlerror.List{{Message: e.Message, Extensions: map[string]any{"code": e.Code}}}}
}
