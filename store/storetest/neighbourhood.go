package storetest

import (
	"context"
	"slices"
	"testing"

	"github.com/citygraph/citygraph/domain"
)

// neighbourhoodOracle computes the node set within depth of centre and the
// edges among them that existed on asOf (empty: all), straight from the batch.
func neighbourhoodOracle(b *domain.Batch, centre domain.NodeKey, depth int, kinds []domain.EdgeKind, asOf domain.Date) (nodes []string, edges []string) {
	seen := map[domain.NodeKey]bool{centre: true}
	frontier := []domain.NodeKey{centre}
	follow := func(e domain.Edge) bool {
		return (len(kinds) == 0 || slices.Contains(kinds, e.Kind)) && e.ActiveOn(asOf)
	}
	for range depth {
		var next []domain.NodeKey
		for _, n := range frontier {
			for _, e := range b.Edges {
				if !follow(e) || (e.From != n && e.To != n) {
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
		if follow(e) && seen[e.From] && seen[e.To] {
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
			{"Nanning at depth 2 as of 2008", domain.NeighbourhoodQuery{Center: cityKey("nanning"), Depth: 2, Limit: 500, AsOf: "2008-12-31"}},
			{"the 2015 forum at depth 2 as of 2010", domain.NeighbourhoodQuery{Center: Forum2015Key, Depth: 2, Limit: 500, AsOf: "2010"}},
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
				wantN, wantE := neighbourhoodOracle(b, tc.q.Center, depth, tc.q.Kinds, tc.q.AsOf)
				eqStrings(t, "nodes", gotN, wantN)
				eqStrings(t, "edges", gotE, wantE)
			})
		}
		g := must[domain.Subgraph](t)(s.Neighbourhood(context.Background(),
			domain.NeighbourhoodQuery{Center: cityKey("nanning"), Depth: 2, Kinds: []domain.EdgeKind{domain.EdgePartnerOf}}))
		gotN, _ := subgraphKeys(g)
		eqStrings(t, "Nanning's partners and theirs", gotN, []string{"City:chongqing", "City:davao-city", "City:ipoh", "City:nanning", "City:yangon"})
	}},
	{"asOf follows only the relations that existed on the date", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, _ := withFixture(t, open)
		partners := []domain.EdgeKind{domain.EdgePartnerOf}
		for _, tc := range []struct {
			asOf domain.Date
			want []string
		}{
			// Ipoh 2005-04-01, Davao City 2007, Yangon 2009-07-11; Davao City–Chongqing 2019.
			{"2005", []string{"City:nanning"}}, // a year is its first day
			{"2006-06-30", []string{"City:ipoh", "City:nanning"}},
			{"2008-12-31", []string{"City:davao-city", "City:ipoh", "City:nanning"}},
			{"2018-12-31", []string{"City:davao-city", "City:ipoh", "City:nanning", "City:yangon"}},
			{"", []string{"City:chongqing", "City:davao-city", "City:ipoh", "City:nanning", "City:yangon"}},
		} {
			t.Run("as of "+string(tc.asOf), func(t *testing.T) {
				g := must[domain.Subgraph](t)(s.Neighbourhood(context.Background(),
					domain.NeighbourhoodQuery{Center: cityKey("nanning"), Depth: 2, Kinds: partners, AsOf: tc.asOf}))
				gotN, gotE := subgraphKeys(g)
				eqStrings(t, "nodes", gotN, tc.want)
				if want := len(tc.want) - 1; len(gotE) != want { // a tree: one partnership per partner
					t.Errorf("got %d partnerships %v, want %d", len(gotE), gotE, want)
				}
			})
		}
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
			"a malformed asOf":    {Center: cityKey("nanning"), AsOf: "2015-13"},
		} {
			t.Run(name, func(t *testing.T) {
				_, err := s.Neighbourhood(context.Background(), q)
				wantCode(t, err, domain.EINVALID)
			})
		}
	}},
}
