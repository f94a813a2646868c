package embedded

import (
	"cmp"
	"context"

	"github.com/citygraph/citygraph/domain"
)

// rankOrder is the ranking's order: value descending, then slug.
func rankOrder(a, b domain.RankedCity) int {
	return cmp.Or(cmp.Compare(b.Value, a.Value), cmp.Compare(a.City, b.City))
}

// RankCities ranks cities by a metric. See domain.RankQuery.
func (s *Store) RankCities(ctx context.Context, q domain.RankQuery) ([]domain.RankedCity, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	return read(s, ctx, func(st *state) ([]domain.RankedCity, error) {
		dl := newDeadline(ctx, "ranking cities", "a shorter ranking (first) or one country or grouping")
		top := newBest(q.First, rankOrder)
		offer := func(c string, v int64) {
			if v > 0 && st.inPlace(cityKey(c), q.Country, q.Grouping) {
				top.offer(domain.RankedCity{City: c, Value: v})
			}
		}
		if q.Metric == domain.RankByFunding {
			values := map[string]int64{}
			st.financings(dl, func(f financing) {
				if f.e.Amount.Currency == q.Currency && f.e.ActiveOn(q.AsOf) {
					for _, c := range f.cities {
						values[c] += int64(f.e.Amount.Amount)
					}
				}
			})
			for c, v := range values {
				if dl.tick() {
					break
				}
				offer(c, v)
			}
		} else {
			kind, dir := domain.EdgePartnerOf, domain.Both
			switch q.Metric {
			case domain.RankByForums:
				kind, dir = domain.EdgeAttended, domain.Out
			case domain.RankByAgreements:
				kind, dir = domain.EdgeSigned, domain.Out
			}
			i := edgeKindIndex[kind]
			for n, c := range st.byKind[domain.KindCity] {
				if dl.tick() {
					break
				}
				a := st.cityAdj[n]
				lists := [][]*domain.Edge{a.out[i], nil}
				if dir == domain.Both {
					lists[1] = a.in[i]
				}
				var v int64
				for _, list := range lists {
					if q.AsOf == "" {
						v += int64(len(list)) // every edge is active now
						continue
					}
					for _, e := range list {
						if e.ActiveOn(q.AsOf) {
							v++
						}
					}
				}
				offer(c, v)
			}
		}
		if dl.stopped() {
			return nil, dl.Err()
		}
		if len(top.items) == 0 {
			return nil, nil // as an empty ranking always was
		}
		out := top.items
		for i := range out {
			out[i].Rank = i + 1
			if i > 0 && out[i].Value == out[i-1].Value {
				out[i].Rank = out[i-1].Rank
			}
		}
		return out, nil
	})
}
