package graph

import (
	"context"
	"log/slog"

	"github.com/99designs/gqlgen/graphql"
	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/graph/loader"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// runPlan answers a query operation with one store call: it plans the
// operation (planOperation), runs the plan when the store is a
// domain.PlanRunner, and writes the response from the answers when it
// can (respondFromPlan); otherwise it puts the answers into the request's
// loaders before any resolver runs, so resolvers read them instead of the
// store.
// A store that cannot run plans is read through the loaders, field by
// field, as before.
type runPlan struct {
	store  domain.Store
	schema *ast.Schema
	log    *slog.Logger
	writer planWriter
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
} = runPlan{}

func (runPlan) ExtensionName() string                   { return "RunPlan" }
func (runPlan) Validate(graphql.ExecutableSchema) error { return nil }

func (p runPlan) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	runner, ok := p.store.(domain.PlanRunner)
	l, hasLoaders := loader.From(ctx)
	oc := graphql.GetOperationContext(ctx)
	if !ok || !hasLoaders || oc == nil || ctx.Err() != nil {
		return next(ctx)
	}
	plan := planOperation(p.schema, oc.Operation, oc.Variables)
	if len(plan.Roots) == 0 || plan.Normalize() != nil {
		return next(ctx)
	}
	answers, err := runner.Run(ctx, plan)
	switch domain.ErrorCode(err) {
	case "":
		l.Answer(answers)
		if data, ok := p.writer.write(ctx, oc, answers); ok {
			return graphql.OneShot(&graphql.Response{Data: data})
		}
	case domain.EINVALID, domain.ETIMEOUT:
		// A query the planner should not have let through: the resolvers
		// read it field by field and report the error where it belongs.
		// A timeout is answered by requestDeadline, around this.
		if domain.ErrorCode(err) == domain.EINVALID {
			p.log.WarnContext(ctx, "the store refused a plan; reading field by field", "err", err)
		}
	default:
		// The store cannot answer now: reading field by field would only
		// fail again, once per field.
		p.log.ErrorContext(ctx, "running the request's plan failed", "err", err)
		return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{{Message: domain.ErrorMessage(err),
			Extensions: map[string]any{"code": domain.ErrorCode(err)}}}})
	}
	return next(ctx)
}
