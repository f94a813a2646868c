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
			"a cursor it never gave": {Kind: domain.KindCity, Page: domain.Page{After: "not-a-cursor"}},
			"more than 100 per page": {Kind: domain.KindCity, Page: domain.Page{First: 101}},
			"an unknown kind":        {Kind: "Planet"},
			"an unknown sector":      {Kind: domain.KindProject, Filter: domain.NodeFilter{Sector: "mining"}},
			"an unknown order":       {Kind: domain.KindCity, Order: "population"},
			"a negative page size":   {Kind: domain.KindCity, Page: domain.Page{First: -1}},
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

var edgesTests = []test{
	{"filters, directions and orders", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, _ := withFixture(t, open)
		topic := func(id string) string { return id }
		cases := []struct {
			name   string
			q      domain.EdgeQuery
			anchor domain.NodeKey
			want   []string
		}{
			{"the 2015 forum's two hosts", domain.EdgeQuery{Kind: domain.EdgeOrganised, Direction: domain.In, Role: domain.RoleHost}, Forum2015Key,
				[]string{"china-association-of-mayors", "china-asean-expo-secretariat"}},
			{"the 2015 forum's four organisers", domain.EdgeQuery{Kind: domain.EdgeOrganised, Direction: domain.In, Role: domain.RoleOrganiser}, Forum2015Key,
				[]string{"guangxi-academy-of-social-sciences", "guangxi-association-of-mayors", "guangxi-honghao", "nanning-government"}},
			{"organisers seated in China", domain.EdgeQuery{Kind: domain.EdgeOrganised, Direction: domain.In, OtherCountry: "CN", Order: domain.OrderByOtherName}, Forum2015Key,
				[]string{"china-association-of-mayors", "china-asean-expo-secretariat", "guangxi-academy-of-social-sciences", "guangxi-association-of-mayors", "guangxi-honghao", "nanning-government"}},
			{"organisers seated in Thailand", domain.EdgeQuery{Kind: domain.EdgeOrganised, Direction: domain.In, OtherCountry: "TH"}, Forum2015Key, nil},
			{"no organised edges leave a forum", domain.EdgeQuery{Kind: domain.EdgeOrganised, Direction: domain.Out}, Forum2015Key, nil},
			{"the funding bodies the forum called on", domain.EdgeQuery{Kind: domain.EdgeCalledOn, Direction: domain.Out}, Forum2015Key,
				[]string{"adb", "aiib", "ndb", "srf"}},
			{"Nanning's partners by name", domain.EdgeQuery{Kind: domain.EdgePartnerOf}, cityKey("nanning"), []string{"davao-city", "ipoh", "yangon"}},
			{"Nanning's partners by date", domain.EdgeQuery{Kind: domain.EdgePartnerOf, Order: domain.OrderBySince}, cityKey("nanning"), []string{"ipoh", "davao-city", "yangon"}},
			{"Nanning's partners newest first", domain.EdgeQuery{Kind: domain.EdgePartnerOf, Order: domain.OrderBySince, Desc: true}, cityKey("nanning"), []string{"yangon", "davao-city", "ipoh"}},
			{"Davao City's partners include Nanning", domain.EdgeQuery{Kind: domain.EdgePartnerOf}, cityKey("davao-city"), []string{"chongqing", "nanning"}},
			{"a partnership asked with direction out is still both ways", domain.EdgeQuery{Kind: domain.EdgePartnerOf, Direction: domain.Out}, cityKey("davao-city"), []string{"chongqing", "nanning"}},
			{"Nanning's friendship cities", domain.EdgeQuery{Kind: domain.EdgePartnerOf, PartnershipKind: domain.PartnershipFriendshipCity}, cityKey("nanning"), []string{"ipoh", "yangon"}},
			{"Beijing's partners in Thailand", domain.EdgeQuery{Kind: domain.EdgePartnerOf, OtherCountry: "TH"}, cityKey("beijing"), []string{"bangkok"}},
			{"Nanning's partners as of 2006", domain.EdgeQuery{Kind: domain.EdgePartnerOf, AsOf: "2006"}, cityKey("nanning"), []string{"ipoh"}},
			{"an unknown start date counts as of any date", domain.EdgeQuery{Kind: domain.EdgePartnerOf, AsOf: "1990"}, cityKey("beijing"), []string{"jakarta"}},
			{"unknown dates sort first", domain.EdgeQuery{Kind: domain.EdgePartnerOf, Order: domain.OrderBySince}, cityKey("beijing"), []string{"jakarta", "bangkok", "manila"}},
			{"what is held in Nanning", domain.EdgeQuery{Kind: domain.EdgeHeldIn, Direction: domain.In}, cityKey("nanning"), []string{"china-asean-expo", "camf-2015"}},
			{"only forums held in Nanning", domain.EdgeQuery{Kind: domain.EdgeHeldIn, Direction: domain.In, OtherKinds: []domain.Kind{domain.KindForum}}, cityKey("nanning"), []string{"camf-2015"}},
			{"nothing is held in Nanning going out", domain.EdgeQuery{Kind: domain.EdgeHeldIn, Direction: domain.Out}, cityKey("nanning"), nil},
			{"the agenda in order", domain.EdgeQuery{Kind: domain.EdgeDiscussed, Order: domain.OrderByPosition}, Forum2015Key, []string{topic("camf-2015-connectivity"), topic("camf-2015-partnerships")}},
			{"the agenda in reverse", domain.EdgeQuery{Kind: domain.EdgeDiscussed, Order: domain.OrderByPosition, Desc: true}, Forum2015Key, []string{topic("camf-2015-partnerships"), topic("camf-2015-connectivity")}},
			{"members of AIIB in the fixture", domain.EdgeQuery{Kind: domain.EdgeMemberOf, Direction: domain.In}, fbKey("aiib"),
				[]string{"KH", "ID", "LA", "MY", "MM", "PH", "TH", "VN"}},
			{"an anchor that does not exist", domain.EdgeQuery{Kind: domain.EdgePartnerOf}, cityKey("atlantis"), nil},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				pages := must[[]domain.EdgePage](t)(s.Edges(context.Background(), tc.q, []domain.NodeKey{tc.anchor}))
				if len(pages) != 1 {
					t.Fatalf("got %d pages, want 1", len(pages))
				}
				eqStrings(t, "other ends", others(tc.anchor, pages[0]), tc.want)
				if pages[0].TotalCount != len(tc.want) {
					t.Errorf("got totalCount %d, want %d", pages[0].TotalCount, len(tc.want))
				}
			})
		}
	}},
	{"a partnership is one stored relation whichever city is asked", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, _ := withFixture(t, open)
		q := domain.EdgeQuery{Kind: domain.EdgePartnerOf, PartnershipKind: domain.PartnershipSisterCity, OtherCountry: "PH"}
		pages := must[[]domain.EdgePage](t)(s.Edges(context.Background(), q, []domain.NodeKey{cityKey("nanning")}))
		q.OtherCountry = "CN"
		back := must[[]domain.EdgePage](t)(s.Edges(context.Background(), q, []domain.NodeKey{cityKey("davao-city")}))
		if len(pages[0].Items) != 1 || len(back[0].Items) == 0 {
			t.Fatalf("got %d and %d partnerships, want Nanning–Davao City from both ends", len(pages[0].Items), len(back[0].Items))
		}
		var fromDavao *domain.Edge
		for i := range back[0].Items {
			if back[0].Items[i].Other(cityKey("davao-city")) == cityKey("nanning") {
				fromDavao = &back[0].Items[i]
			}
		}
		if fromDavao == nil {
			t.Fatalf("Davao City's Chinese sister cities %v do not include Nanning", others(cityKey("davao-city"), back[0]))
		}
		if !sameValue(pages[0].Items[0], *fromDavao) {
			t.Errorf("the two ends read different relations:\n%+v\n%+v", pages[0].Items[0], *fromDavao)
		}
		if e := pages[0].Items[0]; e.From != cityKey("davao-city") || e.To != cityKey("nanning") || e.Since != "2007" {
			t.Errorf("got %s since %s, want the normalised PARTNER_OF(City:davao-city,City:nanning) since 2007", e.Key(), e.Since)
		}
	}},
	{"many anchors in one call, each paged by keyset", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, _ := withFixture(t, open)
		anchors := []domain.NodeKey{cityKey("nanning"), cityKey("atlantis"), cityKey("beijing"), cityKey("kunming")}
		q := domain.EdgeQuery{Kind: domain.EdgePartnerOf, Order: domain.OrderBySince}
		full := must[[]domain.EdgePage](t)(s.Edges(context.Background(), q, anchors))
		wantTotals := []int{3, 0, 3, 2}
		for i, p := range full {
			if p.TotalCount != wantTotals[i] || len(p.Items) != wantTotals[i] {
				t.Errorf("%s: got %d items of %d, want %d", anchors[i], len(p.Items), p.TotalCount, wantTotals[i])
			}
		}
		for i, a := range anchors {
			var got []string
			pq := q
			pq.Page.First = 1
			for range 10 {
				p := must[[]domain.EdgePage](t)(s.Edges(context.Background(), pq, []domain.NodeKey{a}))[0]
				got = append(got, others(a, p)...)
				if p.TotalCount != wantTotals[i] {
					t.Errorf("%s: got totalCount %d on a later page, want %d", a, p.TotalCount, wantTotals[i])
				}
				if !p.HasNextPage {
					break
				}
				pq.Page.After = p.Cursors[len(p.Cursors)-1]
			}
			eqStrings(t, a.String()+" paged one by one", got, others(a, full[i]))
		}
	}},
	{"rejects bad queries", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, _ := withFixture(t, open)
		for name, q := range map[string]domain.EdgeQuery{
			"an unknown relation":    {Kind: "LIKES"},
			"an unknown direction":   {Kind: domain.EdgeHeldIn, Direction: "sideways"},
			"a cursor it never gave": {Kind: domain.EdgePartnerOf, Page: domain.Page{After: "bm9wZQ"}},
			"more than 100 per page": {Kind: domain.EdgePartnerOf, Page: domain.Page{First: 101}},
			"a bad date":             {Kind: domain.EdgePartnerOf, AsOf: "yesterday"},
		} {
			t.Run(name, func(t *testing.T) {
				_, err := s.Edges(context.Background(), q, []domain.NodeKey{cityKey("nanning")})
				wantCode(t, err, domain.EINVALID)
			})
		}
	}},
}

