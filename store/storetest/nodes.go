package storetest

import (
	"context"
	"slices"
	"testing"

	"github.com/citygraph/citygraph/domain"
)

var nodesTests = []test{
	{"returns nodes in the order asked with nil for missing ones", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, _ := withFixture(t, open)
		keys := []domain.NodeKey{fbKey("aiib"), cityKey("atlantis"), cityKey("nanning"), countryKey("CN"), orgKey("nanning")}
		got := must[[]domain.Node](t)(s.Nodes(context.Background(), keys))
		if len(got) != len(keys) {
			t.Fatalf("got %d nodes, want %d", len(got), len(keys))
		}
		wantNames := []string{"Asian Infrastructure Investment Bank", "", "Nanning", "China", ""}
		for i, k := range keys {
			name := ""
			if got[i] != nil {
				name = got[i].Base().Name
				if got[i].Key() != k {
					t.Errorf("node %d: got key %s, want %s", i, got[i].Key(), k)
				}
			}
			if name != wantNames[i] {
				t.Errorf("node %s: got name %q, want %q", k, name, wantNames[i])
			}
		}
	}},
	{"no keys gives no nodes", func(t *testing.T, open func(*testing.T) domain.Store) {
		s := open(t)
		got := must[[]domain.Node](t)(s.Nodes(context.Background(), nil))
		if len(got) != 0 {
			t.Errorf("got %d nodes, want none", len(got))
		}
	}},
}

