package embedded_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/store/embedded"
	"github.com/citygraph/citygraph/synth"
)

// partnershipBatch returns cities and, separately, edges distinct
// partnerships among them, all citing one source.
func partnershipBatch(cities, edges int) (nodes *domain.Batch, rels *domain.Batch) {
	src := []string{synth.SourceID}
	nodes = &domain.Batch{Nodes: []domain.Node{&domain.Source{Meta: domain.Meta{ID: synth.SourceID, Name: "bench"}, Publisher: "bench"}}}
	for i := range cities {
		nodes.Nodes = append(nodes.Nodes, &domain.City{Meta: domain.Meta{ID: fmt.Sprintf("c%05d", i), Name: fmt.Sprintf("City %d", i), Sources: src},
			Division: domain.DivisionCity, Location: &domain.GeoPoint{Lat: float64(i%90) - 10, Lon: 90 + float64(i%45)}})
	}
	r := rand.New(rand.NewPCG(1, 2))
	seen := map[[2]int]bool{}
	rels = &domain.Batch{}
	for len(rels.Edges) < edges {
		a, b := r.IntN(cities), r.IntN(cities)
		if a == b || seen[[2]int{min(a, b), max(a, b)}] {
			continue
		}
		seen[[2]int{min(a, b), max(a, b)}] = true
		rels.Edges = append(rels.Edges, domain.Edge{Kind: domain.EdgePartnerOf,
			From: domain.NodeKey{Kind: domain.KindCity, ID: fmt.Sprintf("c%05d", a)}, To: domain.NodeKey{Kind: domain.KindCity, ID: fmt.Sprintf("c%05d", b)},
			PartnershipKind: domain.PartnershipSisterCity, Status: domain.PartnershipEstablished, Since: "2015-09-19", Sources: src})
	}
	return nodes, rels
}

// BenchmarkApplyPartnerships writes 100,000 partnerships between 10,000
// cities into a fresh on-disk store in one Apply (one transaction).
func BenchmarkApplyPartnerships(b *testing.B) {
	for _, disk := range []bool{true, false} {
		name := "disk"
		if !disk {
			name = "memory"
		}
		b.Run(name, func(b *testing.B) {
			nodes, rels := partnershipBatch(10_000, 100_000)
			ctx := context.Background()
			for b.Loop() {
				b.StopTimer()
				dir := ""
				if disk {
					dir = b.TempDir()
				}
				s, err := embedded.Open(dir)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := s.Apply(ctx, nodes, domain.ApplyOptions{}); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				r, err := s.Apply(ctx, rels, domain.ApplyOptions{})
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if got := r.Edges[domain.EdgePartnerOf].Created; got != len(rels.Edges) {
					b.Fatalf("created %d partnerships, want %d", got, len(rels.Edges))
				}
				s.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(len(rels.Edges))*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// synthStores caches one loaded in-memory store per size across benchmarks.
var synthStores sync.Map

func synthStore(b *testing.B, cities int) *embedded.Store {
	b.Helper()
	if s, ok := synthStores.Load(cities); ok {
		return s.(*embedded.Store)
	}
	s, err := embedded.Open("")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.Apply(context.Background(), synth.Generate(7, cities), domain.ApplyOptions{}); err != nil {
		b.Fatal(err)
	}
	synthStores.Store(cities, s)
	return s
}

var benchSizes = []int{1_000, 10_000, 100_000}

// benchAnalytic runs query i (cycling through cities) at every size.
func benchAnalytic(b *testing.B, run func(s *embedded.Store, cities, i int) error) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("cities=%d", n), func(b *testing.B) {
			if n > 10_000 && testing.Short() {
				b.Skip("short")
			}
			s := synthStore(b, n)
			i := 0
			for b.Loop() {
				if err := run(s, n, i); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

func city(i, n int) string { return fmt.Sprintf("city-%05d", (i*7919)%n) }

func BenchmarkPaths(b *testing.B) {
	benchAnalytic(b, func(s *embedded.Store, n, i int) error {
		_, err := s.Paths(context.Background(), domain.PathQuery{From: city(i, n), To: city(i+n/2, n), K: 3})
		return err
	})
}

func BenchmarkPathsPartnershipsOnly(b *testing.B) {
	benchAnalytic(b, func(s *embedded.Store, n, i int) error {
		_, err := s.Paths(context.Background(), domain.PathQuery{From: city(i, n), To: city(i+n/2, n), K: 3, Via: []domain.LinkKind{domain.LinkPartnership}})
		return err
	})
}

func BenchmarkFundingTotals(b *testing.B) {
	groups := domain.FundingGroups
	benchAnalytic(b, func(s *embedded.Store, n, i int) error {
		_, err := s.FundingTotals(context.Background(), domain.FundingQuery{GroupBy: groups[i%len(groups)]})
		return err
	})
}

func BenchmarkRankCities(b *testing.B) {
	benchAnalytic(b, func(s *embedded.Store, n, i int) error {
		q := domain.RankQuery{Metric: domain.RankMetrics[i%len(domain.RankMetrics)]}
		if q.Metric == domain.RankByFunding {
			q.Currency = "USD"
		}
		_, err := s.RankCities(context.Background(), q)
		return err
	})
}

func BenchmarkSuggestPartners(b *testing.B) {
	benchAnalytic(b, func(s *embedded.Store, n, i int) error {
		_, err := s.SuggestPartners(context.Background(), domain.SuggestQuery{City: city(i, n)})
		return err
	})
}

func BenchmarkNear(b *testing.B) {
	benchAnalytic(b, func(s *embedded.Store, n, i int) error {
		_, err := s.Near(context.Background(), domain.NearQuery{Point: &domain.GeoPoint{Lat: 20, Lon: 110}, RadiusKm: 500})
		return err
	})
}

func BenchmarkSearch(b *testing.B) {
	texts := []string{"城市0001", "city 00042", "silk road", "Port 7", "bank"}
	benchAnalytic(b, func(s *embedded.Store, n, i int) error {
		_, err := s.Search(context.Background(), domain.SearchQuery{Text: texts[i%len(texts)]})
		return err
	})
}

func BenchmarkNodesLookup(b *testing.B) {
	benchAnalytic(b, func(s *embedded.Store, n, i int) error {
		_, err := s.Nodes(context.Background(), []domain.NodeKey{{Kind: domain.KindCity, ID: city(i, n)}})
		return err
	})
}

func BenchmarkEdgesPartners(b *testing.B) {
	benchAnalytic(b, func(s *embedded.Store, n, i int) error {
		_, err := s.Edges(context.Background(), domain.EdgeQuery{Kind: domain.EdgePartnerOf}, []domain.NodeKey{{Kind: domain.KindCity, ID: city(i, n)}})
		return err
	})
}

// BenchmarkHeapAfterLoad reports the live heap of a store holding the
// synthetic graph of planBenchCities cities (heap-MB), the memory the
// default-order lists and the other indexes cost.
func BenchmarkHeapAfterLoad(b *testing.B) {
	var before, after runtime.MemStats
	for b.Loop() {
		runtime.GC()
		runtime.ReadMemStats(&before)
		s, err := embedded.Open("")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Apply(context.Background(), synth.Generate(7, planBenchCities), domain.ApplyOptions{}); err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		runtime.KeepAlive(s)
		s.Close()
	}
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "heap-MB")
}
