package storetest

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/synth"
)

// Synth is the synthetic graph the analytic oracles run on.
func Synth(t testing.TB) *domain.Batch {
	t.Helper()
	return synth.Generate(42, 300)
}

func withSynth(t *testing.T, open func(*testing.T) domain.Store) (domain.Store, *oracle) {
	t.Helper()
	s := open(t)
	b := Synth(t)
	mustApply(t, s, b)
	return s, newOracle(Synth(t))
}

func synthCity(i int) string { return fmt.Sprintf("city-%05d", i) }

func eqValue(t *testing.T, what string, got, want any) {
	t.Helper()
	if !sameValue(got, want) {
		t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

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

var fundingTests = []test{
	{"fixture: totals by funding body in USD match the financings", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, b := withFixture(t, open)
		want := map[string]domain.Decimal{}
		for _, e := range b.Edges {
			if e.Kind == domain.EdgeFinanced && e.Amount.Currency == "USD" {
				want[e.From.ID] += e.Amount.Amount
			}
		}
		got := must[[]domain.FundingTotal](t)(s.FundingTotals(context.Background(), domain.FundingQuery{GroupBy: domain.GroupByFundingBody, Currency: "USD"}))
		if len(got) != len(want) {
			t.Fatalf("got %d groups %+v, want %d", len(got), got, len(want))
		}
		for _, g := range got {
			if g.Amount != want[g.Group] {
				t.Errorf("%s: got %s USD, want %s", g.Group, g.Amount, want[g.Group])
			}
		}
		// AIIB: 40m + 207.6m + 33m + 20m + 216.5m.
		if got[1].Group != "aiib" || got[1].Amount.String() != "517100000" || got[1].Projects != 5 {
			t.Errorf("got %+v, want AIIB with USD 517,100,000 over 5 projects", got[1])
		}
	}},
	{"fixture: a project in two cities counts in each and once in its country", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, _ := withFixture(t, open)
		byCity := must[[]domain.FundingTotal](t)(s.FundingTotals(context.Background(), domain.FundingQuery{GroupBy: domain.GroupByCity, Country: "KH"}))
		want := []domain.FundingTotal{
			{Group: "phnom-penh", Currency: "USD", Amount: 33_000_000_00, Projects: 1, Financings: 1},
			{Group: "siem-reap", Currency: "USD", Amount: 83_000_000_00, Projects: 2, Financings: 2},
		}
		eqValue(t, "Cambodian cities", byCity, want)
		byCountry := must[[]domain.FundingTotal](t)(s.FundingTotals(context.Background(), domain.FundingQuery{GroupBy: domain.GroupByCountry, Country: "KH"}))
		eqValue(t, "Cambodia", byCountry, []domain.FundingTotal{{Group: "KH", Currency: "USD", Amount: 153_000_000_00, Projects: 3, Financings: 3}})
	}},
	{"synthetic graph: every grouping and filter matches plain sums", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, o := withSynth(t, open)
		var qs []domain.FundingQuery
		for _, g := range domain.FundingGroups {
			qs = append(qs,
				domain.FundingQuery{GroupBy: g},
				domain.FundingQuery{GroupBy: g, Currency: "CNY"},
				domain.FundingQuery{GroupBy: g, FundingBody: "aiib", From: "2015", To: "2019"},
				domain.FundingQuery{GroupBy: g, Country: "AB"},
				domain.FundingQuery{GroupBy: g, Sector: domain.SectorWater, Currency: "USD"},
				domain.FundingQuery{GroupBy: g, City: synthCity(7)},
				domain.FundingQuery{GroupBy: g, From: "2020-06"},
				domain.FundingQuery{GroupBy: g, To: "2012-03"},
			)
		}
		answered := 0
		defer func() { wantMostAnswered(t, answered, len(qs)) }()
		for _, q := range qs {
			t.Run(fmt.Sprintf("%+v", q), func(t *testing.T) {
				got := must[[]domain.FundingTotal](t)(s.FundingTotals(context.Background(), q))
				want := o.funding(q)
				answered += min(len(want), 1)
				eqValue(t, "totals", got, want)
			})
		}
	}},
	{"rejects bad queries", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, _ := withFixture(t, open)
		for name, q := range map[string]domain.FundingQuery{
			"an unknown currency":    {GroupBy: domain.GroupByCity, Currency: "XYZ"},
			"an unknown grouping":    {GroupBy: "planet"},
			"an unknown sector":      {GroupBy: domain.GroupByCity, Sector: "mining"},
			"a reversed range":       {GroupBy: domain.GroupByYear, From: "2020", To: "2019"},
			"a date that is not one": {GroupBy: domain.GroupByYear, From: "20"},
		} {
			t.Run(name, func(t *testing.T) {
				_, err := s.FundingTotals(context.Background(), q)
				wantCode(t, err, domain.EINVALID)
			})
		}
	}},
}

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
					domain.RankQuery{Metric: m, Currency: c, Country: "AC"},
					domain.RankQuery{Metric: m, Currency: c, Grouping: "asean", AsOf: "2010", First: 50},
					// AB is in the grouping, AC is not: an empty answer.
					domain.RankQuery{Metric: m, Currency: c, Country: "AB", Grouping: "asean"},
					domain.RankQuery{Metric: m, Currency: c, Country: "AC", Grouping: "asean"},
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

