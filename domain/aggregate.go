package domain

import (
	"cmp"
	"slices"
)

// Aggregation asks for aggregates of a whole list, cursors and page size
// ignored (as TotalCount): its length and, for each numeric field in
// Fields, the min, max, sum and average over the items that have a value.
// Money is aggregated per currency, never across currencies.
type Aggregation struct {
	Count  bool
	Fields []FieldRef
}

// Wanted reports whether anything is asked.
func (a Aggregation) Wanted() bool { return a.Count || len(a.Fields) > 0 }

// MaxAggregateFields bounds the fields one list aggregates.
const MaxAggregateFields = 16

// check validates the fields against the kinds the items may be.
func (a Aggregation) check(kinds []Kind) error {
	if len(a.Fields) > MaxAggregateFields {
		return Errorf(EINVALID, "a list aggregates at most %d fields, not %d", MaxAggregateFields, len(a.Fields))
	}
	for _, f := range a.Fields {
		s, err := checkField(f, kinds, "aggregate")
		if err != nil {
			return err
		}
		if s.value.sortType() == SortText {
			return Errorf(EINVALID, "cannot aggregate %s: it is not a number; count the list instead", f)
		}
	}
	return nil
}

// Aggregates are what an Aggregation asked of a list.
type Aggregates struct {
	// Count is the list's length.
	Count int
	// Fields holds the statistics of each field asked, in the order asked.
	Fields []FieldStats
}

// Field returns the statistics of field f.
func (a *Aggregates) Field(f FieldRef) FieldStats {
	if a != nil {
		for _, s := range a.Fields {
			if s.Field == f {
				return s
			}
		}
	}
	return FieldStats{Field: f}
}

// FieldStats are one field's statistics: one Stats for a number (Count 0
// when no item has a value), one per currency for money, by currency.
type FieldStats struct {
	Field FieldRef
	Stats []Stats
}

// Stats are the statistics of the items with a value (in one currency).
type Stats struct {
	Currency      Currency
	Count         int
	Min, Max, Sum int64
}

// Average is Sum / Count (0 when no item has a value).
func (s Stats) Average() float64 {
	if s.Count == 0 {
		return 0
	}
	return float64(s.Sum) / float64(s.Count)
}

// add counts one value.
func (s *Stats) add(v int64) {
	if s.Count == 0 || v < s.Min {
		s.Min = v
	}
	if s.Count == 0 || v > s.Max {
		s.Max = v
	}
	s.Sum += v
	s.Count++
}

// Aggregator computes Aggregates item by item: the embedded store's walk
// and the contract suite's brute force both use it.
type Aggregator struct {
	a     Aggregation
	types []SortType // of a.Fields, looked up once
	out   Aggregates
}

// NewAggregator starts aggregating a list for a.
func NewAggregator(a Aggregation) *Aggregator {
	g := &Aggregator{a: a, types: make([]SortType, len(a.Fields)), out: Aggregates{Fields: make([]FieldStats, len(a.Fields))}}
	for i, f := range a.Fields {
		g.types[i] = f.Type()
		g.out.Fields[i].Field = f
		if g.types[i] == SortInt {
			g.out.Fields[i].Stats = []Stats{{}}
		}
	}
	return g
}

// AddNode counts a listed node.
func (g *Aggregator) AddNode(n Node) { g.AddEdge(nil, n) }

// AddEdge counts a listed relation e whose far end is other (e nil: a
// node list's node other).
func (g *Aggregator) AddEdge(e *Edge, other Node) {
	g.out.Count++
	for i, f := range g.a.Fields {
		fs := &g.out.Fields[i]
		if g.types[i] == SortMoney {
			var m *Money
			switch {
			case f.Edge && e != nil && f.Name == "amount":
				m = e.Amount
			case !f.Edge && other != nil:
				m = NodeMoney(other, f.Name)
			}
			if m != nil {
				fs.money(m)
			}
			continue
		}
		var v any
		switch {
		case f.Edge && e != nil:
			v = EdgeValue(e, f.Name)
		case !f.Edge && other != nil:
			v = NodeValue(other, f.Name)
		}
		if n, ok := v.(int64); ok && n != 0 { // zero is unknown, as the stores keep it
			fs.Stats[0].add(n)
		}
	}
}

func (fs *FieldStats) money(m *Money) {
	i := slices.IndexFunc(fs.Stats, func(s Stats) bool { return s.Currency == m.Currency })
	if i < 0 {
		fs.Stats = append(fs.Stats, Stats{Currency: m.Currency})
		i = len(fs.Stats) - 1
	}
	fs.Stats[i].add(int64(m.Amount))
}

// Result returns the aggregates, money per currency in currency order.
func (g *Aggregator) Result() *Aggregates {
	for i := range g.out.Fields {
		SortStats(g.out.Fields[i].Stats)
	}
	return &g.out
}

// SortStats puts per-currency statistics in currency order.
func SortStats(s []Stats) {
	slices.SortFunc(s, func(a, b Stats) int { return cmp.Compare(a.Currency, b.Currency) })
}
