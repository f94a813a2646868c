package graph

import (
	"context"

	"github.com/citygraph/citygraph/domain"
)

// partLoads lists the store's loads written in parts; a store that writes
// every load in one transaction (no domain.LoadLog) has none.
func partLoads(ctx context.Context, st domain.Store, first *int) ([]*domain.Load, error) {
	n, err := domain.LoadCount.Given(first)
	if err != nil {
		return nil, err
	}
	log, ok := st.(domain.LoadLog)
	if !ok {
		return []*domain.Load{}, nil
	}
	loads, err := log.Loads(ctx, n)
	if err != nil {
		return nil, err
	}
	out := make([]*domain.Load, len(loads))
	for i := range loads {
		out[i] = &loads[i]
	}
	return out, nil
}
