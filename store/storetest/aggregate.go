package storetest

import (
	"cmp"
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/synth"
)

// The Aggregate group checks domain.Aggregation on node lists and
// relation lists, through the single reads and through Run, against sums
// worked out in the test: the count of the whole list (cursors and page
// size ignored), and min, max, sum and count of each number over the
// items that have one (zero is unknown), money per currency.

var aggregateTests = []test{
	{"lists aggregate as a brute-force sum does", func(t *testing.T, open func(*testing.T) domain.Store) {
		g := openPlanGraph(t, open, synth.Generate(3, orderSynthCities))
		t.Run("node lists, every numeric field", func(t *testing.T) { checkNodeAggregates(t, g) })
		t.Run("relation lists, their own and their far ends' numbers, money per currency", func(t *testing.T) { checkEdgeAggregates(t, g) })
	}},
	{"funding totals by several dimensions at once agree with a brute-force grouping", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, o := withSynth(t, open)
		var qs []domain.FundingQuery
		for i, a := range domain.FundingGroups {
			for _, b := range domain.FundingGroups[i+1:] {
				qs = append(qs, domain.FundingQuery{Dimensions: []domain.FundingGroup{a, b}},
					domain.FundingQuery{Dimensions: []domain.FundingGroup{b, a}, Currency: "USD", From: "2014"})
			}
		}
		qs = append(qs,
			domain.FundingQuery{Dimensions: []domain.FundingGroup{domain.GroupByFundingBody, domain.GroupByCountry, domain.GroupByYear}},
			domain.FundingQuery{Dimensions: []domain.FundingGroup{domain.GroupByYear, domain.GroupBySector, domain.GroupByCity, domain.GroupByFundingBody}, Country: synth.Country(1)},
			domain.FundingQuery{Dimensions: []domain.FundingGroup{domain.GroupByCountry}})
		for _, q := range qs {
			t.Run(fmt.Sprintf("%v %+v", q.Dimensions, q), func(t *testing.T) {
				got := must[[]domain.FundingTotal](t)(s.FundingTotals(context.Background(), q))
				want := fundingByDimensions(o, q)
				if len(want) == 0 {
					t.Fatal("the brute force finds no total: the case tests nothing")
				}
				eqValue(t, "totals", got, want)
			})
		}
		t.Run("a dimension given twice is refused", func(t *testing.T) {
			_, err := s.FundingTotals(context.Background(), domain.FundingQuery{Dimensions: []domain.FundingGroup{domain.GroupByYear, domain.GroupByYear}})
			wantCode(t, err, domain.EINVALID)
		})
	}},
	{"an empty list aggregates to a zero count and no values", func(t *testing.T, open func(*testing.T) domain.Store) {
		g := openPlanGraph(t, open, Forum2015(t))
		q := domain.NodeQuery{Kind: domain.KindCity, Filter: domain.NodeFilter{Country: "ZZ"},
			Aggregate: domain.Aggregation{Count: true, Fields: []domain.FieldRef{{Name: "population"}}}}
		want := &domain.Aggregates{Fields: []domain.FieldStats{{Field: domain.FieldRef{Name: "population"}, Stats: []domain.Stats{{}}}}}
		eqAggregates(t, "ListNodes", must[domain.NodePage](t)(g.s.ListNodes(context.Background(), q)).Aggregates, want)
		a := must[*domain.Answers](t)(g.run.Run(context.Background(), &domain.Plan{Roots: []domain.Root{{List: &q}}}))
		eqAggregates(t, "Run", a.Lists[q.Signature()].Aggregates, want)
	}},
}

