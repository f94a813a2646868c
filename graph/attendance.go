package graph

import (
	"cmp"
	"context"
	"slices"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/graph/loader"
	"github.com/citygraph/citygraph/graph/model"
)

// Attendance by country, composed from several relation reads through the
// loaders. The planner plans every one of those reads (plan.go:
// attendanceByCountry, attendingMemberCountries), so with a plan they make
// no store call.

// The relations the composite fields read, from the table of relation
// fields, so that they and their plans (plan.go) ask the same queries.
func seatQuery() domain.EdgeQuery      { return tableQuery("Organization", "seat", nil) }
func countryQuery() domain.EdgeQuery   { return tableQuery("City", "country", nil) }
func attendeesQuery() domain.EdgeQuery { return tableQuery("Forum", "attendees", nil) }
func attendingCitiesQuery() domain.EdgeQuery {
	return tableQuery("Forum", "attendees", args{"kind": "CITY"}) // the NodeKind enum value
}
func membersQuery() domain.EdgeQuery { return tableQuery("FundingBody", "members", nil) }

// countriesOf returns the country key of an attendee: a city's country, or
// the country of an organisation's seat; ok is false when unknown.
func countriesOf(ctx context.Context, attendees []domain.NodeKey) (map[domain.NodeKey]domain.NodeKey, error) {
	l := loader.For(ctx)
	out := map[domain.NodeKey]domain.NodeKey{}
	cityOf := map[domain.NodeKey]domain.NodeKey{}
	for _, a := range attendees {
		switch a.Kind {
		case domain.KindCity:
			cityOf[a] = a
		case domain.KindOrganization:
			p, err := l.Edges(ctx, seatQuery(), a)
			if err != nil {
				return nil, err
			}
			if len(p.Items) > 0 {
				cityOf[a] = p.Items[0].To
			}
		}
	}
	for a, c := range cityOf {
		p, err := l.Edges(ctx, countryQuery(), c)
		if err != nil {
			return nil, err
		}
		if len(p.Items) > 0 {
			out[a] = p.Items[0].To
		}
	}
	return out, nil
}

// attendanceByCountry groups a forum's attendees by country, countries by
// name, attendees by name; the unknown country comes last.
func (r *Resolver) attendanceByCountry(ctx context.Context, f *domain.Forum) ([]*model.CountryAttendance, error) {
	l := loader.For(ctx)
	edges, err := l.AllEdges(ctx, attendeesQuery(), f.Key())
	if err != nil {
		return nil, err
	}
	attendees := make([]domain.NodeKey, len(edges))
	for i := range edges {
		attendees[i] = edges[i].From
	}
	country, err := countriesOf(ctx, attendees)
	if err != nil {
		return nil, err
	}
	nodes, err := l.Nodes(ctx, attendees)
	if err != nil {
		return nil, err
	}
	groups := map[domain.NodeKey]*model.CountryAttendance{}
	var order []domain.NodeKey
	for i, n := range nodes {
		if n == nil {
			continue
		}
		ck := country[attendees[i]]
		g, ok := groups[ck]
		if !ok {
			g = &model.CountryAttendance{}
			if ck.ID != "" {
				g.Country, err = loader.As[*domain.Country](ctx, ck)
				if err != nil {
					return nil, err
				}
			}
			groups[ck] = g
			order = append(order, ck)
		}
		switch v := n.(type) {
		case *domain.City:
			g.Cities = append(g.Cities, v)
		case *domain.Organization:
			g.Organizations = append(g.Organizations, v)
		}
	}
	out := make([]*model.CountryAttendance, 0, len(order))
	for _, k := range order {
		out = append(out, groups[k])
	}
	slices.SortStableFunc(out, func(a, b *model.CountryAttendance) int {
		switch {
		case a.Country == nil && b.Country == nil:
			return 0
		case a.Country == nil:
			return 1
		case b.Country == nil:
			return -1
		}
		return cmp.Compare(a.Country.Name, b.Country.Name)
	})
	return out, nil
}

// attendingMemberCountries answers question 6: which member countries of
// the called-on funding body have cities that attended the calling forum.
func (r *Resolver) attendingMemberCountries(ctx context.Context, e *model.RelEdge) ([]*domain.Country, error) {
	l := loader.For(ctx)
	forum, body := e.Anchor, e.Other()
	if forum.Kind != domain.KindForum {
		forum, body = body, forum
	}
	members, err := l.AllEdges(ctx, membersQuery(), body)
	if err != nil {
		return nil, err
	}
	attended, err := l.AllEdges(ctx, attendingCitiesQuery(), forum)
	if err != nil {
		return nil, err
	}
	cities := make([]domain.NodeKey, len(attended))
	for i := range attended {
		cities[i] = attended[i].From
	}
	country, err := countriesOf(ctx, cities)
	if err != nil {
		return nil, err
	}
	present := map[domain.NodeKey]bool{}
	for _, c := range country {
		present[c] = true
	}
	var keys []domain.NodeKey
	for _, m := range members {
		if present[m.From] {
			keys = append(keys, m.From)
		}
	}
	nodes, err := l.Nodes(ctx, keys)
	return loader.AllAs[*domain.Country](nodes), err
}
