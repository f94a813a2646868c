package neo4jstore

import (
	"context"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/synth"
)

// benchPlans are the plan shapes of issue 10's table that start from a
// key: a city with its partners (two levels), and a country's cities with
// ten partners each and their country (three levels).
var benchPlans = []struct {
	name string
	plan func() domain.Plan
}{
	{"two-levels", func() domain.Plan {
		return domain.Plan{Roots: []domain.Root{{Keys: []domain.NodeKey{{Kind: domain.KindCity, ID: "city-00042"}},
			Reach: domain.Reach{Follow: []domain.Follow{{Query: domain.EdgeQuery{Kind: domain.EdgePartnerOf, Page: domain.Page{First: domain.MaxPageSize}},
				Ends: &domain.Reach{}}}}}}}
	}},
	{"three-levels", func() domain.Plan {
		return domain.Plan{Roots: []domain.Root{{Keys: []domain.NodeKey{{Kind: domain.KindCountry, ID: synth.Country(1)}},
			Reach: domain.Reach{Follow: []domain.Follow{{Query: domain.EdgeQuery{Kind: domain.EdgeInCountry, Direction: domain.In, Page: domain.Page{First: 20}},
				Ends: &domain.Reach{Follow: []domain.Follow{{Query: domain.EdgeQuery{Kind: domain.EdgePartnerOf, Page: domain.Page{First: 10}},
					Ends: &domain.Reach{Follow: []domain.Follow{{Query: domain.EdgeQuery{Kind: domain.EdgeInCountry, Direction: domain.Out, Page: domain.Page{First: 1}},
						Ends: &domain.Reach{}}}}}}}}}}}}}
	}},
}

// levelReads answers a plan of keyed roots the way the GraphQL layer did
// before plans: level by level, one Nodes call for a level's nodes and one
// Edges call per follow for all its anchors (the loaders' batches).
// nodes and edges run those reads; edges returns each anchor's far ends.
func levelReads(p *domain.Plan, nodes func([]domain.NodeKey) error,
	edges func(domain.EdgeQuery, []domain.NodeKey) ([][]domain.NodeKey, error)) error {
	type step struct {
		keys  []domain.NodeKey
		reach *domain.Reach
	}
	var level []step
	for i := range p.Roots {
		level = append(level, step{p.Roots[i].Keys, &p.Roots[i].Reach})
	}
	for len(level) > 0 {
		var next []step
		for _, st := range level {
			if err := nodes(st.keys); err != nil {
				return err
			}
			for _, f := range st.reach.Follow {
				ends, err := edges(f.Query, st.keys)
				if err != nil {
					return err
				}
				if f.Ends == nil {
					continue
				}
				var far []domain.NodeKey
				for _, e := range ends {
					far = append(far, e...)
				}
				if len(far) > 0 {
					next = append(next, step{far, f.Ends})
				}
			}
		}
		level = next
	}
	return nil
}

// profileHits runs a statement under PROFILE and returns its db hits.
func profileHits(b *testing.B, s *Store, cypher string, params map[string]any) (int64, []*neo4j.Record) {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	opts := []neo4j.ExecuteQueryConfigurationOption{neo4j.ExecuteQueryWithReadersRouting()}
	if s.cfg.Database != "" {
		opts = append(opts, neo4j.ExecuteQueryWithDatabase(s.cfg.Database))
	}
	res, err := neo4j.ExecuteQuery(ctx, s.driver, "PROFILE "+cypher, params, neo4j.EagerResultTransformer, opts...)
	if err != nil {
		b.Fatalf("PROFILE: %v", err)
	}
	var sum func(p neo4j.ProfiledPlan) int64
	sum = func(p neo4j.ProfiledPlan) int64 {
		n := p.DbHits()
		for _, c := range p.Children() {
			n += sum(c)
		}
		return n
	}
	return sum(res.Summary.Profile()), res.Records
}

// BenchmarkPlan runs each plan at 10,000 synthetic cities through Run (one
// statement) and through the level-by-level single reads, and reports the
// statements and the server's db hits per answer (PROFILE, measured once)
// beside the time per answer.
func BenchmarkPlan(b *testing.B) {
	s := openPlanStore(b)
	ctx := context.Background()
	wipe, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	if err := s.Wipe(wipe); err != nil {
		b.Fatal(err)
	}
	if _, err := s.Apply(wipe, synth.Generate(7, 10_000), domain.ApplyOptions{BatchRows: 20_000}); err != nil {
		b.Fatal(err)
	}
	for _, bp := range benchPlans {
		b.Run(bp.name+"/Run", func(b *testing.B) {
			p := bp.plan()
			if err := p.Normalize(); err != nil {
				b.Fatal(err)
			}
			cypher, params, err := planStatement(&p)
			if err != nil {
				b.Fatal(err)
			}
			hits, _ := profileHits(b, s, cypher, params)
			for b.Loop() {
				if _, err := s.Run(ctx, &p); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(hits), "dbhits/op")
			b.ReportMetric(1, "statements/op")
		})
		b.Run(bp.name+"/Edges", func(b *testing.B) {
			p := bp.plan()
			if err := p.Normalize(); err != nil {
				b.Fatal(err)
			}
			var hits, statements int64
			err := levelReads(&p, func(keys []domain.NodeKey) error {
				ks := make([]string, len(keys))
				for i, k := range keys {
					ks[i] = k.String()
				}
				c, ps := nodesStatement(ks)
				h, _ := profileHits(b, s, c, ps)
				hits += h
				statements++
				return nil
			}, func(q domain.EdgeQuery, anchors []domain.NodeKey) ([][]domain.NodeKey, error) {
				ks := make([]string, len(anchors))
				for i, k := range anchors {
					ks[i] = k.String()
				}
				c, ps, err := edgesStatement(q, ks)
				if err != nil {
					return nil, err
				}
				h, recs := profileHits(b, s, c, ps)
				hits += h
				statements++
				ends := make([][]domain.NodeKey, len(anchors))
				for _, rec := range recs {
					i := int(getInt(rec, "i"))
					items, _ := rec.Get("items")
					for j, x := range asList(items) {
						if j == q.Page.First {
							break
						}
						e, _, err := edgeRowFrom(asList(x))
						if err != nil {
							return nil, err
						}
						ends[i] = append(ends[i], e.Other(anchors[i]))
					}
				}
				return ends, nil
			})
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				err := levelReads(&p, func(keys []domain.NodeKey) error {
					_, err := s.Nodes(ctx, keys)
					return err
				}, func(q domain.EdgeQuery, anchors []domain.NodeKey) ([][]domain.NodeKey, error) {
					pages, err := s.Edges(ctx, q, anchors)
					ends := make([][]domain.NodeKey, len(pages))
					for i, pg := range pages {
						for _, e := range pg.Items {
							ends[i] = append(ends[i], e.Other(anchors[i]))
						}
					}
					return ends, err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(hits), "dbhits/op")
			b.ReportMetric(float64(statements), "statements/op")
		})
	}
}