// checkNodeAggregates aggregates node lists.
func checkNodeAggregates(t *testing.T, g *planGraph) {
	for _, c := range []struct {
		q      domain.NodeQuery
		fields []string
	}{
		{domain.NodeQuery{Kind: domain.KindCity}, []string{"population", "populationYear"}},
		{domain.NodeQuery{Kind: domain.KindCity, Filter: domain.NodeFilter{Grouping: g.o.largestGrouping()}}, []string{"population"}},
		{domain.NodeQuery{Kind: domain.KindForum}, []string{"edition", "participants", "officials"}},
		{domain.NodeQuery{Kind: domain.KindFundingBody}, []string{"capital"}},
		{domain.NodeQuery{Kind: domain.KindCountry}, nil},
	} {
		q := c.q
		q.Aggregate.Count = true
		for _, f := range c.fields {
			q.Aggregate.Fields = append(q.Aggregate.Fields, domain.FieldRef{Name: f})
		}
		q.Page = domain.Page{First: 2, NoTotal: true}
		t.Run(fmt.Sprintf("%s %+v %v", q.Kind, q.Filter, c.fields), func(t *testing.T) {
			var items []aggItem
			for _, it := range g.o.list(q) {
				items = append(items, aggItem{other: it.item})
			}
			want := bruteAggregates(q.Aggregate, items)
			if want.Count < 3 {
				t.Fatalf("the list holds %d items: too few to test anything", want.Count)
			}
			page := must[domain.NodePage](t)(g.s.ListNodes(context.Background(), q))
			eqAggregates(t, "ListNodes", page.Aggregates, want)
			qq := q
			a := must[*domain.Answers](t)(g.run.Run(context.Background(), &domain.Plan{Roots: []domain.Root{{List: &qq}}}))
			eqAggregates(t, "Run", a.Lists[qq.Signature()].Aggregates, want)
			q.Page.After = page.Cursors[0]
			page = must[domain.NodePage](t)(g.s.ListNodes(context.Background(), q))
			eqAggregates(t, "ListNodes after a cursor", page.Aggregates, want)
		})
	}
}

// checkEdgeAggregates aggregates relation lists.
func checkEdgeAggregates(t *testing.T, g *planGraph) {
	rel := func(name string) domain.FieldRef { return domain.FieldRef{Name: name, Edge: true} }
	node := func(name string) domain.FieldRef { return domain.FieldRef{Name: name} }
	for _, c := range []struct {
		anchors []domain.NodeKey
		q       domain.EdgeQuery
	}{
		{g.o.busiest(domain.KindFundingBody, domain.EdgeFinanced, 3), domain.EdgeQuery{Kind: domain.EdgeFinanced, Direction: domain.Out,
			Aggregate: domain.Aggregation{Count: true, Fields: []domain.FieldRef{rel("amount")}}}},
		{g.o.busiest(domain.KindProject, domain.EdgeFinanced, 3), domain.EdgeQuery{Kind: domain.EdgeFinanced, Direction: domain.In,
			Aggregate: domain.Aggregation{Count: true, Fields: []domain.FieldRef{rel("amount"), node("capital")}}}},
		{g.o.busiest(domain.KindForum, domain.EdgeAttended, 3), domain.EdgeQuery{Kind: domain.EdgeAttended, Direction: domain.In,
			Aggregate: domain.Aggregation{Count: true, Fields: []domain.FieldRef{rel("delegationSize"), node("population")}}}},
		{g.o.busiest(domain.KindCity, domain.EdgePartnerOf, 3), domain.EdgeQuery{Kind: domain.EdgePartnerOf, AsOf: "2015",
			Aggregate: domain.Aggregation{Fields: []domain.FieldRef{node("population"), node("populationYear")}}}},
	} {
		q := c.q
		q.Page = domain.Page{First: 1, NoTotal: true}
		t.Run(fmt.Sprintf("%s %s", q.Kind, q.Direction), func(t *testing.T) {
			pages := must[[]domain.EdgePage](t)(g.s.Edges(context.Background(), q, c.anchors))
			a := must[*domain.Answers](t)(g.run.Run(context.Background(), &domain.Plan{Roots: []domain.Root{{Keys: c.anchors,
				Reach: domain.Reach{Follow: []domain.Follow{{Query: q}}}}}}))
			nq := q
			if err := nq.Normalize(); err != nil {
				t.Fatal(err)
			}
			for i, anchor := range c.anchors {
				var items []aggItem
				for _, it := range g.o.relations(q, anchor) {
					items = append(items, aggItem{e: it.item, other: g.o.nodes[it.item.Other(anchor)]})
				}
				want := bruteAggregates(q.Aggregate, items)
				eqAggregates(t, "Edges at "+anchor.String(), pages[i].Aggregates, want)
				got, _ := a.Page(nq, anchor)
				eqAggregates(t, "Run at "+anchor.String(), got.Aggregates, want)
			}
		})
	}
}

// aggItem is one item of a list: a node (other), or a relation e with its
// far end other.
type aggItem struct {
	e     *domain.Edge
	other domain.Node
}

