package neo4jstore

import (
	"context"
	"fmt"
	"slices"

	"github.com/citygraph/citygraph/domain"
)

// SuggestPartners gathers what each other city shares with q.City (forums
// attended, agreements signed, funding bodies financing projects in both),
// drops its partners, and scores and orders in Cypher.
func (s *Store) SuggestPartners(ctx context.Context, q domain.SuggestQuery) ([]domain.Suggestion, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	cypher, params := suggestStatement(q)
	recs, err := s.query(ctx, "suggesting partners", cypher, params)
	if err != nil {
		return nil, err
	}
	if len(recs) != 1 {
		return nil, domain.Internal(fmt.Errorf("%d rows", len(recs)), "suggesting partners")
	}
	if found, _ := recs[0].Get("found"); found != true {
		return nil, domain.Errorf(domain.ENOTFOUND, "city %q does not exist", q.City)
	}
	items, _ := recs[0].Get("items")
	out := []domain.Suggestion{}
	for _, x := range asList(items) {
		row := asList(x)
		if len(row) != 4 {
			continue
		}
		sg := domain.Suggestion{}
		sg.City, _ = row[0].(string)
		sc, _ := row[1].(int64)
		sg.Score = int(sc)
		if d, ok := row[2].(float64); ok {
			sg.DistanceKm = &d
		}
		for _, sh := range asList(row[3]) {
			pair := asList(sh)
			if len(pair) != 2 {
				continue
			}
			kind, _ := pair[0].(string)
			via, _ := pair[1].(string)
			switch kind {
			case "forum":
				sg.SharedForums = append(sg.SharedForums, via)
			case "agreement":
				sg.SharedAgreements = append(sg.SharedAgreements, via)
			case "funder":
				sg.SharedFunders = append(sg.SharedFunders, via)
			}
		}
		slices.Sort(sg.SharedForums)
		slices.Sort(sg.SharedAgreements)
		slices.Sort(sg.SharedFunders)
		out = append(out, sg)
	}
	return out, nil
}

// suggestStatement builds SuggestPartners' statement for a normalized
// query: the city by its unique id, everything else by expansion from it.
func suggestStatement(q domain.SuggestQuery) (string, map[string]any) {
	return `
		OPTIONAL MATCH (me:City {id: $city})
		CALL (me) {
			CALL (me) {
				MATCH (me)-[r1:ATTENDED]->(v:Forum)<-[r2:ATTENDED]-(o:City)
				WHERE ` + asOf("r1") + ` AND ` + asOf("r2") + `
				RETURN o, 'forum' AS kind, v.id AS via
				UNION
				MATCH (me)-[r1:SIGNED]->(v:Agreement)<-[r2:SIGNED]-(o:City)
				WHERE ` + asOf("r1") + ` AND ` + asOf("r2") + `
				RETURN o, 'agreement' AS kind, v.id AS via
				UNION
				MATCH (me)<-[:LOCATED_IN]-(:Project)<-[r1:FINANCED]-(v:FundingBody)
				WHERE ` + asOf("r1") + `
				WITH DISTINCT me, v
				MATCH (v)-[r2:FINANCED]->(:Project)-[:LOCATED_IN]->(o:City)
				WHERE ` + asOf("r2") + `
				RETURN o, 'funder' AS kind, v.id AS via
			}
			WITH me, o, kind, via
			WHERE o <> me AND NOT EXISTS { (me)-[r:PARTNER_OF]-(o) WHERE ` + asOf("r") + ` }
			WITH me, o, collect([kind, via]) AS shared
			WITH o, shared,
				size([x IN shared WHERE x[0] = 'agreement']) * $wa + size([x IN shared WHERE x[0] = 'forum']) * $wf +
				size([x IN shared WHERE x[0] = 'funder']) * $wfb AS score,
				CASE WHEN me.location IS NULL OR o.location IS NULL THEN null
					ELSE ` + haversine("me.location", "o.location") + ` END AS d
			ORDER BY score DESC, d, o.id
			LIMIT $first
			RETURN collect([o.id, score, d, shared]) AS items
		}
		RETURN me IS NOT NULL AS found, items`, map[string]any{"city": q.City, "asOf": string(q.AsOf),
			"first": int64(q.First), "wa": int64(domain.WeightSharedAgreement), "wf": int64(domain.WeightSharedForum),
			"wfb": int64(domain.WeightSharedFunder)}
}
