package neo4jstore

import (
	"context"
	"fmt"

	"github.com/citygraph/citygraph/domain"
)

// Near uses the point index on City.location for the radius, then the
// exact great-circle distance for the answer.
func (s *Store) Near(ctx context.Context, q domain.NearQuery) ([]domain.NearCity, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	cypher, params := nearStatement(q)
	recs, err := s.query(ctx, "finding nearby cities", cypher, params)
	if err != nil {
		return nil, err
	}
	if len(recs) != 1 {
		return nil, domain.Internal(fmt.Errorf("%d rows", len(recs)), "finding nearby cities")
	}
	if found, _ := recs[0].Get("found"); found != true {
		return nil, domain.Errorf(domain.ENOTFOUND, "city %q does not exist", q.City)
	}
	hits, _ := recs[0].Get("hits")
	out := []domain.NearCity{}
	for _, h := range asList(hits) {
		row := asList(h)
		if len(row) == 2 {
			id, _ := row[0].(string)
			d, _ := row[1].(float64)
			out = append(out, domain.NearCity{City: id, DistanceKm: d})
		}
	}
	return out, nil
}

// nearStatement builds Near's statement for a normalized query: the
// centre city by its unique id, the candidates by the point index.
func nearStatement(q domain.NearQuery) (string, map[string]any) {
	params := map[string]any{"city": q.City, "first": int64(q.First), "radius": q.RadiusKm * neo4jPerDomainKm,
		"radiusKm": q.RadiusKm, "lat": 0.0, "lon": 0.0, "byPoint": q.Point != nil}
	if q.Point != nil {
		params["lat"], params["lon"] = q.Point.Lat, q.Point.Lon
	}
	return `
		OPTIONAL MATCH (me:City {id: $city})
		WITH me, CASE WHEN $byPoint THEN point({latitude: $lat, longitude: $lon}) ELSE me.location END AS centre
		CALL (me, centre) {
			MATCH (o:City)
			WHERE point.distance(o.location, centre) <= $radius AND (me IS NULL OR o <> me)
			WITH o, ` + haversine("centre", "o.location") + ` AS d
			WHERE d <= $radiusKm
			ORDER BY d, o.id
			LIMIT $first
			RETURN collect([o.id, d]) AS hits
		}
		RETURN $byPoint OR me IS NOT NULL AS found, hits`, params
}
