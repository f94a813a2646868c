package storetest

import (
	"context"
	"testing"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/seed"
)

// ProjectSeed returns the project's own seed data (package seed).
func ProjectSeed(t testing.TB) *domain.Batch {
	t.Helper()
	b, err := seed.ProjectBatch()
	if err != nil {
		t.Fatalf("seed.ProjectBatch: %v", err)
	}
	return b
}

// seedTests check the project's real seed data: that it loads, and that
// the facts the source article states read back, alongside oracle checks.
var seedTests = []test{
	{"loads whole and reloads unchanged", func(t *testing.T, open func(*testing.T) domain.Store) {
		s := open(t)
		b := ProjectSeed(t)
		eqReport(t, mustApply(t, s, b), batchCounts(b))
		eqReport(t, mustApply(t, s, ProjectSeed(t)), allUnchanged(b))
	}},
	{"states the 2015 forum's facts", func(t *testing.T, open func(*testing.T) domain.Store) {
		s := open(t)
		b := ProjectSeed(t)
		mustApply(t, s, b)
		ctx := context.Background()
		forum := domain.NodeKey{Kind: domain.KindForum, ID: "cam-2015"}
		for role, want := range map[domain.Role]int{domain.RoleHost: 2, domain.RoleOrganiser: 4} {
			p := must[[]domain.EdgePage](t)(s.Edges(ctx, domain.EdgeQuery{Kind: domain.EdgeOrganised, Direction: domain.In, Role: role}, []domain.NodeKey{forum}))
			if p[0].TotalCount != want {
				t.Errorf("%s: got %d (%v), want %d", role, p[0].TotalCount, others(forum, p[0]), want)
			}
		}
		called := must[[]domain.EdgePage](t)(s.Edges(ctx, domain.EdgeQuery{Kind: domain.EdgeCalledOn, Order: domain.OrderByPosition}, []domain.NodeKey{forum}))
		eqStrings(t, "funding bodies called on", sortedCopy(others(forum, called[0])), []string{"adb", "aiib", "ndb", "srf"})
		for _, pair := range [][2]string{{"nanning", "davao"}, {"davao", "nanning"}} {
			p := must[[]domain.EdgePage](t)(s.Edges(ctx, domain.EdgeQuery{Kind: domain.EdgePartnerOf, Page: domain.Page{First: 100}}, []domain.NodeKey{cityKey(pair[0])}))
			found := false
			for _, o := range others(cityKey(pair[0]), p[0]) {
				found = found || o == pair[1]
			}
			if !found {
				t.Errorf("%s's partners %v do not include %s", pair[0], others(cityKey(pair[0]), p[0]), pair[1])
			}
		}
		hits := must[[]domain.SearchHit](t)(s.Search(ctx, domain.SearchQuery{Text: "南宁"}))
		if len(hits) == 0 || hits[0].Key != cityKey("nanning") {
			t.Errorf("search 南宁: got %+v, want City:nanning first", hits)
		}
	}},
	{"analytics match the oracles", func(t *testing.T, open func(*testing.T) domain.Store) {
		s := open(t)
		b := ProjectSeed(t)
		mustApply(t, s, b)
		o := newOracle(b)
		ctx := context.Background()
		for _, g := range domain.FundingGroups {
			q := domain.FundingQuery{GroupBy: g}
			eqValue(t, string(g), must[[]domain.FundingTotal](t)(s.FundingTotals(ctx, q)), o.funding(q))
		}
		for _, m := range []domain.RankMetric{domain.RankByPartners, domain.RankByForums} {
			q := domain.RankQuery{Metric: m, First: 100}
			eqValue(t, string(m), must[[]domain.RankedCity](t)(s.RankCities(ctx, q)), o.rank(q))
		}
		for _, text := range []string{"南宁", "丝路", "Nanning", "mayors forum"} {
			q := domain.SearchQuery{Text: text, First: 100}
			eqValue(t, text, must[[]domain.SearchHit](t)(s.Search(ctx, q)), o.search(q))
		}
		q := domain.PathQuery{From: "yangon", To: "davao", K: 3}
		want, err := o.paths(q, 1_000_000)
		if err != nil {
			t.Fatal(err)
		}
		if len(want) == 0 {
			t.Errorf("the oracle finds no path from Yangon to Davao; the check tests nothing")
		}
		eqValue(t, "paths Yangon–Davao", must[[]domain.Path](t)(s.Paths(ctx, q)), want)
	}},
}
