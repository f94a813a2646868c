package embedded_test

import (
	"context"
	"maps"
	"slices"
	"testing"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/store/embedded"
	"github.com/citygraph/citygraph/synth"
)

// planBenchCities is the synthetic graph's size in the plan benchmarks,
// the size issue 10 measures at.
const planBenchCities = 10_000

var (
	benchPartners  = domain.EdgeQuery{Kind: domain.EdgePartnerOf}
	benchCities    = domain.EdgeQuery{Kind: domain.EdgeInCountry, Direction: domain.In, Page: domain.Page{First: 20}}
	benchPartners3 = domain.EdgeQuery{Kind: domain.EdgePartnerOf, Page: domain.Page{First: 10}}
	benchCountry   = domain.EdgeQuery{Kind: domain.EdgeInCountry, Direction: domain.Out}
)

// twoLevelPlan is a city, its partners and their partners.
func twoLevelPlan(c domain.NodeKey) *domain.Plan {
	return &domain.Plan{Roots: []domain.Root{{Keys: []domain.NodeKey{c}, Reach: domain.Reach{Follow: []domain.Follow{{
		Query: benchPartners, Ends: &domain.Reach{Follow: []domain.Follow{{Query: benchPartners, Ends: &domain.Reach{}}}}}}}}}}
}

// threeLevelPlan is a country, 20 of its cities, 10 partners of each and
// their countries.
func threeLevelPlan(c domain.NodeKey) *domain.Plan {
	return &domain.Plan{Roots: []domain.Root{{Keys: []domain.NodeKey{c}, Reach: domain.Reach{Follow: []domain.Follow{{
		Query: benchCities, Ends: &domain.Reach{Follow: []domain.Follow{{
			Query: benchPartners3, Ends: &domain.Reach{Follow: []domain.Follow{{Query: benchCountry, Ends: &domain.Reach{}}}}}}}}}}}}}
}

// readLevels reads the same as a plan the way per-field loaders do: for
// each level one Edges call for every anchor, then one Nodes call for the
// far ends, which are the next level's anchors. It records the keys read
// in read, if given.
func readLevels(ctx context.Context, s *embedded.Store, read map[domain.NodeKey]bool, root domain.NodeKey, qs ...domain.EdgeQuery) error {
	anchors := []domain.NodeKey{root}
	if read != nil {
		read[root] = true
	}
	if _, err := s.Nodes(ctx, anchors); err != nil {
		return err
	}
	for _, q := range qs {
		pages, err := s.Edges(ctx, q, anchors)
		if err != nil {
			return err
		}
		seen := map[domain.NodeKey]bool{}
		var next []domain.NodeKey
		for i, p := range pages {
			for _, e := range p.Items {
				if o := e.Other(anchors[i]); !seen[o] {
					seen[o] = true
					next = append(next, o)
					if read != nil {
						read[o] = true
					}
				}
			}
		}
		if _, err := s.Nodes(ctx, next); err != nil {
			return err
		}
		anchors = next
	}
	return nil
}

// countryKeys lists the graph's countries, whatever codes the generator
// gives them.
func countryKeys(tb testing.TB, s *embedded.Store) []domain.NodeKey {
	tb.Helper()
	page, err := s.ListNodes(context.Background(), domain.NodeQuery{Kind: domain.KindCountry, Order: domain.OrderByID, Page: domain.Page{First: domain.MaxPageSize}})
	if err != nil || len(page.Items) == 0 {
		tb.Fatalf("listing countries: %v (%d)", err, len(page.Items))
	}
	var ks []domain.NodeKey
	for _, n := range page.Items {
		ks = append(ks, n.Key())
	}
	return ks
}

func cityKey(i, n int) domain.NodeKey { return domain.NodeKey{Kind: domain.KindCity, ID: city(i, n)} }

