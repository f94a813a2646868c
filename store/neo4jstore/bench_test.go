package neo4jstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/seed/seedtest"
	"github.com/citygraph/citygraph/synth"
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
	benchApplyPartnerships(b, domain.ApplyOptions{})
}

// BenchmarkApplyPartnershipsInParts is BenchmarkApplyPartnerships written
// in parts of 20,000 rows (seed --batch-rows 20000): the price of a load
// that no longer needs one transaction's memory.
func BenchmarkApplyPartnershipsInParts(b *testing.B) {
	benchApplyPartnerships(b, domain.ApplyOptions{BatchRows: 20_000})
}

// benchApplyPartnerships times the Apply of the partnerships, with opt,
// after an untimed wipe and load of their cities.
func benchApplyPartnerships(b *testing.B, opt domain.ApplyOptions) {
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
		r, err := s.Apply(ctx, edges, opt)
		if err != nil {
			b.Fatal(err)
		}
		if got := r.Edges[domain.EdgePartnerOf].Created; got != len(edges.Edges) {
			b.Fatalf("created %d partnerships, want %d", got, len(edges.Edges))
		}
	}
	b.ReportMetric(float64(len(edges.Edges)*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkLoadPartnerships100k is seed/bench_test.go's load (CSV files
// through seed.Load) into Neo4j, so that both stores' load figures come
// from the same rows.
func BenchmarkLoadPartnerships100k(b *testing.B) {
	seedtest.BenchmarkLoad(b, func(tb testing.TB) domain.Store { return openEmpty(tb) }, 100_000)
}

// analyticsSizes are the city counts of BenchmarkAnalytics, as in the
// embedded store's benchmarks; -short leaves out 100,000 (about a million
// relationships, several minutes to load).
var analyticsSizes = []int{1_000, 10_000, 100_000}

// The synthetic graph goes in one Apply written in parts (BatchRows): the
// benchmark measures queries, and on the server's default 1 GiB heap one
// transaction of the 138,000 nodes of 100,000 cities exceeds the
// transaction memory pool (MemoryPoolOutOfMemoryError; the full-text index
// keeps every new node's text in the transaction state), and a million
// relationships would too.
const synthPartRows = 20_000

// loadSynth wipes the server and loads synth.Generate(7, cities).
func loadSynth(b *testing.B, cities int) domain.Store {
	b.Helper()
	clearInSmallTransactions(b)
	s := openEmpty(b)
	ctx := context.Background()
	g := synth.Generate(7, cities)
	start := time.Now()
	if _, err := s.Apply(ctx, g, domain.ApplyOptions{BatchRows: synthPartRows}); err != nil {
		b.Fatal(err)
	}
	d := time.Since(start)
	b.Logf("loaded %d nodes and %d edges in %v (%.0f rows/s)", len(g.Nodes), len(g.Edges), d.Round(time.Millisecond),
		float64(len(g.Nodes)+len(g.Edges))/d.Seconds())
	return s
}

// clearInSmallTransactions deletes every relationship, then every node
// but the migration records, 5,000 at a time. Wipe's DETACH DELETE of
// 10,000 nodes per transaction runs out of transaction memory on the
// 100,000-city graph (MemoryPoolOutOfMemoryError on the default heap),
// which would fail every benchmark run after it.
func clearInSmallTransactions(b *testing.B) {
	b.Helper()
	cfg := serverConfig(b)
	ctx := context.Background()
	d, err := neo4j.NewDriverWithContext(cfg.URI, neo4j.BasicAuth(cfg.Username, cfg.Password, ""))
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close(ctx)
	sess := d.NewSession(ctx, neo4j.SessionConfig{AccessMode: neo4j.AccessModeWrite, DatabaseName: cfg.Database})
	defer sess.Close(ctx)
	// CALL ... IN TRANSACTIONS needs an auto-commit transaction, hence Run.
	for _, q := range []string{
		"MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 5000 ROWS",
		"MATCH (n) WHERE NOT n:Migration CALL (n) { DELETE n } IN TRANSACTIONS OF 5000 ROWS",
	} {
		res, err := sess.Run(ctx, q, nil)
		if err == nil {
			_, err = res.Consume(ctx)
		}
		if err != nil {
			b.Fatalf("clearing the graph: %v", err)
		}
	}
}

// benchCity picks the i-th query city as store/embedded/bench_test.go
// does, so that both stores answer the same questions.
func benchCity(i, n int) string { return fmt.Sprintf("city-%05d", (i*7919)%n) }

// analytics are the queries of store/embedded/bench_test.go, by the
// names of its benchmarks without the Benchmark prefix.
var analytics = []struct {
	name string
	run  func(s domain.Store, n, i int) error
}{
	{"Paths", func(s domain.Store, n, i int) error {
		_, err := s.Paths(context.Background(), domain.PathQuery{From: benchCity(i, n), To: benchCity(i+n/2, n), K: 3})
		return err
	}},
	{"PathsPartnershipsOnly", func(s domain.Store, n, i int) error {
		_, err := s.Paths(context.Background(), domain.PathQuery{From: benchCity(i, n), To: benchCity(i+n/2, n), K: 3,
			Via: []domain.LinkKind{domain.LinkPartnership}})
		return err
	}},
	{"FundingTotals", func(s domain.Store, n, i int) error {
		groups := domain.FundingGroups
		_, err := s.FundingTotals(context.Background(), domain.FundingQuery{GroupBy: groups[i%len(groups)]})
		return err
	}},
	// By funding body, which needs no places, and by country, which binds
	// each financing's cities and countries: the price of the places.
	{"FundingTotalsByBody", func(s domain.Store, n, i int) error {
		_, err := s.FundingTotals(context.Background(), domain.FundingQuery{GroupBy: domain.GroupByFundingBody})
		return err
	}},
	{"FundingTotalsByCountry", func(s domain.Store, n, i int) error {
		_, err := s.FundingTotals(context.Background(), domain.FundingQuery{GroupBy: domain.GroupByCountry})
		return err
	}},
	// By partners alone, without and with asOf: the first counts from the
	// degree store, the second (a date after every partnership, so the
	// same answer) expands each city's partnerships to test their dates.
	{"RankCitiesByPartners", func(s domain.Store, n, i int) error {
		_, err := s.RankCities(context.Background(), domain.RankQuery{Metric: domain.RankByPartners})
		return err
	}},
	{"RankCitiesByPartnersAsOf", func(s domain.Store, n, i int) error {
		_, err := s.RankCities(context.Background(), domain.RankQuery{Metric: domain.RankByPartners, AsOf: "2100"})
		return err
	}},
	{"RankCities", func(s domain.Store, n, i int) error {
		q := domain.RankQuery{Metric: domain.RankMetrics[i%len(domain.RankMetrics)]}
		if q.Metric == domain.RankByFunding {
			q.Currency = "USD"
		}
		_, err := s.RankCities(context.Background(), q)
		return err
	}},
	{"SuggestPartners", func(s domain.Store, n, i int) error {
		_, err := s.SuggestPartners(context.Background(), domain.SuggestQuery{City: benchCity(i, n)})
		return err
	}},
	{"Near", func(s domain.Store, n, i int) error {
		_, err := s.Near(context.Background(), domain.NearQuery{Point: &domain.GeoPoint{Lat: 20, Lon: 110}, RadiusKm: 500})
		return err
	}},
	{"Search", func(s domain.Store, n, i int) error {
		texts := []string{"城市0001", "city 00042", "silk road", "Port 7", "bank"}
		_, err := s.Search(context.Background(), domain.SearchQuery{Text: texts[i%len(texts)]})
		return err
	}},
	{"NodesLookup", func(s domain.Store, n, i int) error {
		_, err := s.Nodes(context.Background(), []domain.NodeKey{{Kind: domain.KindCity, ID: benchCity(i, n)}})
		return err
	}},
	{"EdgesPartners", func(s domain.Store, n, i int) error {
		_, err := s.Edges(context.Background(), domain.EdgeQuery{Kind: domain.EdgePartnerOf},
			[]domain.NodeKey{{Kind: domain.KindCity, ID: benchCity(i, n)}})
		return err
	}},
}

// BenchmarkAnalytics loads each size once and runs every analytic on it
// (BenchmarkAnalytics/cities=N/Name), cycling through query cities.
func BenchmarkAnalytics(b *testing.B) {
	for _, n := range analyticsSizes {
		b.Run(fmt.Sprintf("cities=%d", n), func(b *testing.B) {
			if n > 10_000 && testing.Short() {
				b.Skip("-short: 100,000 cities take minutes to load")
			}
			s := loadSynth(b, n)
			for _, a := range analytics {
				b.Run(a.name, func(b *testing.B) {
					i := 0
					for b.Loop() {
						if err := a.run(s, n, i); err != nil {
							b.Fatal(err)
						}
						i++
					}
				})
			}
		})
	}
}
