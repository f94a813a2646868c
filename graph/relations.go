package graph

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql"
	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/graph/loader"
	"github.com/citygraph/citygraph/graph/model"
	"github.com/vektah/gqlparser/v2/ast"
)

// relationShape is how a field shows the relations it reads.
type relationShape int

const (
	// shapeConnection is a page of relations (PartnershipConnection, …).
	shapeConnection relationShape = iota
	// shapeNodes is a page of the nodes at the far ends (a country's
	// cities): the relation page, its cursors, and those nodes.
	shapeNodes
	// shapeOne is the node at the far end of a one-to-one link (a city's
	// country): the first relation, First 1.
	shapeOne
	// shapeList is every node at the far ends, as a plain list (a forum's
	// agreements): every relation, not one page.
	shapeList
)

// relationField says how a field that reads relations turns its arguments
// into the store's query. The resolvers and the planner both read this
// table, so a field's query is built in one place.
type relationField struct {
	shape relationShape
	// query builds the field's relation query from its arguments; the page
	// is part of it for the paged shapes.
	query func(a args) (domain.EdgeQuery, error)
}

// relationFields holds every field that reads relations, by object type
// and field name. Fields that read other nodes but are not in it, and how
// they are read:
//   - Forum.attendanceByCountry and AppealEdge.attendingMemberCountries
//     compose several relations (attendance.go); the planner adds their reads
//     to the operation's plan (plan.go), built from this table's queries.
//   - The nodes an analytic's answer names (Path.cities, Hop.from/to,
//     Link.via, RankedCity.city, NearCity.city, SearchHit.node,
//     Suggestion.city and shared*, Subgraph.nodes) are known only once the
//     analytic has answered: they are read with a second plan, one store
//     call per analytic field (namedplan.go). FundingTotal.groupName's
//     nodes come with the totals themselves (funding.go).
//   - PartnershipEdge.through names a node by a relation's property, which
//     a plan cannot follow: it is read through the loaders, one store call
//     per partnership through an organisation, bounded by the page sizes the
//     cost analysis allows (graph/cost.go).
var relationFields = map[string]map[string]relationField{
	"Agreement": {
		"adoptedBy": allOf(domain.EdgeAdopted, domain.In),
		"signatories": conn(func(a args) domain.EdgeQuery {
			return domain.EdgeQuery{Kind: domain.EdgeSigned, Direction: domain.In, OtherCountry: a.str("country")}
		}),
	},
	"City": {
		"country": oneLink(domain.EdgeInCountry, domain.Out),
		"partners": {shape: shapeConnection, query: func(a args) (domain.EdgeQuery, error) {
			q := domain.EdgeQuery{Kind: domain.EdgePartnerOf, OtherCountry: a.str("country")}
			var err error
			q.PartnershipKind, err = argAs[domain.PartnershipKind](a, "kind", err)
			q.AsOf, err = argAs[domain.Date](a, "asOf", err)
			order, err := argAs[model.PartnershipOrder](a, "orderBy", err)
			if order == model.PartnershipOrderSince {
				q.Order = domain.OrderBySince
			}
			q.OrderBy = a.orderKeys("sortBy")
			return paged(q, a, err)
		}},
		"forumsAttended":   conn(edgesOf(domain.EdgeAttended, domain.Out)),
		"agreementsSigned": conn(edgesOf(domain.EdgeSigned, domain.Out)),
		"organizations":    farNodes(domain.EdgeSeatedIn, domain.In),
		"projects":         farNodes(domain.EdgeLocatedIn, domain.In),
	},
	"Country": {
		"memberships": connAsOf(domain.EdgeMemberOf, domain.Out),
		"cities":      farNodes(domain.EdgeInCountry, domain.In),
	},
	"Event": {
		"heldIn": oneLink(domain.EdgeHeldIn, domain.Out),
	},
	"Forum": {
		"series":   oneLink(domain.EdgeEditionOf, domain.Out),
		"hostCity": oneLink(domain.EdgeHeldIn, domain.Out),
		"partOf":   oneLink(domain.EdgePartOf, domain.Out),
		"organisers": {shape: shapeConnection, query: func(a args) (domain.EdgeQuery, error) {
			q := domain.EdgeQuery{Kind: domain.EdgeOrganised, Direction: domain.In}
			var err error
			q.Role, err = argAs[domain.Role](a, "role", err)
			return paged(q, a, err)
		}},
		"attendees": {shape: shapeConnection, query: func(a args) (domain.EdgeQuery, error) {
			q := domain.EdgeQuery{Kind: domain.EdgeAttended, Direction: domain.In, OtherCountry: a.str("country")}
			kind, err := argAs[domain.Kind](a, "kind", nil)
			if kind != "" {
				q.OtherKinds = []domain.Kind{kind}
			}
			return paged(q, a, err)
		}},
		"topics": conn(func(args) domain.EdgeQuery {
			return domain.EdgeQuery{Kind: domain.EdgeDiscussed, Direction: domain.Out, Order: domain.OrderByPosition}
		}),
		"agreements":  allOf(domain.EdgeAdopted, domain.Out),
		"calledOn":    conn(edgesOf(domain.EdgeCalledOn, domain.Out)),
		"initiatives": allOf(domain.EdgeRefersTo, domain.Out),
	},
	"ForumSeries": {
		"editions": farNodes(domain.EdgeEditionOf, domain.In),
	},
	"FundingBody": {
		"headquarters": oneLink(domain.EdgeHeadquarteredIn, domain.Out),
		"members":      connAsOf(domain.EdgeMemberOf, domain.In),
		"financings":   connAsOf(domain.EdgeFinanced, domain.Out),
		"calledOnBy":   conn(edgesOf(domain.EdgeCalledOn, domain.In)),
	},
	"Grouping": {
		"members": connAsOf(domain.EdgeMemberOf, domain.In),
	},
	"Organization": {
		"seat":            oneLink(domain.EdgeSeatedIn, domain.Out),
		"forumsOrganised": conn(edgesOf(domain.EdgeOrganised, domain.Out)),
		"forumsAttended":  conn(edgesOf(domain.EdgeAttended, domain.Out)),
	},
	"Project": {
		"locations":  allOf(domain.EdgeLocatedIn, domain.Out),
		"financings": conn(edgesOf(domain.EdgeFinanced, domain.In)),
	},
}

