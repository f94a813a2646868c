package graph

import (
	"context"

	"github.com/citygraph/citygraph/domain"
)

// The count arguments of the change log's fields.
var (
	changesCount = domain.Count{Name: "first", Default: 100, Max: domain.MaxPageSize, Hint: "read on with after: the last set's seq"}
	historyCount = domain.Count{Name: "first", Default: 20, Max: domain.MaxPageSize}
)

// changes answers changes(after:, first:): the change log from a
// sequence number on.
func (r *Resolver) changes(ctx context.Context, after, first *int) ([]*domain.ChangeSet, error) {
	n, err := changesCount.Given(first)
	if err != nil {
		return nil, err
	}
	from := int64(0)
	if after != nil {
		if *after < 0 {
			return nil, domain.Errorf(domain.EINVALID, "after must be a sequence number, 0 or more, got %d; give 0 to read from the first change set", *after)
		}
		from = int64(*after)
	}
	wr, err := r.writer()
	if err != nil {
		return nil, err
	}
	sets, err := wr.Changes(ctx, from, n)
	return ptrs(sets), err
}

// history answers a node's history(first:).
func (r *Resolver) history(ctx context.Context, n domain.Node, first *int) ([]*domain.ChangeSet, error) {
	c, err := historyCount.Given(first)
	if err != nil {
		return nil, err
	}
	wr, err := r.writer()
	if err != nil {
		return nil, err
	}
	sets, err := wr.History(ctx, n.Key(), c)
	return ptrs(sets), err
}
