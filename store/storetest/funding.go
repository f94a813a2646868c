package storetest

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/synth"
)

var fundingTests = []test{
	{"fixture: totals by funding body in USD match the financings", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, b := withFixture(t, open)
		want := map[string]domain.Decimal{}
		for _, e := range b.Edges {
			if e.Kind == domain.EdgeFinanced && e.Amount.Currency == "USD" {
				want[e.From.ID] += e.Amount.Amount
			}
		}
		got := must[[]domain.FundingTotal](t)(s.FundingTotals(context.Background(), domain.FundingQuery{GroupBy: domain.GroupByFundingBody, Currency: "USD"}))
		if len(got) != len(want) {
			t.Fatalf("got %d groups %+v, want %d", len(got), got, len(want))
		}
		for _, g := range got {
			if g.Amount != want[g.Group] {
				t.Errorf("%s: got %s USD, want %s", g.Group, g.Amount, want[g.Group])
			}
		}
		// AIIB: 40m + 207.6m + 33m + 20m + 216.5m.
		if got[1].Group != "aiib" || got[1].Amount.String() != "517100000" || got[1].Projects != 5 {
			t.Errorf("got %+v, want AIIB with USD 517,100,000 over 5 projects", got[1])
		}
	}},
	{"fixture: a project in two cities counts in each and once in its country", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, _ := withFixture(t, open)
		byCity := must[[]domain.FundingTotal](t)(s.FundingTotals(context.Background(), domain.FundingQuery{GroupBy: domain.GroupByCity, Country: "KH"}))
		want := []domain.FundingTotal{
			{Group: "phnom-penh", Currency: "USD", Amount: 33_000_000_00, Projects: 1, Financings: 1},
			{Group: "siem-reap", Currency: "USD", Amount: 83_000_000_00, Projects: 2, Financings: 2},
		}
		eqValue(t, "Cambodian cities", byCity, want)
		byCountry := must[[]domain.FundingTotal](t)(s.FundingTotals(context.Background(), domain.FundingQuery{GroupBy: domain.GroupByCountry, Country: "KH"}))
		eqValue(t, "Cambodia", byCountry, []domain.FundingTotal{{Group: "KH", Currency: "USD", Amount: 153_000_000_00, Projects: 3, Financings: 3}})
	}},
	{"synthetic graph: every grouping and filter matches plain sums", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, o := withSynth(t, open)
		var qs []domain.FundingQuery
		for _, g := range domain.FundingGroups {
			qs = append(qs,
				domain.FundingQuery{GroupBy: g},
				domain.FundingQuery{GroupBy: g, Currency: "CNY"},
				domain.FundingQuery{GroupBy: g, FundingBody: synth.FundingBodies[0], From: "2015", To: "2019"},
				domain.FundingQuery{GroupBy: g, Country: synth.Country(1)},
				domain.FundingQuery{GroupBy: g, Sector: domain.SectorWater, Currency: "USD"},
				domain.FundingQuery{GroupBy: g, City: synthCity(7)},
				domain.FundingQuery{GroupBy: g, From: "2020-06"},
				domain.FundingQuery{GroupBy: g, To: "2012-03"},
			)
		}
		answered := 0
		defer func() { wantMostAnswered(t, answered, len(qs)) }()
		for _, q := range qs {
			t.Run(fmt.Sprintf("%+v", q), func(t *testing.T) {
				got := must[[]domain.FundingTotal](t)(s.FundingTotals(context.Background(), q))
				want := o.funding(q)
				answered += min(len(want), 1)
				eqValue(t, "totals", got, want)
			})
		}
	}},
	{"synthetic graph: totals bring the nodes their groups name, in the fields asked", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, o := withSynth(t, open)
		names := &domain.Projection{Nodes: map[domain.Kind][]string{}}
		for _, k := range domain.Kinds {
			names.Nodes[k] = []string{"name"}
		}
		some := &domain.Projection{Nodes: map[domain.Kind][]string{domain.KindCity: {"name", "population", "location"},
			domain.KindFundingBody: {"acronym", "capital"}}}
		cases := []struct {
			name   string
			q      domain.FundingQuery
			fields *domain.Projection
		}{
			{"countries by name", domain.FundingQuery{GroupBy: domain.GroupByCountry, FundingBody: synth.FundingBodies[0]}, names},
			{"cities, some fields", domain.FundingQuery{GroupBy: domain.GroupByCity, Country: synth.Country(1)}, some},
			{"funding bodies whole", domain.FundingQuery{GroupBy: domain.GroupByFundingBody, Currency: "USD"}, nil},
			{"sectors name no node", domain.FundingQuery{GroupBy: domain.GroupBySector}, names},
			{"body, year and city at once", domain.FundingQuery{Dimensions: []domain.FundingGroup{domain.GroupByFundingBody,
				domain.GroupByYear, domain.GroupByCity}, Country: synth.Country(2)}, some},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				plain := must[[]domain.FundingTotal](t)(s.FundingTotals(context.Background(), tc.q))
				q := tc.q
				q.GroupNodes, q.GroupFields = true, tc.fields
				got := must[[]domain.FundingTotal](t)(s.FundingTotals(context.Background(), q))
				if len(plain) == 0 {
					t.Fatalf("%+v has no totals; the case checks nothing", tc.q)
				}
				// The totals are those asked without the nodes; the nodes
				// are the oracle's, in the fields listed.
				dims := q.Grouped()
				bare := make([]domain.FundingTotal, len(got))
				named := 0
				for i, g := range got {
					bare[i] = g
					bare[i].Nodes = nil
					if len(g.Nodes) != len(dims) {
						t.Fatalf("total %+v has %d nodes, want one per dimension (%d)", g, len(g.Nodes), len(dims))
					}
					for j, d := range dims {
						var want domain.Node
						if k, ok := domain.GroupKey(d, g.GroupIn(j)); ok {
							want = o.nodes[k]
						}
						if want != nil {
							named++
						}
						eqValue(t, fmt.Sprintf("the node of group %q in dimension %s", g.GroupIn(j), d),
							projectNode(g.Nodes[j], tc.fields), projectNode(want, tc.fields))
					}
				}
				eqValue(t, "totals", bare, plain)
				if _, isNode := dims[0].Kind(); isNode && named == 0 {
					t.Errorf("no total named a node; the case checks nothing")
				}
			})
		}
	}},
	{"rejects bad queries", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, _ := withFixture(t, open)
		for name, q := range map[string]domain.FundingQuery{
			"an unknown currency":    {GroupBy: domain.GroupByCity, Currency: "XYZ"},
			"an unknown grouping":    {GroupBy: "planet"},
			"an unknown sector":      {GroupBy: domain.GroupByCity, Sector: "mining"},
			"a reversed range":       {GroupBy: domain.GroupByYear, From: "2020", To: "2019"},
			"a date that is not one": {GroupBy: domain.GroupByYear, From: "20"},
			"a group field the kind has not": {GroupBy: domain.GroupByCity, GroupNodes: true,
				GroupFields: &domain.Projection{Nodes: map[domain.Kind][]string{domain.KindCity: {"acronym"}}}},
		} {
			t.Run(name, func(t *testing.T) {
				_, err := s.FundingTotals(context.Background(), q)
				wantCode(t, err, domain.EINVALID)
			})
		}
	}},
}