var suggestTests = []test{
	{"fixture: Manila shares AIIB with Vientiane, Phnom Penh and Siem Reap", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, b := withFixture(t, open)
		got := must[[]domain.Suggestion](t)(s.SuggestPartners(context.Background(), domain.SuggestQuery{City: "manila"}))
		eqValue(t, "suggestions", got, newOracle(b).suggest(domain.SuggestQuery{City: "manila"}))
		var cities []string
		for _, g := range got {
			cities = append(cities, g.City)
			if g.Score != 1 || len(g.SharedFunders) != 1 || g.SharedFunders[0] != "aiib" || g.DistanceKm == nil {
				t.Errorf("got %+v, want score 1 through AIIB with a distance", g)
			}
		}
		eqStrings(t, "suggested cities", sortedCopy(cities), []string{"phnom-penh", "siem-reap", "vientiane"})
		none := must[[]domain.Suggestion](t)(s.SuggestPartners(context.Background(), domain.SuggestQuery{City: "kunming"}))
		if len(none) != 0 {
			t.Errorf("got %+v for Kunming, which shares nothing, want none", none)
		}
	}},
	{"synthetic graph: suggestions match plain set intersections", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, o := withSynth(t, open)
		answered := 0
		defer func() { wantMostAnswered(t, answered, 24) }()
		for i := range 12 {
			for _, q := range []domain.SuggestQuery{
				{City: synthCity(i * 23)},
				{City: synthCity(i*23 + 1), AsOf: "2012", First: 100},
			} {
				t.Run(fmt.Sprintf("%+v", q), func(t *testing.T) {
					got := must[[]domain.Suggestion](t)(s.SuggestPartners(context.Background(), q))
					want := o.suggest(q)
					answered += min(len(want), 1)
					if !sameSuggestions(got, want) {
						t.Errorf("suggestions:\n got %s\nwant %s", fmtSuggestions(got), fmtSuggestions(want))
					}
				})
			}
		}
	}},
	{"rejects bad queries", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, _ := withFixture(t, open)
		_, err := s.SuggestPartners(context.Background(), domain.SuggestQuery{City: "atlantis"})
		wantCode(t, err, domain.ENOTFOUND)
		_, err = s.SuggestPartners(context.Background(), domain.SuggestQuery{City: "nanning", First: 101})
		wantCode(t, err, domain.EINVALID)
		_, err = s.SuggestPartners(context.Background(), domain.SuggestQuery{City: "no such city"})
		wantCode(t, err, domain.EINVALID)
	}},
}

