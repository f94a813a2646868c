package graph_test

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/citygraph/citygraph/graph"
)

func containsText(s, sub string) bool { return strings.Contains(s, sub) }

func TestAggregates(t *testing.T) {
	st := countedStore(synthStore(t, 300))
	c := newClient(st)

	t.Run("a list's numbers over every page, in the plan's one store call", func(t *testing.T) {
		all := cityRows(t, at(t, query(t, c, `{ cities(first: 1000) { edges { node { slug name population } } } }`), "cities", "edges"))
		var sum, lo, hi, n float64
		lo = math.Inf(1)
		for _, r := range all {
			if r.population == 0 {
				continue
			}
			n++
			sum += r.population
			lo, hi = min(lo, r.population), max(hi, r.population)
		}
		before := st.calls.Load()
		d := query(t, c, `{ cities(first: 2) { aggregate { count population { count min max sum average } } } }`)
		if calls := st.calls.Load() - before; calls != 1 {
			t.Errorf("the aggregate took %d store calls, want 1", calls)
		}
		p := at(t, d, "cities", "aggregate", "population")
		for _, c := range []struct {
			name      string
			got, want any
		}{
			{"count", at(t, d, "cities", "aggregate", "count"), float64(len(all))},
			{"population.count", at(t, p, "count"), n},
			{"population.min", at(t, p, "min"), lo},
			{"population.max", at(t, p, "max"), hi},
			{"population.sum", at(t, p, "sum"), sum},
			{"population.average", at(t, p, "average"), sum / n},
		} {
			if c.got != c.want {
				t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
			}
		}
	})
	t.Run("money is summed per currency, never across", func(t *testing.T) {
		d := query(t, c, `{ fundingBodies(first: 10) { edges { node { slug
			financings(first: 200) { edges { amount { amount currency } } aggregate { count amount { currency count sum min max average } } } } } } }`)
		checked := 0
		for _, e := range at(t, d, "fundingBodies", "edges").([]any) {
			fin := at(t, e, "node", "financings")
			sums := map[string]float64{}
			counts := map[string]float64{}
			for _, fe := range at(t, fin, "edges").([]any) {
				m := at(t, fe, "amount").(map[string]any)
				amount := parseDecimal(t, m["amount"])
				sums[m["currency"].(string)] += amount
				counts[m["currency"].(string)]++
			}
			stats := at(t, fin, "aggregate", "amount").([]any)
			if len(stats) != len(sums) {
				t.Errorf("%v: got %d currencies, want %d", at(t, e, "node", "slug"), len(stats), len(sums))
			}
			for _, s := range stats {
				cur := at(t, s, "currency").(string)
				if got := parseDecimal(t, at(t, s, "sum")); math.Abs(got-sums[cur]) > 0.005 {
					t.Errorf("%s sum: got %v, want %v", cur, got, sums[cur])
				}
				if got := at(t, s, "count"); got != counts[cur] {
					t.Errorf("%s count: got %v, want %v", cur, got, counts[cur])
				}
				checked++
			}
		}
		if checked < 3 {
			t.Errorf("only %d currency totals checked; the test tests too little", checked)
		}
	})
	t.Run("a list with nothing to aggregate still counts", func(t *testing.T) {
		d := query(t, c, `{ countries(first: 1) { totalCount aggregate { count } } }`)
		if got, want := at(t, d, "countries", "aggregate", "count"), at(t, d, "countries", "totalCount"); got != want {
			t.Errorf("got count %v, want totalCount %v", got, want)
		}
	})
}

// parseDecimal reads a Decimal as the API writes it (a JSON string).
func parseDecimal(t *testing.T, v any) float64 {
	t.Helper()
	var f float64
	switch x := v.(type) {
	case string:
		var err error
		if f, err = strconv.ParseFloat(x, 64); err != nil {
			t.Fatalf("decimal %q: %v", x, err)
		}
	case float64:
		f = x
	default:
		t.Fatalf("decimal of type %T", v)
	}
	return f
}

