package neo4jstore

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/citygraph/citygraph/domain"
)

// aggregateCypher aggregates a node list's rows (bound to node) in the
// tail of a CALL subquery, read in the same statement as the page and only
// when asked: numbers is the RETURN expression of the count and every
// number's statistics in one pass, money one tail per money field that
// groups by currency (money is never summed across currencies) and leaves
// the group's map in g. Absent properties are null and so not counted, as
// the embedded store skips zero values.
type aggregateCypher struct {
	numbers string
	money   []string
}

func aggregateOf(a domain.Aggregation, node, rel string) aggregateCypher {
	parts := []string{"n: count(*)"}
	var out aggregateCypher
	for i, f := range a.Fields {
		prop, cur := fieldProps(f, node, rel)
		if f.Type() == domain.SortMoney {
			out.money = append(out.money, `WITH `+cur+` AS c, `+prop+` AS x WHERE x IS NOT NULL AND c IS NOT NULL
			WITH c, count(x) AS n, min(x) AS lo, max(x) AS hi, sum(x) AS s
			WITH {c: c, s: {n: n, min: lo, max: hi, sum: s}} AS g`)
			continue
		}
		parts = append(parts, "f"+strconv.Itoa(i)+": {n: count("+prop+"), min: min("+prop+"), max: max("+prop+"), sum: sum("+prop+")}")
	}
	out.numbers = "{" + strings.Join(parts, ", ") + "}"
	return out
}

// fieldProps are the expressions of a field's property and, for money,
// its currency's, over node or relation rel.
func fieldProps(f domain.FieldRef, node, rel string) (prop, cur string) {
	x := node
	if f.Edge {
		x = rel
	}
	p, c := f.Property()
	return x + "." + p, x + "." + c
}

// edgeAggregateExprs are a relation list's aggregates as expressions over
// the rows that "MATCH pattern WHERE filter" finds: the numbers' map, then
// each money field's list of per-currency maps. They use no aggregating
// function: the server refuses one inside the collect() that builds a
// plan's node maps, so statistics are folded with reduce over subqueries.
func edgeAggregateExprs(a domain.Aggregation, pattern, filter, node, rel string) []string {
	parts := []string{"n: COUNT { MATCH " + pattern + " WHERE " + filter + " }"}
	var money []string
	values := func(cond, ret string) string {
		return "COLLECT { MATCH " + pattern + " WHERE " + filter + " AND " + cond + " RETURN " + ret + " }"
	}
	for i, f := range a.Fields {
		prop, cur := fieldProps(f, node, rel)
		if f.Type() == domain.SortMoney {
			money = append(money, "[c IN "+values(prop+" IS NOT NULL AND "+cur+" IS NOT NULL", "DISTINCT "+cur)+
				" | {c: c, s: "+foldStats(values(cur+" = c AND "+prop+" IS NOT NULL", prop))+"}]")
			continue
		}
		parts = append(parts, "f"+strconv.Itoa(i)+": "+foldStats(values(prop+" IS NOT NULL", prop)))
	}
	return append([]string{"{" + strings.Join(parts, ", ") + "}"}, money...)
}

// foldStats is the statistics map of a list of numbers.
func foldStats(list string) string {
	return "reduce(s = {n: 0, min: null, max: null, sum: 0}, v IN " + list + " | {n: s.n + 1, " +
		"min: CASE WHEN s.min IS NULL OR v < s.min THEN v ELSE s.min END, " +
		"max: CASE WHEN s.max IS NULL OR v > s.max THEN v ELSE s.max END, sum: s.sum + v})"
}

// aggregates returns the CALL subquery bodies that aggregate a node
// list, and the RETURN columns that name their answers (name, then
// name_m0, … for money); none when nothing is asked.
func (l nodeList) aggregates(a domain.Aggregation, name string) (bodies, cols []string) {
	if !a.Wanted() {
		return nil, nil
	}
	c := aggregateOf(a, "v", "")
	bodies = append(bodies, l.all+`
			RETURN `+c.numbers+` AS `+name)
	cols = append(cols, name)
	for j, m := range c.money {
		col := name + "_m" + strconv.Itoa(j)
		bodies = append(bodies, l.all+`
			`+m+`
			RETURN collect(g) AS `+col)
		cols = append(cols, col)
	}
	return bodies, cols
}

// aggregatesFrom reads what aggregateCypher returned: the numbers map and
// one list of per-currency maps per money field, in the fields' order.
func aggregatesFrom(a domain.Aggregation, numbers any, money []any) (*domain.Aggregates, error) {
	if !a.Wanted() {
		return nil, nil
	}
	m, _ := numbers.(map[string]any)
	if m == nil {
		m = map[string]any{"n": int64(0)} // no rows
	}
	out := &domain.Aggregates{Count: int(asInt(m["n"])), Fields: make([]domain.FieldStats, len(a.Fields))}
	j := 0
	for i, f := range a.Fields {
		fs := &out.Fields[i]
		fs.Field = f
		if f.Type() != domain.SortMoney {
			s, _ := m["f"+strconv.Itoa(i)].(map[string]any)
			fs.Stats = []domain.Stats{statsFrom(s)}
			continue
		}
		if j >= len(money) {
			return nil, fmt.Errorf("aggregate of %s missing", f)
		}
		for _, x := range asList(money[j]) {
			g, _ := x.(map[string]any)
			s, _ := g["s"].(map[string]any)
			st := statsFrom(s)
			c, _ := g["c"].(string)
			st.Currency = domain.Currency(c)
			fs.Stats = append(fs.Stats, st)
		}
		domain.SortStats(fs.Stats)
		j++
	}
	return out, nil
}

func statsFrom(m map[string]any) domain.Stats {
	s := domain.Stats{Count: int(asInt(m["n"]))}
	if s.Count > 0 {
		s.Min, s.Max, s.Sum = asInt(m["min"]), asInt(m["max"]), asInt(m["sum"])
	}
	return s
}

func asInt(v any) int64 {
	n, _ := v.(int64)
	return n
}

// moneyFields counts the money fields an aggregation asks for.
func moneyFields(a domain.Aggregation) int {
	n := 0
	for _, f := range a.Fields {
		if f.Type() == domain.SortMoney {
			n++
		}
	}
	return n
}

// edgeAggregates are the RETURN columns (agg0, agg1, …) of Edges'
// statement that aggregate each anchor's relations, "" when not asked.
func edgeAggregates(q domain.EdgeQuery, m edgeMatch) string {
	if !q.Aggregate.Wanted() {
		return ""
	}
	var cols []string
	for j, x := range edgeAggregateExprs(q.Aggregate, m.pattern, m.filter, "o", "r") {
		cols = append(cols, x+" AS agg"+strconv.Itoa(j))
	}
	return ", " + strings.Join(cols, ", ")
}