// sameSuggestions compares suggestions, allowing distances to differ by the
// contract's 1e-6 relative tolerance.
func sameSuggestions(got, want []domain.Suggestion) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		g, w := got[i], want[i]
		if (g.DistanceKm == nil) != (w.DistanceKm == nil) || (g.DistanceKm != nil && !closeKm(*g.DistanceKm, *w.DistanceKm)) {
			return false
		}
		g.DistanceKm, w.DistanceKm = nil, nil
		if !sameValue(g, w) {
			return false
		}
	}
	return true
}

func fmtSuggestions(s []domain.Suggestion) string {
	out := ""
	for _, x := range s {
		d := "?"
		if x.DistanceKm != nil {
			d = fmt.Sprintf("%.3f", *x.DistanceKm)
		}
		out += fmt.Sprintf("\n  %s score %d %skm f%v a%v $%v", x.City, x.Score, d, x.SharedForums, x.SharedAgreements, x.SharedFunders)
	}
	return out
}

func closeKm(a, b float64) bool { return math.Abs(a-b) <= 1e-6*math.Max(1, math.Max(a, b)) }

var nearTests = []test{
	{"fixture: Mandaluyong is Manila's only neighbour within 100 km", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, b := withFixture(t, open)
		got := must[[]domain.NearCity](t)(s.Near(context.Background(), domain.NearQuery{City: "manila", RadiusKm: 100}))
		if len(got) != 1 || got[0].City != "mandaluyong" || got[0].DistanceKm < 5 || got[0].DistanceKm > 10 {
			t.Errorf("got %+v, want Mandaluyong at 5–10 km", got)
		}
		o := newOracle(b)
		for _, q := range []domain.NearQuery{
			{City: "nanning", RadiusKm: 2000, First: 100},
			{Point: &domain.GeoPoint{Lat: 22.8, Lon: 108.3}, RadiusKm: 1000},
			{City: "nanning", RadiusKm: 0},
			{City: "jakarta", RadiusKm: domain.MaxRadiusKm, First: 3},
		} {
			got := must[[]domain.NearCity](t)(s.Near(context.Background(), q))
			if !sameNear(got, o.near(q)) {
				t.Errorf("%+v:\n got %+v\nwant %+v", q, got, o.near(q))
			}
		}
	}},
	{"synthetic graph: cities near matches plain distances", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, o := withSynth(t, open)
		answered := 0
		defer func() { wantMostAnswered(t, answered, 30) }()
		for i := range 10 {
			for _, q := range []domain.NearQuery{
				{City: synthCity(i * 29), RadiusKm: 300, First: 100},
				{City: synthCity(i*29 + 3), RadiusKm: 1500, First: 7},
				{Point: &domain.GeoPoint{Lat: float64(i * 4), Lon: 100 + float64(i)}, RadiusKm: 500, First: 100},
			} {
				t.Run(fmt.Sprintf("%s %v %v", q.City, q.Point, q.RadiusKm), func(t *testing.T) {
					if q.City != "" && o.nodes[cityKey(q.City)].(*domain.City).Location == nil {
						t.Skip("this city has no location")
					}
					got := must[[]domain.NearCity](t)(s.Near(context.Background(), q))
					want := o.near(q)
					answered += min(len(want), 1)
					if !sameNear(got, want) {
						t.Errorf("got %+v\nwant %+v", got, want)
					}
				})
			}
		}
	}},
	{"rejects bad queries", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, _ := withFixture(t, open)
		cases := []struct {
			name string
			q    domain.NearQuery
			code domain.Code
		}{
			{"an unknown city", domain.NearQuery{City: "atlantis", RadiusKm: 10}, domain.ENOTFOUND},
			{"a negative distance", domain.NearQuery{City: "nanning", RadiusKm: -1}, domain.EINVALID},
			{"neither city nor point", domain.NearQuery{RadiusKm: 10}, domain.EINVALID},
			{"both city and point", domain.NearQuery{City: "nanning", Point: &domain.GeoPoint{}, RadiusKm: 10}, domain.EINVALID},
			{"a point off the globe", domain.NearQuery{Point: &domain.GeoPoint{Lat: 91}, RadiusKm: 10}, domain.EINVALID},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, err := s.Near(context.Background(), tc.q)
				wantCode(t, err, tc.code)
			})
		}
	}},
}

