package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/citygraph/citygraph/domain"
)

var pathsTests = []test{
	{"fixture: chains of partnerships", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, _ := withFixture(t, open)
		cases := []struct {
			name string
			q    domain.PathQuery
			want [][]string
		}{
			{"Nanning and Davao City are one partnership apart", domain.PathQuery{From: "nanning", To: "davao-city"}, [][]string{{"nanning", "davao-city"}}},
			{"Nanning reaches Chongqing through Davao City", domain.PathQuery{From: "nanning", To: "chongqing", Via: []domain.LinkKind{domain.LinkPartnership}},
				[][]string{{"nanning", "davao-city", "chongqing"}}},
			{"Nanning reaches Bangkok in three hops, by one chain only", domain.PathQuery{From: "nanning", To: "bangkok", K: 3},
				[][]string{{"nanning", "davao-city", "chongqing", "bangkok"}}},
			{"two hops are not enough for Bangkok", domain.PathQuery{From: "nanning", To: "bangkok", MaxHops: 2}, nil},
			{"before 2019 Davao City and Chongqing were not partners", domain.PathQuery{From: "nanning", To: "chongqing", AsOf: "2018"}, nil},
			{"no chain links Nanning and Kunming", domain.PathQuery{From: "nanning", To: "kunming", MaxHops: 8}, nil},
			{"no forum links cities that did not attend together", domain.PathQuery{From: "nanning", To: "davao-city", Via: []domain.LinkKind{domain.LinkForum}}, nil},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				got := must[[]domain.Path](t)(s.Paths(context.Background(), tc.q))
				var cities [][]string
				for _, p := range got {
					cities = append(cities, p.Cities)
					if len(p.Hops) != len(p.Cities)-1 {
						t.Errorf("path %v has %d hops", p.Cities, len(p.Hops))
					}
				}
				eqValue(t, "paths", cities, tc.want)
			})
		}
		got := must[[]domain.Path](t)(s.Paths(context.Background(), domain.PathQuery{From: "davao-city", To: "nanning"}))
		if len(got) != 1 || len(got[0].Hops) != 1 || len(got[0].Hops[0].Links) != 1 {
			t.Fatalf("got %+v, want one hop with one link", got)
		}
		l := got[0].Hops[0].Links[0]
		if l.Kind != domain.LinkPartnership || l.Edge == nil || l.Edge.PartnershipKind != domain.PartnershipSisterCity || l.Edge.Since != "2007" {
			t.Errorf("got link %+v, want the 2007 sister-city partnership", l)
		}
		if got[0].Hops[0].From != "davao-city" || got[0].Hops[0].To != "nanning" {
			t.Errorf("got hop %s→%s, want davao-city→nanning (the direction asked)", got[0].Hops[0].From, got[0].Hops[0].To)
		}
	}},
	{"synthetic graph: the K shortest chains match a brute-force enumeration", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, o := withSynth(t, open)
		var qs []domain.PathQuery
		for i := range 6 {
			qs = append(qs,
				domain.PathQuery{From: synthCity(i), To: synthCity(299 - 7*i), Via: []domain.LinkKind{domain.LinkPartnership}, K: 3},
				domain.PathQuery{From: synthCity(10 + i), To: synthCity(150 + i), K: 5},
				domain.PathQuery{From: synthCity(20 + i), To: synthCity(200 + 3*i), Via: []domain.LinkKind{domain.LinkForum, domain.LinkAgreement}, K: 2, MaxHops: 3},
				domain.PathQuery{From: synthCity(30 + i), To: synthCity(100 + i), Via: []domain.LinkKind{domain.LinkPartnership}, K: 4, AsOf: "2000"},
			)
		}
		answered := 0
		defer func() { wantMostAnswered(t, answered, len(qs)) }()
		for _, q := range qs {
			t.Run(fmt.Sprintf("%s to %s via %v as of %q", q.From, q.To, q.Via, q.AsOf), func(t *testing.T) {
				want, err := o.paths(q, 3_000_000)
				if err != nil {
					t.Fatal(err)
				}
				answered += min(len(want), 1)
				got := must[[]domain.Path](t)(s.Paths(context.Background(), q))
				eqValue(t, "paths", got, want)
			})
		}
	}},
	{"rejects bad queries", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, _ := withFixture(t, open)
		cases := []struct {
			name string
			q    domain.PathQuery
			code domain.Code
		}{
			{"an unknown start", domain.PathQuery{From: "atlantis", To: "nanning"}, domain.ENOTFOUND},
			{"an unknown end", domain.PathQuery{From: "nanning", To: "atlantis"}, domain.ENOTFOUND},
			{"the same city twice", domain.PathQuery{From: "nanning", To: "nanning"}, domain.EINVALID},
			{"nine hops", domain.PathQuery{From: "nanning", To: "bangkok", MaxHops: 9}, domain.EINVALID},
			{"eleven paths", domain.PathQuery{From: "nanning", To: "bangkok", K: 11}, domain.EINVALID},
			{"an unknown link kind", domain.PathQuery{From: "nanning", To: "bangkok", Via: []domain.LinkKind{"marriage"}}, domain.EINVALID},
			{"a bad date", domain.PathQuery{From: "nanning", To: "bangkok", AsOf: "2015-02-30"}, domain.EINVALID},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, err := s.Paths(context.Background(), tc.q)
				wantCode(t, err, tc.code)
			})
		}
	}},
}

// paths enumerates simple paths level by level, keeping those that reach
// q.To, until K are found or MaxHops is passed. limit bounds the partial
// paths held, so that a careless query fails rather than eats the machine.
func (o *oracle) paths(q domain.PathQuery, limit int) ([]domain.Path, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	links := o.links(q)
	adj := map[string][]string{}
	for k := range links {
		adj[k[0]] = append(adj[k[0]], k[1])
	}
	partial := [][]string{{q.From}}
	var found [][]string
	for hops := 1; hops <= q.MaxHops && len(found) < q.K && len(partial) > 0; hops++ {
		var next, reached [][]string
		for _, p := range partial {
			for _, n := range adj[p[len(p)-1]] {
				if slices.Contains(p, n) {
					continue
				}
				np := append(slices.Clone(p), n)
				if n == q.To {
					reached = append(reached, np)
				} else {
					next = append(next, np)
				}
			}
		}
		if len(next) > limit {
			return nil, fmt.Errorf("oracle: %d partial paths of %d hops; choose a smaller query", len(next), hops)
		}
		slices.SortFunc(reached, slices.Compare)
		found = append(found, reached...)
		partial = next
	}
	if len(found) > q.K {
		found = found[:q.K]
	}
	out := make([]domain.Path, 0, len(found))
	for _, cs := range found {
		p := domain.Path{Cities: cs}
		for i := 0; i+1 < len(cs); i++ {
			p.Hops = append(p.Hops, domain.Hop{From: cs[i], To: cs[i+1], Links: links[[2]string{cs[i], cs[i+1]}]})
		}
		out = append(out, p)
	}
	return out, nil
}
