package storetest

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/citygraph/citygraph/domain"
)

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

func (o *oracle) near(q domain.NearQuery) []domain.NearCity {
	if err := q.Normalize(); err != nil {
		panic(err)
	}
	centre := q.Point
	if q.City != "" {
		centre = o.nodes[cityKey(q.City)].(*domain.City).Location
	}
	var out []domain.NearCity
	for _, c := range o.cities() {
		if c.ID == q.City || c.Location == nil {
			continue
		}
		if d := domain.DistanceKm(*centre, *c.Location); d <= q.RadiusKm {
			out = append(out, domain.NearCity{City: c.ID, DistanceKm: d})
		}
	}
	slices.SortFunc(out, func(a, b domain.NearCity) int {
		return cmp.Or(cmp.Compare(a.DistanceKm, b.DistanceKm), cmp.Compare(a.City, b.City))
	})
	return out[:min(len(out), q.First)]
}