func sameNear(got, want []domain.NearCity) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i].City != want[i].City || !closeKm(got[i].DistanceKm, want[i].DistanceKm) {
			return false
		}
	}
	return true
}

var searchTests = []test{
	{"fixture: English and Chinese", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, b := withFixture(t, open)
		o := newOracle(b)
		cases := []struct {
			q     domain.SearchQuery
			first domain.NodeKey // the best hit
		}{
			{domain.SearchQuery{Text: "南宁"}, cityKey("nanning")},
			{domain.SearchQuery{Text: "Nanning"}, cityKey("nanning")},
			{domain.SearchQuery{Text: "nanning consensus"}, domain.NodeKey{Kind: domain.KindAgreement, ID: "nanning-consensus"}},
			{domain.SearchQuery{Text: "丝路"}, fbKey("srf")},
			{domain.SearchQuery{Text: "亚投行"}, fbKey("aiib")},
			{domain.SearchQuery{Text: "  aiib "}, fbKey("aiib")},
			{domain.SearchQuery{Text: "mayors", Kinds: []domain.Kind{domain.KindOrganization}}, orgKey("china-association-of-mayors")},
			{domain.SearchQuery{Text: "belt initiative"}, domain.NodeKey{Kind: domain.KindInitiative, ID: "belt-and-road"}},
		}
		for _, tc := range cases {
			t.Run(tc.q.Text, func(t *testing.T) {
				got := must[[]domain.SearchHit](t)(s.Search(context.Background(), tc.q))
				if len(got) == 0 || got[0].Key != tc.first {
					t.Fatalf("got %+v, want %s first", got, tc.first)
				}
				eqValue(t, "hits", got, o.search(tc.q))
			})
		}
		none := must[[]domain.SearchHit](t)(s.Search(context.Background(), domain.SearchQuery{Text: "Atlantis"}))
		if len(none) != 0 {
			t.Errorf("got %+v for Atlantis, want nothing", none)
		}
	}},
	{"synthetic graph: hits match a plain substring scan", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, o := withSynth(t, open)
		for _, q := range []domain.SearchQuery{
			{Text: "city 0001", First: 100},
			{Text: "城市0002", First: 100},
			{Text: "城市00021"},
			{Text: "Silk Road", First: 100},
			{Text: "silk port", First: 100},
			{Text: "Port 7"},
			{Text: "论坛", Kinds: []domain.Kind{domain.KindForum, domain.KindForumSeries}, First: 100},
			{Text: "bank", Kinds: []domain.Kind{domain.KindFundingBody}},
			{Text: "project 0004", First: 5},
		} {
			t.Run(q.Text, func(t *testing.T) {
				got := must[[]domain.SearchHit](t)(s.Search(context.Background(), q))
				want := o.search(q)
				if len(want) == 0 {
					t.Fatalf("the oracle finds nothing for %q; the query checks nothing", q.Text)
				}
				eqValue(t, "hits", got, want)
			})
		}
	}},
	{"rejects bad queries", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, _ := withFixture(t, open)
		for name, q := range map[string]domain.SearchQuery{
			"empty text":      {Text: "  "},
			"an unknown kind": {Text: "x", Kinds: []domain.Kind{"Planet"}},
			"first over 100":  {Text: "x", First: 101},
		} {
			t.Run(name, func(t *testing.T) {
				_, err := s.Search(context.Background(), q)
				wantCode(t, err, domain.EINVALID)
			})
		}
	}},
}

// wantMostAnswered guards the oracle comparisons against checking nothing:
// if most queries have empty answers, the generated graph no longer
// exercises the analytic and the queries need choosing again.
func wantMostAnswered(t *testing.T, answered, total int) {
	t.Helper()
	if answered*2 < total {
		t.Errorf("only %d of %d queries have a non-empty answer; choose queries that exercise the analytic", answered, total)
	}
}