// bruteAggregates works a's aggregates out item by item, field by field.
func bruteAggregates(a domain.Aggregation, items []aggItem) *domain.Aggregates {
	out := &domain.Aggregates{Count: len(items)}
	for _, f := range a.Fields {
		byCurrency := map[domain.Currency][]int64{}
		for _, it := range items {
			switch {
			case f.Type() == domain.SortMoney:
				var m *domain.Money
				if f.Edge && it.e != nil {
					m = it.e.Amount
				} else if fb, ok := it.other.(*domain.FundingBody); ok && !f.Edge {
					m = fb.Capital
				}
				if m != nil {
					byCurrency[m.Currency] = append(byCurrency[m.Currency], int64(m.Amount))
				}
			case f.Edge:
				if v := domain.EdgeValue(it.e, f.Name).(int64); v != 0 {
					byCurrency[""] = append(byCurrency[""], v)
				}
			default:
				if v := domain.NodeValue(it.other, f.Name).(int64); v != 0 {
					byCurrency[""] = append(byCurrency[""], v)
				}
			}
		}
		fs := domain.FieldStats{Field: f}
		if f.Type() != domain.SortMoney {
			byCurrency[""] = append(byCurrency[""], []int64{}...)
		}
		var currencies []domain.Currency
		for c := range byCurrency {
			currencies = append(currencies, c)
		}
		slices.Sort(currencies)
		for _, c := range currencies {
			vs := byCurrency[c]
			s := domain.Stats{Currency: c, Count: len(vs)}
			if len(vs) > 0 {
				s.Min, s.Max = slices.Min(vs), slices.Max(vs)
				for _, v := range vs {
					s.Sum += v
				}
			}
			fs.Stats = append(fs.Stats, s)
		}
		out.Fields = append(out.Fields, fs)
	}
	return out
}

func eqAggregates(t *testing.T, what string, got, want *domain.Aggregates) {
	t.Helper()
	if got == nil {
		t.Errorf("%s: got no aggregates, want %+v", what, *want)
		return
	}
	g, w := *got, *want
	if len(g.Fields) == 0 && len(w.Fields) == 0 {
		g.Fields, w.Fields = nil, nil
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s: got aggregates %+v, want %+v", what, *got, *want)
	}
}

// fundingByDimensions totals every financing in every combination of its
// groups in q's dimensions, and currency, the plain way.
func fundingByDimensions(o *oracle, q domain.FundingQuery) []domain.FundingTotal {
	totals := map[string]*domain.FundingTotal{}
	projects := map[string]map[string]bool{}
	for _, e := range o.edges {
		if e.Kind != domain.EdgeFinanced {
			continue
		}
		p := o.nodes[e.To].(*domain.Project)
		cities, countries := o.projectPlaces(p.ID)
		if (q.Currency != "" && e.Amount.Currency != q.Currency) || !e.Since.InRange(q.From, q.To) ||
			(q.Country != "" && !slices.Contains(countries, q.Country)) {
			continue
		}
		year := ""
		if e.Since.Known() {
			year = string(e.Since)[:4]
		}
		of := map[domain.FundingGroup][]string{domain.GroupByFundingBody: {e.From.ID}, domain.GroupByCountry: countries,
			domain.GroupByCity: cities, domain.GroupBySector: {string(p.Sector)}, domain.GroupByYear: {year}}
		combos := [][]string{{}}
		for _, d := range q.Dimensions {
			var next [][]string
			for _, c := range combos {
				for _, g := range of[d] {
					next = append(next, append(slices.Clone(c), g))
				}
			}
			combos = next
		}
		for _, c := range combos {
			k := fmt.Sprint(c, e.Amount.Currency)
			if totals[k] == nil {
				totals[k] = &domain.FundingTotal{Group: c[0], Groups: c, Currency: e.Amount.Currency}
				projects[k] = map[string]bool{}
			}
			totals[k].Amount += e.Amount.Amount
			totals[k].Financings++
			projects[k][p.ID] = true
		}
	}
	out := []domain.FundingTotal{}
	for k, t := range totals {
		t.Projects = len(projects[k])
		out = append(out, *t)
	}
	slices.SortFunc(out, func(a, b domain.FundingTotal) int {
		return cmp.Or(slices.Compare(a.Groups, b.Groups), cmp.Compare(a.Currency, b.Currency))
	})
	return out
}