// edgesOf is a query of one kind and direction with no arguments but the page.
func edgesOf(k domain.EdgeKind, d domain.Direction) func(args) domain.EdgeQuery {
	return func(args) domain.EdgeQuery { return domain.EdgeQuery{Kind: k, Direction: d} }
}

// conn is a connection whose only arguments besides the base query are the page (first, after, last, before).
func conn(base func(args) domain.EdgeQuery) relationField {
	return relationField{shape: shapeConnection, query: func(a args) (domain.EdgeQuery, error) { return paged(base(a), a, nil) }}
}

// connAsOf is a connection filtered by the asOf argument.
func connAsOf(k domain.EdgeKind, d domain.Direction) relationField {
	return relationField{shape: shapeConnection, query: func(a args) (domain.EdgeQuery, error) {
		q := domain.EdgeQuery{Kind: k, Direction: d}
		var err error
		q.AsOf, err = argAs[domain.Date](a, "asOf", err)
		return paged(q, a, err)
	}}
}

// farNodes is a page of the nodes at the far ends.
func farNodes(k domain.EdgeKind, d domain.Direction) relationField {
	return relationField{shape: shapeNodes, query: func(a args) (domain.EdgeQuery, error) {
		return paged(domain.EdgeQuery{Kind: k, Direction: d}, a, nil)
	}}
}

// oneLink is a one-to-one link.
func oneLink(k domain.EdgeKind, d domain.Direction) relationField {
	return relationField{shape: shapeOne, query: func(args) (domain.EdgeQuery, error) {
		return domain.EdgeQuery{Kind: k, Direction: d, Page: domain.Page{First: 1, NoTotal: true}}, nil
	}}
}

// allOf is every far end, as a list.
func allOf(k domain.EdgeKind, d domain.Direction) relationField {
	return relationField{shape: shapeList, query: func(args) (domain.EdgeQuery, error) {
		return domain.EdgeQuery{Kind: k, Direction: d}, nil
	}}
}

// paged adds the page the arguments ask for, unless err is already set.
func paged(q domain.EdgeQuery, a args, err error) (domain.EdgeQuery, error) {
	if err != nil {
		return q, err
	}
	if keys := a.orderKeys("orderBy"); keys != nil {
		q.OrderBy = keys
	}
	q.Page, err = a.page()
	return q, err
}

// tableQuery is the query of a field of the table with the given
// arguments; the composite fields use it. The table is fixed, so an error
// is a programming error.
func tableQuery(object, field string, a args) domain.EdgeQuery {
	q, err := relationFields[object][field].query(a)
	if err != nil {
		panic(fmt.Sprintf("relation field %s.%s: %v", object, field, err))
	}
	return q
}