// neighbourhoodOracle computes the node set within depth of centre and the
// edges among them, straight from the batch.
func neighbourhoodOracle(b *domain.Batch, centre domain.NodeKey, depth int, kinds []domain.EdgeKind) (nodes []string, edges []string) {
	seen := map[domain.NodeKey]bool{centre: true}
	frontier := []domain.NodeKey{centre}
	follow := func(k domain.EdgeKind) bool { return len(kinds) == 0 || slices.Contains(kinds, k) }
	for range depth {
		var next []domain.NodeKey
		for _, n := range frontier {
			for _, e := range b.Edges {
				if !follow(e.Kind) || (e.From != n && e.To != n) {
					continue
				}
				if o := e.Other(n); !seen[o] {
					seen[o] = true
					next = append(next, o)
				}
			}
		}
		frontier = next
	}
	for k := range seen {
		nodes = append(nodes, k.String())
	}
	for _, e := range b.Edges {
		if follow(e.Kind) && seen[e.From] && seen[e.To] {
			edges = append(edges, e.Key().String())
		}
	}
	slices.Sort(nodes)
	slices.Sort(edges)
	return nodes, edges
}

func subgraphKeys(g domain.Subgraph) (nodes, edges []string) {
	for _, n := range g.Nodes {
		nodes = append(nodes, n.Key().String())
	}
	for _, e := range g.Edges {
		edges = append(edges, e.Key().String())
	}
	slices.Sort(nodes)
	slices.Sort(edges)
	return nodes, edges
}

