package neo4jstore_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/citygraph/citygraph/domain"
)

// partnershipLoad is n cities and m partnerships among them (city i with
// i+1..i+m/n, wrapping), all citing one source.
func partnershipLoad(cities, partnerships int) (*domain.Batch, *domain.Batch) {
	nodes := &domain.Batch{Nodes: []domain.Node{&domain.Source{Meta: domain.Meta{ID: "bench", Name: "Benchmark"}, Publisher: "bench"}}}
	for i := range cities {
		nodes.Nodes = append(nodes.Nodes, &domain.City{Meta: domain.Meta{ID: fmt.Sprintf("c%05d", i), Name: fmt.Sprintf("City %d", i),
			Sources: []string{"bench"}}, Division: domain.DivisionCity, Location: &domain.GeoPoint{Lat: float64(i%180) - 89, Lon: float64(i%360) - 179}})
	}
	edges := &domain.Batch{}
	per := partnerships / cities
	for i := range cities {
		for d := 1; d <= per; d++ {
			edges.Edges = append(edges.Edges, domain.Edge{Kind: domain.EdgePartnerOf,
				From:            domain.NodeKey{Kind: domain.KindCity, ID: fmt.Sprintf("c%05d", i)},
				To:              domain.NodeKey{Kind: domain.KindCity, ID: fmt.Sprintf("c%05d", (i+d)%cities)},
				PartnershipKind: domain.PartnershipSisterCity, Status: domain.PartnershipEstablished, Since: "2010",
				Sources: []string{"bench"}})
		}
	}
	return nodes, edges
}

// BenchmarkApplyPartnerships loads 100,000 partnerships among 10,000
// cities into a wiped database in one Apply (one transaction); rows/s
// counts the edges.
func BenchmarkApplyPartnerships(b *testing.B) {
	s := openEmpty(b)
	ctx := context.Background()
	nodes, edges := partnershipLoad(10_000, 100_000)
	for b.Loop() {
		b.StopTimer()
		if err := s.Wipe(ctx); err != nil {
			b.Fatal(err)
		}
		if _, err := s.Apply(ctx, nodes, domain.ApplyOptions{}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		r, err := s.Apply(ctx, edges, domain.ApplyOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if got := r.Edges[domain.EdgePartnerOf].Created; got != len(edges.Edges) {
			b.Fatalf("created %d partnerships, want %d", got, len(edges.Edges))
		}
	}
	b.ReportMetric(float64(len(edges.Edges)*b.N)/b.Elapsed().Seconds(), "rows/s")
}
