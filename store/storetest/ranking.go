package storetest

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/synth"
)

var rankTests = []test{
	{"fixture: Nanning and Beijing lead by partners", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, _ := withFixture(t, open)
		got := must[[]domain.RankedCity](t)(s.RankCities(context.Background(), domain.RankQuery{Metric: domain.RankByPartners, Country: "CN"}))
		want := []domain.RankedCity{
			{City: "beijing", Value: 3, Rank: 1}, {City: "nanning", Value: 3, Rank: 1},
			{City: "chongqing", Value: 2, Rank: 3}, {City: "kunming", Value: 2, Rank: 3}, {City: "xiamen", Value: 2, Rank: 3},
			{City: "shanghai", Value: 1, Rank: 6},
		}
		eqValue(t, "Chinese cities by partners", got, want)
		got = must[[]domain.RankedCity](t)(s.RankCities(context.Background(), domain.RankQuery{Metric: domain.RankByFunding, Currency: "USD", First: 2}))
		eqValue(t, "cities by USD funding", got, []domain.RankedCity{{City: "manila", Value: 207_600_000_00, Rank: 1}, {City: "siem-reap", Value: 83_000_000_00, Rank: 2}})
	}},
	{"synthetic graph: every metric matches plain counts", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, o := withSynth(t, open)
		var qs []domain.RankQuery
		for _, m := range domain.RankMetrics {
			for _, cur := range []domain.Currency{"USD", "EUR"} {
				if m != domain.RankByFunding && cur != "USD" {
					continue
				}
				c := domain.Currency("")
				if m == domain.RankByFunding {
					c = cur
				}
				qs = append(qs,
					domain.RankQuery{Metric: m, Currency: c, First: 100},
					domain.RankQuery{Metric: m, Currency: c, Country: synth.Country(2)},
					domain.RankQuery{Metric: m, Currency: c, Grouping: synth.Grouping, AsOf: "2010", First: 50},
					// Country 1 is in the grouping, country 2 is not: an empty answer.
					domain.RankQuery{Metric: m, Currency: c, Country: synth.Country(1), Grouping: synth.Grouping},
					domain.RankQuery{Metric: m, Currency: c, Country: synth.Country(2), Grouping: synth.Grouping},
				)
			}
		}
		answered := 0
		defer func() { wantMostAnswered(t, answered, len(qs)) }()
		for _, q := range qs {
			t.Run(fmt.Sprintf("%+v", q), func(t *testing.T) {
				got := must[[]domain.RankedCity](t)(s.RankCities(context.Background(), q))
				want := o.rank(q)
				answered += min(len(want), 1)
				eqValue(t, "ranking", got, want)
			})
		}
	}},
	{"rejects bad queries", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, _ := withFixture(t, open)
		for name, q := range map[string]domain.RankQuery{
			"an unknown metric":          {Metric: "beauty"},
			"funding without a currency": {Metric: domain.RankByFunding},
			"an unknown currency":        {Metric: domain.RankByFunding, Currency: "XYZ"},
			"first over 100":             {Metric: domain.RankByPartners, First: 101},
		} {
			t.Run(name, func(t *testing.T) {
				_, err := s.RankCities(context.Background(), q)
				wantCode(t, err, domain.EINVALID)
			})
		}
	}},
}

func (o *oracle) cityIn(city, country, grouping string) bool {
	cs := o.cityCountry[city]
	if country != "" && !slices.Contains(cs, country) {
		return false
	}
	if grouping != "" && !slices.ContainsFunc(cs, func(c string) bool { return o.grouping[grouping][c] }) {
		return false
	}
	return true
}

func (o *oracle) rank(q domain.RankQuery) []domain.RankedCity {
	if err := q.Normalize(); err != nil {
		panic(err)
	}
	values := map[string]int64{}
	for _, e := range o.edges {
		if !e.ActiveOn(q.AsOf) {
			continue
		}
		switch {
		case q.Metric == domain.RankByPartners && e.Kind == domain.EdgePartnerOf:
			values[e.From.ID]++
			values[e.To.ID]++
		case q.Metric == domain.RankByForums && e.Kind == domain.EdgeAttended && e.From.Kind == domain.KindCity,
			q.Metric == domain.RankByAgreements && e.Kind == domain.EdgeSigned:
			values[e.From.ID]++
		case q.Metric == domain.RankByFunding && e.Kind == domain.EdgeFinanced && e.Amount.Currency == q.Currency:
			cities, _ := o.projectPlaces(e.To.ID)
			for _, c := range cities {
				values[c] += int64(e.Amount.Amount)
			}
		}
	}
	var out []domain.RankedCity
	for c, v := range values {
		if v > 0 && o.cityIn(c, q.Country, q.Grouping) {
			out = append(out, domain.RankedCity{City: c, Value: v})
		}
	}
	slices.SortFunc(out, func(a, b domain.RankedCity) int {
		return cmp.Or(cmp.Compare(b.Value, a.Value), cmp.Compare(a.City, b.City))
	})
	for i := range out {
		out[i].Rank = i + 1
		if i > 0 && out[i].Value == out[i-1].Value {
			out[i].Rank = out[i-1].Rank
		}
	}
	return out[:min(len(out), q.First)]
}
