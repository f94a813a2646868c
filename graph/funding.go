package graph

import (
	"context"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/graph/loader"
	"github.com/citygraph/citygraph/graph/model"
)

// fundingTotals answers fundingTotals for q grouped by groupBy: one
// dimension as before, several at once as q.Dimensions. The nodes its
// groups name are read with one more plan.
func (r *Resolver) fundingTotals(ctx context.Context, groupBy []domain.FundingGroup, q domain.FundingQuery) ([]*model.FundingTotal, error) {
	switch len(groupBy) {
	case 0:
		return nil, domain.Errorf(domain.EINVALID, "groupBy is empty; give one dimension or several, from %v", domain.FundingGroups)
	case 1:
		q.GroupBy = groupBy[0]
	default:
		q.Dimensions = groupBy
	}
	ts, err := r.Store.FundingTotals(ctx, q)
	if err != nil {
		return nil, err
	}
	r.planNamed(ctx, namedInFunding(ts, groupBy)...)
	out := make([]*model.FundingTotal, len(ts))
	for i, t := range ts {
		out[i] = &model.FundingTotal{FundingTotal: t, GroupBy: groupBy[0], Dims: groupBy}
	}
	return out, nil
}

// fundingGroupKinds are the groupings whose groups are nodes, and their kind.
var fundingGroupKinds = map[domain.FundingGroup]domain.Kind{
	domain.GroupByFundingBody: domain.KindFundingBody,
	domain.GroupByCountry:     domain.KindCountry,
	domain.GroupByCity:        domain.KindCity,
}

// fundingGroupName names a funding total's group where it is a node.
func (r *Resolver) fundingGroupName(ctx context.Context, t *model.FundingTotal) (*string, error) {
	return r.groupName(ctx, t.GroupBy, t.Group)
}

// groupName names a group of dimension by where it is a node.
func (r *Resolver) groupName(ctx context.Context, by domain.FundingGroup, group string) (*string, error) {
	k, isNode := fundingGroupKinds[by]
	if !isNode || group == "" {
		return nil, nil
	}
	n, err := loader.For(ctx).Node(ctx, domain.NodeKey{Kind: k, ID: group})
	if err != nil || n == nil {
		return nil, err
	}
	return &n.Base().Name, nil
}
