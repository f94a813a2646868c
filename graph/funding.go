package graph

import (
	"context"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/graph/loader"
	"github.com/citygraph/citygraph/graph/model"
)

func fundingTotals(ts []domain.FundingTotal, g domain.FundingGroup) []*model.FundingTotal {
	out := make([]*model.FundingTotal, len(ts))
	for i, t := range ts {
		out[i] = &model.FundingTotal{FundingTotal: t, GroupBy: g}
	}
	return out
}

// fundingGroupKinds are the groupings whose groups are nodes, and their kind.
var fundingGroupKinds = map[domain.FundingGroup]domain.Kind{
	domain.GroupByFundingBody: domain.KindFundingBody,
	domain.GroupByCountry:     domain.KindCountry,
	domain.GroupByCity:        domain.KindCity,
}

// fundingGroupName names a funding total's group where it is a node.
func (r *Resolver) fundingGroupName(ctx context.Context, t *model.FundingTotal) (*string, error) {
	k, isNode := fundingGroupKinds[t.GroupBy]
	if !isNode || t.Group == "" {
		return nil, nil
	}
	n, err := loader.For(ctx).Node(ctx, domain.NodeKey{Kind: k, ID: t.Group})
	if err != nil || n == nil {
		return nil, err
	}
	return &n.Base().Name, nil
}
