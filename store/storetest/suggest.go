package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/citygraph/citygraph/domain"
)

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

func (o *oracle) suggest(q domain.SuggestQuery) []domain.Suggestion {
	if err := q.Normalize(); err != nil {
		panic(err)
	}
	partners := map[string]bool{}
	forums := map[string][]string{}     // city → forums
	agreements := map[string][]string{} // city → agreements
	funders := map[string][]string{}    // city → funding bodies
	for _, e := range o.edges {
		if !e.ActiveOn(q.AsOf) {
			continue
		}
		switch {
		case e.Kind == domain.EdgePartnerOf && (e.From.ID == q.City || e.To.ID == q.City):
			partners[e.Other(cityKey(q.City)).ID] = true
		case e.Kind == domain.EdgeAttended && e.From.Kind == domain.KindCity:
			forums[e.From.ID] = append(forums[e.From.ID], e.To.ID)
		case e.Kind == domain.EdgeSigned:
			agreements[e.From.ID] = append(agreements[e.From.ID], e.To.ID)
		case e.Kind == domain.EdgeFinanced:
			cities, _ := o.projectPlaces(e.To.ID)
			for _, c := range cities {
				funders[c] = append(funders[c], e.From.ID)
			}
		}
	}
	shared := func(m map[string][]string, c string) []string {
		var s []string
		for _, x := range m[c] {
			if slices.Contains(m[q.City], x) {
				s = append(s, x)
			}
		}
		slices.Sort(s)
		return slices.Compact(s)
	}
	me, _ := o.nodes[cityKey(q.City)].(*domain.City)
	var out []domain.Suggestion
	for _, c := range o.cities() {
		if c.ID == q.City || partners[c.ID] {
			continue
		}
		s := domain.Suggestion{City: c.ID, SharedForums: shared(forums, c.ID), SharedAgreements: shared(agreements, c.ID), SharedFunders: shared(funders, c.ID)}
		s.Score = domain.WeightSharedAgreement*len(s.SharedAgreements) + domain.WeightSharedForum*len(s.SharedForums) + domain.WeightSharedFunder*len(s.SharedFunders)
		if s.Score == 0 {
			continue
		}
		if me != nil && me.Location != nil && c.Location != nil {
			d := domain.DistanceKm(*me.Location, *c.Location)
			s.DistanceKm = &d
		}
		out = append(out, s)
	}
	slices.SortFunc(out, domain.CompareSuggestions)
	return out[:min(len(out), q.First)]
}