var neighbourhoodTests = []test{
	{"holds the nodes within the depth and the edges among them", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, b := withFixture(t, open)
		cases := []struct {
			name string
			q    domain.NeighbourhoodQuery
		}{
			{"the 2015 forum at depth 1", domain.NeighbourhoodQuery{Center: Forum2015Key, Depth: 1}},
			{"Nanning at depth 2", domain.NeighbourhoodQuery{Center: cityKey("nanning"), Depth: 2, Limit: 500}},
			{"Nanning's partners of partners", domain.NeighbourhoodQuery{Center: cityKey("nanning"), Depth: 2, Kinds: []domain.EdgeKind{domain.EdgePartnerOf}}},
			{"Davao City at depth 3 through partnerships", domain.NeighbourhoodQuery{Center: cityKey("davao-city"), Depth: 3, Kinds: []domain.EdgeKind{domain.EdgePartnerOf}}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				g := must[domain.Subgraph](t)(s.Neighbourhood(context.Background(), tc.q))
				if g.Truncated {
					t.Errorf("got truncated, want the whole neighbourhood")
				}
				if len(g.Nodes) == 0 || g.Nodes[0].Key() != tc.q.Center {
					t.Errorf("the centre is not the first node")
				}
				gotN, gotE := subgraphKeys(g)
				depth := max(tc.q.Depth, 1)
				wantN, wantE := neighbourhoodOracle(b, tc.q.Center, depth, tc.q.Kinds)
				eqStrings(t, "nodes", gotN, wantN)
				eqStrings(t, "edges", gotE, wantE)
			})
		}
		g := must[domain.Subgraph](t)(s.Neighbourhood(context.Background(),
			domain.NeighbourhoodQuery{Center: cityKey("nanning"), Depth: 2, Kinds: []domain.EdgeKind{domain.EdgePartnerOf}}))
		gotN, _ := subgraphKeys(g)
		eqStrings(t, "Nanning's partners and theirs", gotN, []string{"City:chongqing", "City:davao-city", "City:ipoh", "City:nanning", "City:yangon"})
	}},
	{"a limit cuts breadth first in key order and says so", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, _ := withFixture(t, open)
		g := must[domain.Subgraph](t)(s.Neighbourhood(context.Background(), domain.NeighbourhoodQuery{Center: Forum2015Key, Depth: 2, Limit: 4}))
		if !g.Truncated {
			t.Errorf("got not truncated, want truncated")
		}
		var got []string
		for _, n := range g.Nodes {
			got = append(got, n.Key().String())
		}
		// Depth 1 of the forum in key order: Agreement, City, Event, ForumSeries, FundingBody…
		eqStrings(t, "kept nodes", got, []string{"Forum:camf-2015", "Agreement:nanning-consensus", "City:nanning", "Event:china-asean-expo"})
		for _, e := range g.Edges {
			if !slices.Contains(got, e.From.String()) || !slices.Contains(got, e.To.String()) {
				t.Errorf("edge %s leaves the kept nodes", e.Key())
			}
		}
		if len(g.Edges) != 5 { // ADOPTED, ATTENDED, HELD_IN ×2, PART_OF
			t.Errorf("got %d edges, want 5", len(g.Edges))
		}
	}},
	{"an unknown centre is ENOTFOUND", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, _ := withFixture(t, open)
		_, err := s.Neighbourhood(context.Background(), domain.NeighbourhoodQuery{Center: cityKey("atlantis")})
		wantCode(t, err, domain.ENOTFOUND)
	}},
	{"rejects bad queries", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, _ := withFixture(t, open)
		for name, q := range map[string]domain.NeighbourhoodQuery{
			"depth 4":             {Center: cityKey("nanning"), Depth: 4},
			"limit 501":           {Center: cityKey("nanning"), Limit: 501},
			"an unknown relation": {Center: cityKey("nanning"), Kinds: []domain.EdgeKind{"LIKES"}},
		} {
			t.Run(name, func(t *testing.T) {
				_, err := s.Neighbourhood(context.Background(), q)
				wantCode(t, err, domain.EINVALID)
			})
		}
	}},
}

var pingTests = []test{
	{"an open store answers", func(t *testing.T, open func(*testing.T) domain.Store) {
		if err := open(t).Ping(context.Background()); err != nil {
			t.Errorf("got %v, want nil", err)
		}
	}},
}