// projectPlaces returns the cities a project is located in and the
// countries it is in, directly or through those cities.
func (o *oracle) projectPlaces(project string) (cities, countries []string) {
	for _, e := range o.edges {
		if e.Kind != domain.EdgeLocatedIn || e.From.ID != project {
			continue
		}
		if e.To.Kind == domain.KindCity {
			cities = append(cities, e.To.ID)
			countries = append(countries, o.cityCountry[e.To.ID]...)
		} else {
			countries = append(countries, e.To.ID)
		}
	}
	slices.Sort(cities)
	slices.Sort(countries)
	return slices.Compact(cities), slices.Compact(countries)
}

func (o *oracle) funding(q domain.FundingQuery) []domain.FundingTotal {
	type gk struct {
		group string
		cur   domain.Currency
	}
	totals := map[gk]*domain.FundingTotal{}
	projects := map[gk]map[string]bool{}
	for _, e := range o.edges {
		if e.Kind != domain.EdgeFinanced {
			continue
		}
		p := o.nodes[e.To].(*domain.Project)
		cities, countries := o.projectPlaces(p.ID)
		if (q.FundingBody != "" && e.From.ID != q.FundingBody) || (q.Sector != "" && p.Sector != q.Sector) ||
			(q.Currency != "" && e.Amount.Currency != q.Currency) || !e.Since.InRange(q.From, q.To) ||
			(q.Country != "" && !slices.Contains(countries, q.Country)) || (q.City != "" && !slices.Contains(cities, q.City)) {
			continue
		}
		var groups []string
		switch q.GroupBy {
		case domain.GroupByFundingBody:
			groups = []string{e.From.ID}
		case domain.GroupByCountry:
			groups = countries
		case domain.GroupByCity:
			groups = cities
		case domain.GroupBySector:
			groups = []string{string(p.Sector)}
		case domain.GroupByYear:
			y := ""
			if e.Since.Known() {
				y = string(e.Since)[:4]
			}
			groups = []string{y}
		}
		for _, g := range groups {
			k := gk{g, e.Amount.Currency}
			if totals[k] == nil {
				totals[k] = &domain.FundingTotal{Group: g, Currency: k.cur}
				projects[k] = map[string]bool{}
			}
			totals[k].Amount += e.Amount.Amount
			totals[k].Financings++
			projects[k][p.ID] = true
		}
	}
	out := make([]domain.FundingTotal, 0, len(totals))
	for k, t := range totals {
		t.Projects = len(projects[k])
		out = append(out, *t)
	}
	slices.SortFunc(out, func(a, b domain.FundingTotal) int {
		return cmp.Or(cmp.Compare(a.Group, b.Group), cmp.Compare(a.Currency, b.Currency))
	})
	return out
}
