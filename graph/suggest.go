package graph

import (
	"fmt"
	"strings"

	"github.com/citygraph/citygraph/domain"
)

// explain says in words why a city is suggested.
func explain(s *domain.Suggestion) string {
	var parts []string
	add := func(n int, one, many string) {
		if n == 1 {
			parts = append(parts, one)
		} else if n > 1 {
			parts = append(parts, fmt.Sprintf(many, n))
		}
	}
	add(len(s.SharedAgreements), "signed 1 agreement in common", "signed %d agreements in common")
	add(len(s.SharedForums), "attended 1 forum in common", "attended %d forums in common")
	add(len(s.SharedFunders), "shares 1 funding body", "shares %d funding bodies")
	out := strings.Join(parts, ", ")
	if s.DistanceKm != nil {
		out += fmt.Sprintf("; %.0f km apart", *s.DistanceKm)
	}
	return fmt.Sprintf("score %d: %s", s.Score, out)
}
