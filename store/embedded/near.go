package embedded

import (
	"cmp"
	"context"

	"github.com/citygraph/citygraph/domain"
)

// Near returns cities within a distance, nearest first. See domain.NearQuery.
func (s *Store) Near(ctx context.Context, q domain.NearQuery) ([]domain.NearCity, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	return read(s, ctx, func(st *state) ([]domain.NearCity, error) {
		centre := q.Point
		if q.City != "" {
			c, ok := st.nodes[cityKey(q.City)].(*domain.City)
			if !ok {
				return nil, domain.Errorf(domain.ENOTFOUND, "city %q does not exist", q.City)
			}
			if c.Location == nil {
				return nil, domain.Errorf(domain.EINVALID, "city %q has no known location to measure from; give a point instead", q.City)
			}
			centre = c.Location
		}
		dl := newDeadline(ctx, "finding cities near a place", "a shorter distance (withinKm)")
		nearest := newBest(q.First, func(a, b domain.NearCity) int {
			return cmp.Or(cmp.Compare(a.DistanceKm, b.DistanceKm), cmp.Compare(a.City, b.City))
		})
		for _, id := range st.byKind[domain.KindCity] {
			if dl.tick() {
				return nil, dl.Err()
			}
			c := st.nodes[cityKey(id)].(*domain.City)
			if id == q.City || c.Location == nil {
				continue
			}
			if d := domain.DistanceKm(*centre, *c.Location); d <= q.RadiusKm {
				nearest.offer(domain.NearCity{City: id, DistanceKm: d})
			}
		}
		if len(nearest.items) == 0 {
			return nil, nil // as an empty answer always was
		}
		return nearest.items, nil
	})
}