var listNodesTests = []test{
	{"filters and orders", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, b := withFixture(t, open)
		allCities := citySlugsByName(b, false)
		cases := []struct {
			name string
			q    domain.NodeQuery
			want []string
		}{
			{"cities by name", domain.NodeQuery{Kind: domain.KindCity}, allCities},
			{"cities by name descending", domain.NodeQuery{Kind: domain.KindCity, Desc: true}, citySlugsByName(b, true)},
			{"cities by slug", domain.NodeQuery{Kind: domain.KindCity, Order: domain.OrderByID}, sortedCopy(allCities)},
			{"cities in the Philippines", domain.NodeQuery{Kind: domain.KindCity, Filter: domain.NodeFilter{Country: "PH"}}, []string{"davao-city", "mandaluyong", "manila"}},
			{"ASEAN cities", domain.NodeQuery{Kind: domain.KindCity, Order: domain.OrderByID, Filter: domain.NodeFilter{Grouping: "asean"}},
				[]string{"bangkok", "chiang-mai", "davao-city", "ho-chi-minh-city", "ipoh", "jakarta", "mandaluyong", "manila", "penang", "phnom-penh", "siem-reap", "surabaya", "vientiane", "yangon"}},
			{"ASEAN countries", domain.NodeQuery{Kind: domain.KindCountry, Order: domain.OrderByID, Filter: domain.NodeFilter{Grouping: "asean"}},
				[]string{"ID", "KH", "LA", "MM", "MY", "PH", "TH", "VN"}},
			{"organisations seated in China", domain.NodeQuery{Kind: domain.KindOrganization, Order: domain.OrderByID, Filter: domain.NodeFilter{Country: "CN"}},
				[]string{"china-asean-expo-secretariat", "china-association-of-mayors", "guangxi-academy-of-social-sciences", "guangxi-association-of-mayors", "guangxi-honghao", "nanning-government"}},
			{"mayors' associations", domain.NodeQuery{Kind: domain.KindOrganization, Filter: domain.NodeFilter{OrgKind: domain.OrgMayorsAssociation}},
				[]string{"china-association-of-mayors", "guangxi-association-of-mayors"}},
			{"funding bodies headquartered in the Philippines", domain.NodeQuery{Kind: domain.KindFundingBody, Filter: domain.NodeFilter{Country: "PH"}}, []string{"adb"}},
			{"funding bodies headquartered in China", domain.NodeQuery{Kind: domain.KindFundingBody, Order: domain.OrderByID, Filter: domain.NodeFilter{Country: "CN"}}, []string{"aiib", "ndb", "srf"}},
			{"projects in Cambodia, directly or through a city", domain.NodeQuery{Kind: domain.KindProject, Order: domain.OrderByID, Filter: domain.NodeFilter{Country: "KH"}},
				[]string{"kh-livestock", "kh-road-network", "kh-water-supply"}},
			{"connectivity projects", domain.NodeQuery{Kind: domain.KindProject, Order: domain.OrderByID, Desc: true, Filter: domain.NodeFilter{Sector: domain.SectorConnectivity}},
				[]string{"malolos-clark-2", "malolos-clark-1", "lao-nr13-improvement", "kh-road-network"}},
			{"a country with no cities", domain.NodeQuery{Kind: domain.KindCity, Filter: domain.NodeFilter{Country: "BN"}}, nil},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				eqStrings(t, "slugs", listAll(t, s, tc.q), tc.want)
			})
		}
	}},
	{"keyset paging walks every item exactly once with the total count", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, b := withFixture(t, open)
		for _, q := range []domain.NodeQuery{
			{Kind: domain.KindCity},
			{Kind: domain.KindCity, Desc: true},
			{Kind: domain.KindCity, Order: domain.OrderByID, Desc: true},
			{Kind: domain.KindCity, Filter: domain.NodeFilter{Grouping: "asean"}},
		} {
			want := listAll(t, s, q)
			var got []string
			q.Page.First = 3
			for i := 0; ; i++ {
				p := must[domain.NodePage](t)(s.ListNodes(context.Background(), q))
				if p.TotalCount != len(want) {
					t.Errorf("%+v page %d: got totalCount %d, want %d", q, i, p.TotalCount, len(want))
				}
				if len(p.Cursors) != len(p.Items) {
					t.Fatalf("got %d cursors for %d items", len(p.Cursors), len(p.Items))
				}
				for _, n := range p.Items {
					got = append(got, n.Base().ID)
				}
				if !p.HasNextPage || i > 20 {
					break
				}
				q.Page.After = p.Cursors[len(p.Cursors)-1]
			}
			eqStrings(t, "paged slugs", got, want)
		}
		if n := len(citySlugsByName(b, false)); n != 20 {
			t.Errorf("fixture has %d cities, want 20", n)
		}
	}},
	{"rejects bad queries", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, _ := withFixture(t, open)
		for name, q := range map[string]domain.NodeQuery{
			"a cursor it never gave":        {Kind: domain.KindCity, Page: domain.Page{After: "not-a-cursor"}},
			"more than 1,000 per page":      {Kind: domain.KindCity, Page: domain.Page{First: domain.MaxPageSize + 1}},
			"more than 1,000 back":          {Kind: domain.KindCity, Page: domain.Page{Last: domain.MaxPageSize + 1}},
			"a negative last":               {Kind: domain.KindCity, Page: domain.Page{Last: -1}},
			"first and last together":       {Kind: domain.KindCity, Page: domain.Page{First: 2, Last: 2}},
			"a before cursor it never gave": {Kind: domain.KindCity, Page: domain.Page{Last: 2, Before: "not-a-cursor"}},
			"an unknown kind":               {Kind: "Planet"},
			"an unknown sector":             {Kind: domain.KindProject, Filter: domain.NodeFilter{Sector: "mining"}},
			"an unknown order":              {Kind: domain.KindCity, Order: "population"},
			"a negative page size":          {Kind: domain.KindCity, Page: domain.Page{First: -1}},
		} {
			t.Run(name, func(t *testing.T) {
				_, err := s.ListNodes(context.Background(), q)
				wantCode(t, err, domain.EINVALID)
			})
		}
	}},
}

func citySlugsByName(b *domain.Batch, desc bool) []string {
	var cs []*domain.City
	for _, n := range b.Nodes {
		if c, ok := n.(*domain.City); ok {
			cs = append(cs, c)
		}
	}
	slices.SortFunc(cs, func(a, b *domain.City) int {
		r := compareStr(a.Name, b.Name)
		if r == 0 {
			r = compareStr(a.ID, b.ID)
		}
		if desc {
			r = -r
		}
		return r
	})
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	return ids
}

func compareStr(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
