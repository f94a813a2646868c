package domain

import (
	"math"
)

// MaxRadiusKm is half the Earth's circumference: every point is within it.
const MaxRadiusKm = math.Pi * earthRadiusKm

// NearQuery asks for cities within RadiusKm of City or of Point (exactly
// one of them).
//
// Contract: nearest first, ties by slug; the centre city itself is left
// out; distances are great-circle kilometres (stores may differ by 1e-6
// relative).
type NearQuery struct {
	City     string
	Point    *GeoPoint
	RadiusKm float64
	First    int
}

// Normalize validates q and applies defaults.
func (q *NearQuery) Normalize() error {
	if (q.City == "") == (q.Point == nil) {
		return Errorf(EINVALID, "give either a city or a point to measure from, not both or neither")
	}
	if q.Point != nil {
		if err := q.Point.Validate(); err != nil {
			return err
		}
	} else if err := ValidateSlug(q.City); err != nil {
		return err
	}
	if math.IsNaN(q.RadiusKm) || q.RadiusKm < 0 {
		return Errorf(EINVALID, "distance must be zero or more kilometres, got %v", q.RadiusKm)
	}
	if err := TopCount.Normalize(&q.First); err != nil {
		return err
	}
	return nil
}

// NearCity is a city and its distance from the centre.
type NearCity struct {
	City       string
	DistanceKm float64
}
