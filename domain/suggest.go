package domain

import (
	"cmp"
)

// Suggestion weights: an agreement signed together says more than a forum
// attended together, which says more than a funder in common.
const (
	WeightSharedAgreement = 3
	WeightSharedForum     = 2
	WeightSharedFunder    = 1
)

// SuggestQuery asks for suggested partners of City.
//
// Contract: candidates are cities other than City that are not its
// partners (as of AsOf) and share at least one forum attended, agreement
// signed or funding body (a body that financed projects located in both).
// Score = 3×agreements + 2×forums + 1×funders. Order: score descending,
// distance ascending (unknown last), slug ascending.
type SuggestQuery struct {
	City string
	// AsOf keeps a relation that existed on that date (Edge.ActiveOn: an
	// unknown Since counts as always; an Until ends it).
	AsOf  Date
	First int
}

// Normalize validates q and applies defaults.
func (q *SuggestQuery) Normalize() error {
	if err := ValidateSlug(q.City); err != nil {
		return err
	}
	if err := SuggestionCount.Normalize(&q.First); err != nil {
		return err
	}
	_, err := ParseDate(string(q.AsOf))
	return err
}

// Suggestion is a proposed partner with what it shares.
type Suggestion struct {
	City             string
	Score            int
	SharedForums     []string
	SharedAgreements []string
	SharedFunders    []string
	// DistanceKm is nil when either city has no location.
	DistanceKm *float64
}

// CompareSuggestions is the order of SuggestPartners' answer: score
// descending, distance ascending with unknown distances last, slug
// ascending. Stores and the contract suite sort with it.
func CompareSuggestions(a, b Suggestion) int {
	if a.Score != b.Score {
		return cmp.Compare(b.Score, a.Score)
	}
	switch {
	case a.DistanceKm != nil && b.DistanceKm != nil && *a.DistanceKm != *b.DistanceKm:
		return cmp.Compare(*a.DistanceKm, *b.DistanceKm)
	case a.DistanceKm != nil && b.DistanceKm == nil:
		return -1
	case a.DistanceKm == nil && b.DistanceKm != nil:
		return 1
	}
	return cmp.Compare(a.City, b.City)
}