// relationOf returns the table's entry for the field being resolved and
// its query, built from the field's arguments and selection once per
// request. The selection is part of the key: a field of a fragment is one
// *ast.Field wherever the fragment is spread, but the selection merged
// with its siblings may ask for totalCount in one place and not another.
func relationOf(ctx context.Context) (relationField, loader.Query, error) {
	fc := graphql.GetFieldContext(ctx)
	type prepared struct {
		rf  relationField
		q   loader.Query
		err error
	}
	type key struct {
		field                     *ast.Field
		total, noItems, noCursors bool
		aggregate                 string
	}
	vars := graphql.GetOperationContext(ctx).Variables
	total, noItems := asksTotal(fc.Field.Selections, vars), totalOnly(fc.Field.Selections, vars)
	noCursors := !asksCursors(fc.Field.Selections, vars)
	agg := asksAggregate(fc.Field.Selections, vars)
	aggKey := "" // printed only when asked: this runs for every anchor
	if agg.Wanted() {
		aggKey = fmt.Sprintf("%+v", agg)
	}
	p := loader.For(ctx).Memo(key{fc.Field.Field, total, noItems, noCursors, aggKey}, func() any {
		rf, ok := relationFields[fc.Object][fc.Field.Name]
		if !ok {
			return prepared{err: domain.Errorf(domain.EINTERNAL, "%s.%s is not in the table of relation fields", fc.Object, fc.Field.Name)}
		}
		q, err := rf.queryFor(fieldArgs(ctx), total)
		if err != nil {
			return prepared{err: err}
		}
		if rf.shape == shapeConnection || rf.shape == shapeNodes {
			q.Page.NoItems = noItems
			q.Page.NoCursors = noCursors
		}
		q.Aggregate = agg
		pq, err := loader.Prepare(q)
		return prepared{rf: rf, q: pq, err: err}
	}).(prepared)
	return p.rf, p.q, p.err
}

// relations answers a connection of anchor's relations.
func relations(ctx context.Context, anchor domain.Node) (*model.RelConnection, error) {
	_, q, err := relationOf(ctx)
	if err != nil {
		return nil, err
	}
	p, err := loader.For(ctx).Page(ctx, q, anchor.Key())
	if err != nil {
		return nil, err
	}
	return &model.RelConnection{Anchor: anchor.Key(), Page: p}, nil
}

// nodesVia answers a node list that is really the far ends of relations
// (a country's cities): the relation page, with its cursors, and the
// nodes at their far ends.
func nodesVia(ctx context.Context, anchor domain.Node) (*model.NodeConnection, error) {
	_, q, err := relationOf(ctx)
	if err != nil {
		return nil, err
	}
	l := loader.For(ctx)
	p, err := l.Page(ctx, q, anchor.Key())
	if err != nil {
		return nil, err
	}
	nodes, err := l.Others(ctx, anchor.Key(), p.Items)
	if err != nil {
		return nil, err
	}
	np := domain.NodePage{TotalCount: p.TotalCount, HasNextPage: p.HasNextPage, HasPreviousPage: p.HasPreviousPage, Aggregates: p.Aggregates}
	for i, n := range nodes {
		if n != nil {
			np.Items = append(np.Items, n)
			if i < len(p.Cursors) { // none when the selection reads none (Page.NoCursors)
				np.Cursors = append(np.Cursors, p.Cursors[i])
			}
		}
	}
	return &model.NodeConnection{Page: np}, nil
}

// relatedList answers a plain list of the nodes at the far end of anchor's relations.
func relatedList[T domain.Node](ctx context.Context, anchor domain.Node) ([]T, error) {
	_, q, err := relationOf(ctx)
	if err != nil {
		return nil, err
	}
	l := loader.For(ctx)
	edges, err := l.All(ctx, q, anchor.Key())
	if err != nil {
		return nil, err
	}
	nodes, err := l.Others(ctx, anchor.Key(), edges)
	return loader.AllAs[T](nodes), err
}

// related answers a one-to-one link (a city's country).
func related[T domain.Node](ctx context.Context, anchor domain.Node) (T, error) {
	var zero T
	_, q, err := relationOf(ctx)
	if err != nil {
		return zero, err
	}
	n, err := loader.For(ctx).One(ctx, q, anchor.Key())
	if err != nil || n == nil {
		return zero, err
	}
	t, _ := n.(T)
	return t, nil
}