// BenchmarkRunTwoLevels runs a city and its partners' partners as one plan
// and as the loaders' Edges and Nodes calls.
func BenchmarkRunTwoLevels(b *testing.B) {
	s := synthStore(b, planBenchCities)
	ctx := context.Background()
	b.Run("plan", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, err := s.Run(ctx, twoLevelPlan(cityKey(i, planBenchCities))); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("edges", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if err := readLevels(ctx, s, nil, cityKey(i, planBenchCities), benchPartners, benchPartners); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

// BenchmarkRunThreeLevels runs country → 20 cities → 10 partners each →
// their country as one plan and as the loaders' calls.
func BenchmarkRunThreeLevels(b *testing.B) {
	s := synthStore(b, planBenchCities)
	ctx := context.Background()
	countries := countryKeys(b, s)
	b.Run("plan", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, err := s.Run(ctx, threeLevelPlan(countries[i%len(countries)])); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("edges", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if err := readLevels(ctx, s, nil, countries[i%len(countries)], benchCities, benchPartners3, benchCountry); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

// TestBenchPlansReadWhatTheyShould keeps the benchmarks honest: each plan
// reaches the nodes it is meant to, and the same as the loaders' calls.
func TestBenchPlansReadWhatTheyShould(t *testing.T) {
	s, err := embedded.Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const n = 2_000
	if _, err := s.Apply(context.Background(), synth.Generate(7, n), domain.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	country := countryKeys(t, s)[3]
	for _, tc := range []struct {
		name     string
		plan     *domain.Plan
		root     domain.NodeKey
		qs       []domain.EdgeQuery
		minNodes int
	}{
		{"two levels", twoLevelPlan(cityKey(3, n)), cityKey(3, n), []domain.EdgeQuery{benchPartners, benchPartners}, 20},
		{"three levels", threeLevelPlan(country), country, []domain.EdgeQuery{benchCities, benchPartners3, benchCountry}, 40},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := s.Run(ctx, tc.plan)
			if err != nil {
				t.Fatal(err)
			}
			if len(a.Nodes) < tc.minNodes {
				t.Errorf("the plan read %d nodes; want at least %d, or the benchmark measures little", len(a.Nodes), tc.minNodes)
			}
			want := map[domain.NodeKey]bool{}
			if err := readLevels(ctx, s, want, tc.root, tc.qs...); err != nil {
				t.Fatal(err)
			}
			if len(a.Nodes) != len(want) {
				t.Errorf("the plan read %d nodes, the Edges calls reach %d", len(a.Nodes), len(want))
			}
			for k := range want {
				if _, ok := a.Nodes[k]; !ok {
					t.Errorf("the plan did not read %s", k)
				}
			}
		})
	}
}

// TestPlanAllocations counts the allocations of the benchmarks' plans, so
// that a walk that goes back to allocating per relation or per page fails.
// The bounds are generous: the walk takes about half of each.
func TestPlanAllocations(t *testing.T) {
	s, err := embedded.Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const n = 2_000
	if _, err := s.Apply(context.Background(), synth.Generate(7, n), domain.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	country := countryKeys(t, s)[3]
	noCursors := func(p *domain.Plan) *domain.Plan {
		for r := &p.Roots[0].Reach; len(r.Follow) > 0; r = r.Follow[0].Ends {
			r.Follow[0].Query.Page.NoCursors = true
		}
		return p
	}
	for _, tc := range []struct {
		name string
		plan func() *domain.Plan
		max  float64
	}{
		{"two levels", func() *domain.Plan { return twoLevelPlan(cityKey(3, n)) }, 80},
		{"two levels without cursors", func() *domain.Plan { return noCursors(twoLevelPlan(cityKey(3, n))) }, 80},
		{"three levels without cursors", func() *domain.Plan { return noCursors(threeLevelPlan(country)) }, 110},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := s.Run(ctx, tc.plan())
			if err != nil {
				t.Fatal(err)
			}
			if len(a.Nodes) < 20 {
				t.Fatalf("the plan read %d nodes; want at least 20, or its allocations say little", len(a.Nodes))
			}
			got := testing.AllocsPerRun(20, func() {
				if _, err := s.Run(ctx, tc.plan()); err != nil {
					t.Fatal(err)
				}
			})
			if got > tc.max {
				t.Errorf("got %.0f allocations per run, want at most %.0f", got, tc.max)
			}
			t.Logf("%.0f allocations per run", got)
		})
	}
}

// TestPlanPagesAreIndependent appends to every page a plan answered: the
// pages share memory (pagebuf.go), and an append to one must not change
// another, nor what the store holds.
func TestPlanPagesAreIndependent(t *testing.T) {
	s, err := embedded.Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const n = 500
	if _, err := s.Apply(context.Background(), synth.Generate(7, n), domain.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	plan := func() *domain.Plan { return twoLevelPlan(cityKey(3, n)) }
	a, err := s.Run(ctx, plan())
	if err != nil {
		t.Fatal(err)
	}
	snapshot := func(a *domain.Answers) map[domain.NodeKey][]string {
		out := map[domain.NodeKey][]string{}
		for _, pages := range a.Edges {
			for k, p := range pages {
				for i, e := range p.Items {
					out[k] = append(out[k], e.Other(k).String()+" "+p.Cursors[i])
				}
			}
		}
		return out
	}
	want := snapshot(a)
	if len(want) < 5 {
		t.Fatalf("the plan answered %d pages with items; want at least 5", len(want))
	}
	stranger := domain.Edge{Kind: domain.EdgePartnerOf, From: domain.NodeKey{Kind: domain.KindCity, ID: "nowhere"}, To: domain.NodeKey{Kind: domain.KindCity, ID: "nowhere-else"}}
	for _, pages := range a.Edges {
		for k, p := range pages {
			p.Items = append(p.Items, stranger, stranger)
			p.Cursors = append(p.Cursors, "x", "y")
			pages[k] = p
		}
	}
	for _, pages := range a.Edges {
		for k, p := range pages {
			p.Items, p.Cursors = p.Items[:len(p.Items)-2], p.Cursors[:len(p.Cursors)-2]
			pages[k] = p
		}
	}
	if got := snapshot(a); !maps.EqualFunc(got, want, slices.Equal) {
		t.Errorf("appending to the pages changed other pages:\n got %v\nwant %v", got, want)
	}
	again, err := s.Run(ctx, plan())
	if err != nil {
		t.Fatal(err)
	}
	if got := snapshot(again); !maps.EqualFunc(got, want, slices.Equal) {
		t.Errorf("appending to the pages changed the store's answer:\n got %v\nwant %v", got, want)
	}
}

// TestPlanSeesWrites: the default-order lists hold copies of the relations
// and give the walk its far ends' nodes, so a plan run after a write must
// see a relation's changed property and a neighbour's changed field (its
// name kept, so no list is sorted again for it), while answers given
// before the write keep what they said.
func TestPlanSeesWrites(t *testing.T) {
	s, err := embedded.Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const n = 300
	ctx := context.Background()
	if _, err := s.Apply(ctx, synth.Generate(7, n), domain.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	anchor := cityKey(3, n)
	plan := func() *domain.Plan { return twoLevelPlan(anchor) }
	partnerOf := func(a *domain.Answers) (domain.Edge, *domain.City) {
		t.Helper()
		q := benchPartners
		if err := q.Normalize(); err != nil {
			t.Fatal(err)
		}
		page, ok := a.Page(q, anchor)
		if !ok || len(page.Items) == 0 {
			t.Fatalf("the plan answered no partners of %s", anchor)
		}
		e := page.Items[0]
		node, _ := a.Node(e.Other(anchor))
		c, ok := node.(*domain.City)
		if !ok {
			t.Fatalf("the partner %s was answered as %T; want a city", e.Other(anchor), node)
		}
		return e, c
	}
	before, err := s.Run(ctx, plan())
	if err != nil {
		t.Fatal(err)
	}
	oldEdge, oldCity := partnerOf(before)
	edge, city := oldEdge, *oldCity
	edge.Since, city.Population, city.PopulationYear = "1901-02-03", oldCity.Population+12_345, 2020
	if _, err := s.Apply(ctx, &domain.Batch{Nodes: []domain.Node{&city}, Edges: []domain.Edge{edge}}, domain.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	after, err := s.Run(ctx, plan())
	if err != nil {
		t.Fatal(err)
	}
	gotEdge, gotCity := partnerOf(after)
	if gotEdge.Since != edge.Since {
		t.Errorf("after the write the relation's since is %q; want %q", gotEdge.Since, edge.Since)
	}
	if gotCity.Population != city.Population {
		t.Errorf("after the write the partner's population is %d; want %d", gotCity.Population, city.Population)
	}
	if e, c := partnerOf(before); e.Since != oldEdge.Since || c.Population != oldCity.Population {
		t.Errorf("the answers given before the write changed: since %q, population %d; want %q, %d",
			e.Since, c.Population, oldEdge.Since, oldCity.Population)
	}
}
