package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/graph/loader"
	"github.com/citygraph/citygraph/graph/model"
)

// lookupFields are the typed lookups of Query, city(slug:) and the like:
// the kind they find and the argument that names it.
var lookupFields = map[string]struct {
	kind domain.Kind
	arg  string
}{
	"country":      {domain.KindCountry, "code"},
	"city":         {domain.KindCity, "slug"},
	"organization": {domain.KindOrganization, "slug"},
	"fundingBody":  {domain.KindFundingBody, "slug"},
	"forum":        {domain.KindForum, "slug"},
	"agreement":    {domain.KindAgreement, "slug"},
	"project":      {domain.KindProject, "slug"},
	"source":       {domain.KindSource, "slug"},
}

// listFields are the top-level lists of Query, by field name: how their
// arguments become a node list query. The resolvers and the planner both
// read this table.
var listFields = map[string]func(a args) (domain.NodeQuery, error){
	"countries": nodeList(domain.KindCountry, func(a args) (domain.NodeFilter, error) {
		return domain.NodeFilter{Grouping: a.str("grouping")}, nil
	}),
	"cities": nodeList(domain.KindCity, func(a args) (domain.NodeFilter, error) {
		return domain.NodeFilter{Country: a.str("country"), Grouping: a.str("grouping")}, nil
	}),
	"organizations": nodeList(domain.KindOrganization, func(a args) (domain.NodeFilter, error) {
		kind, err := argAs[domain.OrgKind](a, "kind", nil)
		return domain.NodeFilter{OrgKind: kind, Country: a.str("country")}, err
	}),
	"fundingBodies": nodeList(domain.KindFundingBody, nil),
	"forums":        nodeList(domain.KindForum, nil),
	"agreements":    nodeList(domain.KindAgreement, nil),
	"projects": nodeList(domain.KindProject, func(a args) (domain.NodeFilter, error) {
		sector, err := argAs[domain.Sector](a, "sector", nil)
		return domain.NodeFilter{Country: a.str("country"), Sector: sector}, err
	}),
	"sources": nodeList(domain.KindSource, nil),
}

// nodeList builds a list's query: its filter, order and page.
func nodeList(kind domain.Kind, filter func(args) (domain.NodeFilter, error)) func(args) (domain.NodeQuery, error) {
	return func(a args) (domain.NodeQuery, error) {
		q := domain.NodeQuery{Kind: kind, Order: domain.OrderByName}
		if filter != nil {
			f, err := filter(a)
			if err != nil {
				return q, err
			}
			q.Filter = f
		}
		orderNodes(&q, a.orderKeys("orderBy"))
		var err error
		if q.Where, err = whereArg(a, domain.NodeScope(kind)); err != nil {
			return q, err
		}
		q.Page, err = a.page()
		return q, err
	}
}

// listNodes answers a top-level list field.
func listNodes(ctx context.Context) (*model.NodeConnection, error) {
	fc := graphql.GetFieldContext(ctx)
	build, ok := listFields[fc.Field.Name]
	if !ok {
		return nil, domain.Errorf(domain.EINTERNAL, "Query.%s is not in the table of lists", fc.Field.Name)
	}
	vars := graphql.GetOperationContext(ctx).Variables
	q, err := listPageQuery(build, fieldArgs(ctx), asksTotal(fc.Field.Selections, vars))
	if err != nil {
		return nil, err
	}
	q.Aggregate = asksAggregate(fc.Field.Selections, vars)
	q.Page.NoCursors = !asksCursors(fc.Field.Selections, vars)
	p, err := loader.For(ctx).ListNodes(ctx, q)
	if err != nil {
		return nil, err
	}
	return &model.NodeConnection{Page: p}, nil
}
