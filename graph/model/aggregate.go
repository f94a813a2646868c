package model

import "github.com/citygraph/citygraph/domain"

// Aggregate backs every aggregate type (CityAggregate, FinancingAggregate,
// …): each GraphQL field is a method that reads its statistics from the
// store's answer. aggregateFields (graph/aggregate.go) names the field of
// each method.
type Aggregate struct {
	A *domain.Aggregates
}

// Aggregate returns the list's aggregates.
func (c *NodeConnection) Aggregate() *Aggregate { return &Aggregate{A: c.Page.Aggregates} }

// Aggregate returns the list's aggregates.
func (c *RelConnection) Aggregate() *Aggregate { return &Aggregate{A: c.Page.Aggregates} }

// Count is the list's length.
func (a *Aggregate) Count() int {
	if a.A == nil {
		return 0
	}
	return a.A.Count
}

func (a *Aggregate) number(f domain.FieldRef) *IntStats {
	s := a.A.Field(f).Stats
	if len(s) == 0 {
		return &IntStats{}
	}
	return &IntStats{S: s[0]}
}

func (a *Aggregate) money(f domain.FieldRef) []*MoneyStats {
	stats := a.A.Field(f).Stats
	out := make([]*MoneyStats, len(stats))
	for i, s := range stats {
		out[i] = &MoneyStats{S: s}
	}
	return out
}

func (a *Aggregate) Population() *IntStats { return a.number(domain.FieldRef{Name: "population"}) }
func (a *Aggregate) PopulationYear() *IntStats {
	return a.number(domain.FieldRef{Name: "populationYear"})
}
func (a *Aggregate) Edition() *IntStats      { return a.number(domain.FieldRef{Name: "edition"}) }
func (a *Aggregate) Participants() *IntStats { return a.number(domain.FieldRef{Name: "participants"}) }
func (a *Aggregate) Officials() *IntStats    { return a.number(domain.FieldRef{Name: "officials"}) }
func (a *Aggregate) DelegationSize() *IntStats {
	return a.number(domain.FieldRef{Name: "delegationSize", Edge: true})
}
func (a *Aggregate) Position() *IntStats {
	return a.number(domain.FieldRef{Name: "position", Edge: true})
}
func (a *Aggregate) Capital() []*MoneyStats {
	return a.money(domain.FieldRef{Name: "capital"})
}
func (a *Aggregate) Amount() []*MoneyStats {
	return a.money(domain.FieldRef{Name: "amount", Edge: true})
}

// IntStats are a number's statistics; Min, Max and Average are null when
// no item has a value.
type IntStats struct{ S domain.Stats }

func (s *IntStats) Count() int  { return s.S.Count }
func (s *IntStats) Sum() int64  { return s.S.Sum }
func (s *IntStats) Min() *int64 { return ifCounted(s.S, s.S.Min) }
func (s *IntStats) Max() *int64 { return ifCounted(s.S, s.S.Max) }
func (s *IntStats) Average() *float64 {
	if s.S.Count == 0 {
		return nil
	}
	avg := s.S.Average()
	return &avg
}

func ifCounted(s domain.Stats, v int64) *int64 {
	if s.Count == 0 {
		return nil
	}
	return &v
}

// MoneyStats are the statistics of amounts in one currency.
type MoneyStats struct{ S domain.Stats }

func (s *MoneyStats) Currency() domain.Currency { return s.S.Currency }
func (s *MoneyStats) Count() int                { return s.S.Count }
func (s *MoneyStats) Min() domain.Decimal       { return domain.Decimal(s.S.Min) }
func (s *MoneyStats) Max() domain.Decimal       { return domain.Decimal(s.S.Max) }
func (s *MoneyStats) Sum() domain.Decimal       { return domain.Decimal(s.S.Sum) }

// Average is the mean amount in the currency's units (hundredths are the
// stored unit).
func (s *MoneyStats) Average() float64 { return s.S.Average() / 100 }