// TestOrderingsAndAggregatesArePriced checks that orderBy keys and the
// aggregate field count in a query's cost, so that a query that would
// scan the graph many times is refused before it runs.
func TestOrderingsAndAggregatesArePriced(t *testing.T) {
	for _, tc := range []struct{ name, cheaper, dearer string }{
		{"a list by its own order or by population", `{ cities(first: 10) { totalCount } }`, `{ cities(first: 10, orderBy: [{field: POPULATION}]) { totalCount } }`},
		{"one key or two", `{ cities(first: 10, orderBy: [{field: POPULATION}]) { totalCount } }`, `{ cities(first: 10, orderBy: [{field: POPULATION}, {field: REGION}]) { totalCount } }`},
		{"a list with or without its aggregate", `{ cities(first: 10) { totalCount } }`, `{ cities(first: 10) { aggregate { count } } }`},
		{"an aggregate by its numbers", `{ cities(first: 10) { aggregate { count } } }`, `{ cities(first: 10) { aggregate { count population { sum } } } }`},
		{"a relation list's aggregate", `{ city(slug: "a") { partners { totalCount } } }`, `{ city(slug: "a") { partners { aggregate { count } } } }`},
		{"a relation list sorted", `{ city(slug: "a") { partners { totalCount } } }`, `{ city(slug: "a") { partners(sortBy: [{field: POPULATION}]) { totalCount } } }`},
		{"funding totals by one dimension or two", `{ fundingTotals(groupBy: SECTOR) { group } }`, `{ fundingTotals(groupBy: [SECTOR, YEAR]) { group } }`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lo, hi := analyse(t, tc.cheaper, nil).Cost, analyse(t, tc.dearer, nil).Cost
			if lo >= hi {
				t.Errorf("cost of %s = %d, of %s = %d; want the first cheaper", tc.cheaper, lo, tc.dearer, hi)
			}
		})
	}
	t.Run("thirty whole-list aggregates are over the default limit", func(t *testing.T) {
		if got := analyse(t, aliases(30, `cities(first: 1) { aggregate { population { sum } } }`), nil).Cost; got <= graph.DefaultLimits.MaxCost {
			t.Errorf("cost = %d; want over %d", got, graph.DefaultLimits.MaxCost)
		}
	})
}

func TestFundingTotalsBySeveralDimensions(t *testing.T) {
	c := newClient(projectStore(t))
	d := query(t, c, `{ one: fundingTotals(groupBy: FUNDING_BODY) { group groupName total { amount currency } }
		two: fundingTotals(groupBy: [FUNDING_BODY, YEAR]) { group total { amount currency } groups { by group groupName } } }`)
	byBody := map[string]float64{}
	for _, row := range at(t, d, "two").([]any) {
		groups := at(t, row, "groups").([]any)
		if len(groups) != 2 || at(t, groups[0], "by") != "FUNDING_BODY" || at(t, groups[1], "by") != "YEAR" {
			t.Fatalf("got groups %v, want a funding body and a year", groups)
		}
		if at(t, groups[0], "group") != at(t, row, "group") || at(t, groups[0], "groupName") == nil {
			t.Errorf("got first group %v for row group %v; want the same, named", groups[0], at(t, row, "group"))
		}
		if at(t, groups[1], "groupName") != nil {
			t.Errorf("a year has no name; got %v", at(t, groups[1], "groupName"))
		}
		byBody[at(t, row, "group").(string)+" "+at(t, row, "total", "currency").(string)] += parseDecimal(t, at(t, row, "total", "amount"))
	}
	one := at(t, d, "one").([]any)
	if len(one) != len(byBody) {
		t.Errorf("got %d totals by funding body, want %d, one per body and currency of the two-dimension totals", len(one), len(byBody))
	}
	for _, row := range one {
		k := at(t, row, "group").(string) + " " + at(t, row, "total", "currency").(string)
		if got, want := byBody[k], parseDecimal(t, at(t, row, "total", "amount")); math.Abs(got-want) > 0.005 {
			t.Errorf("%s: the years add up to %v, want %v", k, got, want)
		}
	}
}
