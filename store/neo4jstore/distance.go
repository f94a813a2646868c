package neo4jstore

import (
	"fmt"
)

// haversine is the great-circle distance in km between the points in a and
// b, with domain's Earth radius: Neo4j's point.distance uses 6378.14 km,
// which would differ from the embedded store by 0.1%, so it only serves as
// the index-backed pre-filter.
func haversine(a, b string) string {
	return fmt.Sprintf(`(2 * 6371.0 * asin(sqrt(
		sin(radians(%[2]s.latitude - %[1]s.latitude) / 2) ^ 2 +
		cos(radians(%[1]s.latitude)) * cos(radians(%[2]s.latitude)) *
		sin(radians(%[2]s.longitude - %[1]s.longitude) / 2) ^ 2)))`, a, b)
}

// neo4jPerDomainKm converts a domain radius into Neo4j's point.distance
// metres, with slack so that the pre-filter never drops a city the exact
// haversine keeps.
const neo4jPerDomainKm = 1000 * 6378.14 / 6371.0 * (1 + 1e-9)
