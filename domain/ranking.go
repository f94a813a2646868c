package domain

import (
	"slices"
)

// RankMetric is what cities are ranked by.
type RankMetric string

const (
	RankByPartners   RankMetric = "partners"
	RankByForums     RankMetric = "forums"
	RankByAgreements RankMetric = "agreements"
	RankByFunding    RankMetric = "funding"
)

var RankMetrics = []RankMetric{RankByPartners, RankByForums, RankByAgreements, RankByFunding}

// RankQuery asks for the top cities by a metric.
//
// Contract: cities with a zero value are left out; order is value
// descending, then slug ascending; Rank is competition ranking (1, 2, 2, 4).
// Funding is the sum of financings of projects located in the city, in
// Currency (required for that metric).
type RankQuery struct {
	Metric   RankMetric
	Currency Currency
	Country  string
	Grouping string
	// AsOf keeps a relation that existed on that date (Edge.ActiveOn: an
	// unknown Since counts as always; an Until ends it).
	AsOf  Date
	First int
}

// Normalize validates q and applies defaults.
func (q *RankQuery) Normalize() error {
	if !slices.Contains(RankMetrics, q.Metric) {
		return Errorf(EINVALID, "unknown metric %q; expected one of %v", q.Metric, RankMetrics)
	}
	if q.Metric == RankByFunding {
		if q.Currency == "" {
			return Errorf(EINVALID, "ranking by funding needs a currency: sums are never added across currencies")
		}
		if _, err := ParseCurrency(string(q.Currency)); err != nil {
			return err
		}
	}
	if err := TopCount.Normalize(&q.First); err != nil {
		return err
	}
	_, err := ParseDate(string(q.AsOf))
	return err
}

// RankedCity is one row of a ranking; Value is a count, or hundredths of
// the currency for funding (see Decimal).
type RankedCity struct {
	City  string
	Value int64
	Rank  int
}
