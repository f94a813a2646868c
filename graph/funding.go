package graph

import (
	"context"
	"slices"

	"github.com/99designs/gqlgen/graphql"
	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/graph/loader"
	"github.com/citygraph/citygraph/graph/model"
)

// fundingTotals answers fundingTotals for q grouped by groupBy: one
// dimension as before, several at once as q.Dimensions. The nodes its
// groups name, where the selection shows them, come with the totals, so
// the field costs one store call.
func (r *Resolver) fundingTotals(ctx context.Context, groupBy []domain.FundingGroup, q domain.FundingQuery) ([]*model.FundingTotal, error) {
	switch len(groupBy) {
	case 0:
		return nil, domain.Errorf(domain.EINVALID, "groupBy is empty; give one dimension or several, from %v", domain.FundingGroups)
	case 1:
		q.GroupBy = groupBy[0]
	default:
		q.Dimensions = groupBy
	}
	q.GroupNodes, q.GroupFields = r.groupNodesAsked(ctx, groupBy)
	ts, err := r.Store.FundingTotals(ctx, q)
	if err != nil {
		return nil, err
	}
	if q.GroupNodes {
		answerGroupNodes(ctx, ts, q.Grouped())
	}
	out := make([]*model.FundingTotal, len(ts))
	for i, t := range ts {
		out[i] = &model.FundingTotal{FundingTotal: t, GroupBy: groupBy[0], Dims: groupBy}
	}
	return out, nil
}

// fundingGroupName names a funding total's group where it is a node.
func (r *Resolver) fundingGroupName(ctx context.Context, t *model.FundingTotal) (*string, error) {
	return r.groupName(ctx, t.GroupBy, t.Group)
}

// groupName names a group of dimension by where it is a node.
func (r *Resolver) groupName(ctx context.Context, by domain.FundingGroup, group string) (*string, error) {
	k, isNode := domain.GroupKey(by, group)
	if !isNode {
		return nil, nil
	}
	n, err := loader.For(ctx).Node(ctx, k)
	if err != nil || n == nil {
		return nil, err
	}
	return &n.Base().Name, nil
}

// groupNodesAsked says whether the fundingTotals field's selection shows
// the nodes its groups name (groupName, at the top or under groups) in a
// dimension whose groups are nodes, and what to read of them: the
// operation's fields, as its plan reads them, so that the loaders hold the
// same fields of a node wherever it was read.
func (r *Resolver) groupNodesAsked(ctx context.Context, groupBy []domain.FundingGroup) (bool, *domain.Projection) {
	fc := graphql.GetFieldContext(ctx)
	if r.Schema == nil || fc == nil || !slices.ContainsFunc(groupBy, func(g domain.FundingGroup) bool { _, ok := g.Kind(); return ok }) {
		return false, nil
	}
	oc := graphql.GetOperationContext(ctx)
	p := newPlanner(r.Schema, oc.Variables)
	t := fc.Field.Definition.Type.Name()
	if len(p.selectionsAt(fc.Field.Selections, t, []string{"groupName"})) == 0 &&
		len(p.selectionsAt(fc.Field.Selections, t, []string{"groups", "groupName"})) == 0 {
		return false, nil
	}
	return true, operationFields(r.Schema, oc.Operation)
}

// answerGroupNodes puts the nodes the totals brought into the request's
// loaders, so that groupName reads them there: a group that names no node
// is answered as read and not there.
func answerGroupNodes(ctx context.Context, ts []domain.FundingTotal, dims []domain.FundingGroup) {
	l, ok := loader.From(ctx)
	if !ok {
		return
	}
	a := domain.NewAnswers()
	for _, t := range ts {
		for i, d := range dims {
			if k, isNode := domain.GroupKey(d, t.GroupIn(i)); isNode && i < len(t.Nodes) {
				a.Nodes[k] = t.Nodes[i]
			}
		}
	}
	l.Answer(a)
}
