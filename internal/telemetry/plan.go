package telemetry

import (
	"context"

	"github.com/citygraph/citygraph/domain"
)

// withPlans returns decorated with Run, counted and traced like every call,
// when st runs plans (domain.PlanRunner): the GraphQL layer then answers a
// request with one store call. Otherwise decorated as it is.
func withPlans(decorated domain.Store, st domain.Store) domain.Store {
	run, ok := st.(domain.PlanRunner)
	if !ok {
		return decorated
	}
	switch d := decorated.(type) {
	case *storeWithLoadLog:
		return &storeWithLoadLogAndPlans{storeWithLoadLog: d, plans: plans{t: d.t, run: run}}
	case *store:
		return &storeWithPlans{store: d, plans: plans{t: d.t, run: run}}
	}
	return decorated
}

// plans is the decorated Run.
type plans struct {
	t   *Telemetry
	run domain.PlanRunner
}

func (p plans) Run(ctx context.Context, plan *domain.Plan) (*domain.Answers, error) {
	return observe(ctx, p.t, "Run", func(ctx context.Context) (*domain.Answers, error) {
		return p.run.Run(ctx, plan)
	}, keys(len(plan.Roots)))
}

type storeWithPlans struct {
	*store
	plans
}

type storeWithLoadLogAndPlans struct {
	*storeWithLoadLog
	plans
}

var (
	_ domain.PlanRunner = (*storeWithPlans)(nil)
	_ domain.PlanRunner = (*storeWithLoadLogAndPlans)(nil)
	_ domain.LoadLog    = (*storeWithLoadLogAndPlans)(nil)
)
