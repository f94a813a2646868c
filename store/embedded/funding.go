package embedded

import (
	"context"
	"slices"
	"strings"

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
			group string // the groups of every dimension, joined
			cur   domain.Currency
		}
		dims := q.Grouped()
		type total struct {
			domain.FundingTotal
			// lastProject counts each project once: financings come
			// project by project (or, for one body, each project once).
			lastProject string
		}
		totals := map[groupKey]*total{}
		add := func(groups []string, e *domain.Edge, p *domain.Project) {
			k := groupKey{strings.Join(groups, "\x00"), e.Amount.Currency}
			t := totals[k]
			if t == nil {
				t = &total{FundingTotal: domain.FundingTotal{Group: groups[0], Currency: k.cur}}
				if len(q.Dimensions) > 0 {
					t.Groups = slices.Clone(groups)
				}
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
			// The financing counts once in every combination of its groups.
			combos := [][]string{nil}
			for _, d := range dims {
				var next [][]string
				for _, c := range combos {
					for _, g := range fundingGroupsOf(d, f) {
						next = append(next, append(slices.Clip(c), g))
					}
				}
				combos = next
			}
			for _, c := range combos {
				add(c, e, p)
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
			if q.GroupNodes {
				t.Nodes = st.groupNodes(dims, t.FundingTotal)
			}
			out = append(out, t.FundingTotal)
		}
		slices.SortFunc(out, domain.CompareFundingTotals)
		return out, nil
	})
}

// fundingGroupsOf are the groups financing f belongs to in dimension d: a
// project located in two cities is in both cities' groups.
func fundingGroupsOf(d domain.FundingGroup, f financing) []string {
	switch d {
	case domain.GroupByFundingBody:
		return []string{f.e.From.ID}
	case domain.GroupByCountry:
		return f.countries
	case domain.GroupByCity:
		return f.cities
	case domain.GroupBySector:
		return []string{string(f.project.Sector)}
	}
	return []string{string(f.e.Since)[:min(4, len(f.e.Since))]}
}

// groupNodes are the nodes t's groups name, one per dimension (see
// domain.FundingTotal.Nodes); they are the stored nodes, shared as a plan's
// answers share them.
func (st *state) groupNodes(dims []domain.FundingGroup, t domain.FundingTotal) []domain.Node {
	nodes := make([]domain.Node, len(dims))
	for i, d := range dims {
		if k, ok := domain.GroupKey(d, t.GroupIn(i)); ok {
			nodes[i] = st.nodes[k]
		}
	}
	return nodes
}
