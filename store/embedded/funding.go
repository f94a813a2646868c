package embedded

import (
	"cmp"
	"context"
	"slices"

	"github.com/citygraph/citygraph/domain"
)

// FundingTotals sums financings per group and currency. See domain.FundingQuery.
func (s *Store) FundingTotals(ctx context.Context, q domain.FundingQuery) ([]domain.FundingTotal, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	return read(s, ctx, func(st *state) ([]domain.FundingTotal, error) {
		dl := newDeadline(ctx, "summing financings", "a narrower total: one city, country, funding body, sector or currency, or a range of dates")
		type groupKey struct {
			group string
			cur   domain.Currency
		}
		type total struct {
			domain.FundingTotal
			// lastProject counts each project once: financings come
			// project by project (or, for one body, each project once).
			lastProject string
		}
		totals := map[groupKey]*total{}
		add := func(g string, e *domain.Edge, p *domain.Project) {
			k := groupKey{g, e.Amount.Currency}
			t := totals[k]
			if t == nil {
				t = &total{FundingTotal: domain.FundingTotal{Group: g, Currency: k.cur}}
				totals[k] = t
			}
			t.Amount += e.Amount.Amount
			t.Financings++
			if t.lastProject != p.ID {
				t.Projects++
				t.lastProject = p.ID
			}
		}
		visit := func(f financing) {
			e, p := f.e, f.project
			if (q.FundingBody != "" && e.From.ID != q.FundingBody) || (q.Sector != "" && p.Sector != q.Sector) ||
				(q.Currency != "" && e.Amount.Currency != q.Currency) || !e.Since.InRange(q.From, q.To) ||
				(q.Country != "" && !slices.Contains(f.countries, q.Country)) || (q.City != "" && !slices.Contains(f.cities, q.City)) {
				return
			}
			switch q.GroupBy {
			case domain.GroupByFundingBody:
				add(e.From.ID, e, p)
			case domain.GroupByCountry:
				for _, c := range f.countries {
					add(c, e, p)
				}
			case domain.GroupByCity:
				for _, c := range f.cities {
					add(c, e, p)
				}
			case domain.GroupBySector:
				add(string(p.Sector), e, p)
			case domain.GroupByYear:
				add(string(e.Since)[:min(4, len(e.Since))], e, p)
			}
		}
		// Start from the narrowest index the query allows.
		switch {
		case q.City != "":
			for _, p := range st.cityProjects[q.City] {
				if dl.stopped() {
					break
				}
				st.financingsOf(p, dl, visit)
			}
		case q.FundingBody != "":
			st.financingsBy(q.FundingBody, dl, visit)
		default:
			st.financings(dl, visit)
		}
		if dl.stopped() {
			return nil, dl.Err()
		}
		out := make([]domain.FundingTotal, 0, len(totals))
		for _, t := range totals {
			out = append(out, t.FundingTotal)
		}
		slices.SortFunc(out, func(a, b domain.FundingTotal) int {
			return cmp.Or(cmp.Compare(a.Group, b.Group), cmp.Compare(a.Currency, b.Currency))
		})
		return out, nil
	})
}
