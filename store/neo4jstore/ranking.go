package neo4jstore

import (
	"context"

	"github.com/citygraph/citygraph/domain"
)

// rankedCities matches the cities a ranking covers. With a country or a
// grouping it starts from that node's unique index and expands to its
// cities; only an unfiltered ranking reads every city. The SEEK hints are
// there because on a newly loaded database the planner, estimating from
// fresh statistics, sometimes scanned every Country's index entry and
// filtered instead of seeking the one asked for (seen in CI); a plain
// index hint let it keep that scan.
func rankedCities(q domain.RankQuery) string {
	switch {
	case q.Country != "" && q.Grouping != "":
		return `MATCH (:Grouping {id: $grouping})<-[:MEMBER_OF]-(k:Country {id: $country})<-[:IN_COUNTRY]-(c:City)
		USING INDEX SEEK k:Country(id)`
	case q.Country != "":
		return `MATCH (k:Country {id: $country})<-[:IN_COUNTRY]-(c:City) USING INDEX SEEK k:Country(id)`
	case q.Grouping != "":
		return `MATCH (g:Grouping {id: $grouping})<-[:MEMBER_OF]-(:Country)<-[:IN_COUNTRY]-(c:City) USING INDEX SEEK g:Grouping(id)`
	}
	return `MATCH (c:City)`
}

// RankCities computes each city's value in a subquery, drops zeros, and
// orders by value then slug; competition ranks are numbered here.
func (s *Store) RankCities(ctx context.Context, q domain.RankQuery) ([]domain.RankedCity, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	cypher, params := rankStatement(q)
	recs, err := s.query(ctx, "ranking cities", cypher, params)
	if err != nil {
		return nil, err
	}
	out := []domain.RankedCity{}
	for i, rec := range recs {
		rc := domain.RankedCity{City: getStr(rec, "city"), Value: getInt(rec, "v"), Rank: i + 1}
		if i > 0 && rc.Value == out[i-1].Value {
			rc.Rank = out[i-1].Rank
		}
		out = append(out, rc)
	}
	return out, nil
}

// rankStatement builds RankCities' statement for a normalized query. It
// reads every city it ranks (all of them, or a country's or grouping's,
// reached from that node): a ranking needs each candidate's value, and
// the values are degrees or expansions from each city.
func rankStatement(q domain.RankQuery) (string, map[string]any) {
	// Without asOf a count is the city's degree for one relationship type:
	// Neo4j reads that from the node's degree store without expanding a
	// relationship (measured at 100,000 cities: see docs/benchmarks.md).
	// The far ends need no check: domain.EdgeRules only lets a city
	// partner a city, attend a forum and sign an agreement.
	var value string
	switch {
	case q.Metric == domain.RankByPartners && q.AsOf == "":
		value = "count { (c)-[:PARTNER_OF]-() }"
	case q.Metric == domain.RankByForums && q.AsOf == "":
		value = "count { (c)-[:ATTENDED]->() }"
	case q.Metric == domain.RankByAgreements && q.AsOf == "":
		value = "count { (c)-[:SIGNED]->() }"
	case q.Metric == domain.RankByPartners:
		value = "count { (c)-[r:PARTNER_OF]-() WHERE " + asOf("r") + " }"
	case q.Metric == domain.RankByForums:
		value = "count { (c)-[r:ATTENDED]->() WHERE " + asOf("r") + " }"
	case q.Metric == domain.RankByAgreements:
		value = "count { (c)-[r:SIGNED]->() WHERE " + asOf("r") + " }"
	default:
		value = `COLLECT { MATCH (c)<-[:LOCATED_IN]-(:Project)<-[r:FINANCED]-(:FundingBody)
			WHERE r.currency = $currency AND ` + asOf("r") + ` RETURN sum(r.amount) }[0]`
	}
	return `
		` + rankedCities(q) + `
		WITH c, ` + value + ` AS v
		WHERE v > 0
		RETURN c.id AS city, v
		ORDER BY v DESC, city
		LIMIT $first`, map[string]any{"country": q.Country, "grouping": q.Grouping, "asOf": string(q.AsOf),
			"currency": string(q.Currency), "first": int64(q.First)}
}
