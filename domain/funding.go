package domain

import (
	"cmp"
	"slices"
)

// FundingGroup is what funding totals are grouped by.
type FundingGroup string

const (
	GroupByFundingBody FundingGroup = "funding_body"
	GroupByCountry     FundingGroup = "country"
	GroupByCity        FundingGroup = "city"
	GroupBySector      FundingGroup = "sector"
	GroupByYear        FundingGroup = "year"
)

var FundingGroups = []FundingGroup{GroupByFundingBody, GroupByCountry, GroupByCity, GroupBySector, GroupByYear}

// FundingQuery asks for totals of financing (FINANCED edges).
//
// Contract: a financing counts once in each group it belongs to: a project
// located in two cities counts in both cities' totals, once in its
// country's. A financing with no known date has no year group ("") and is
// excluded by a date range (see Date.InRange). Totals never add
// different currencies.
type FundingQuery struct {
	GroupBy FundingGroup
	// Dimensions, when given, groups by each of them at once (GroupBy is
	// then the first): one total per combination of their groups and
	// currency, each FundingTotal naming its groups in Groups.
	Dimensions  []FundingGroup
	FundingBody string
	Country     string
	City        string
	Sector      Sector
	Currency    Currency
	// From and To bound the financing's date, inclusive.
	From, To Date
	// GroupNodes asks for the nodes the groups name (funding bodies,
	// countries, cities) with the totals, in FundingTotal.Nodes, so that a
	// caller showing them needs no second read. GroupFields is what to read
	// of them, by kind (see Projection; nil reads them whole).
	GroupNodes  bool
	GroupFields *Projection
}

// Normalize validates q.
func (q *FundingQuery) Normalize() error {
	for i, g := range q.Dimensions {
		if !slices.Contains(FundingGroups, g) {
			return Errorf(EINVALID, "unknown grouping %q; expected one of %v", g, FundingGroups)
		}
		if slices.Contains(q.Dimensions[:i], g) {
			return Errorf(EINVALID, "grouping %q is given twice; give each dimension once", g)
		}
		q.GroupBy = q.Dimensions[0]
	}
	if !slices.Contains(FundingGroups, q.GroupBy) {
		return Errorf(EINVALID, "unknown grouping %q; expected one of %v", q.GroupBy, FundingGroups)
	}
	if q.Sector != "" && !slices.Contains(Sectors, q.Sector) {
		return Errorf(EINVALID, "unknown sector %q; expected one of %v", q.Sector, Sectors)
	}
	if q.Currency != "" {
		if _, err := ParseCurrency(string(q.Currency)); err != nil {
			return err
		}
	}
	for _, d := range []Date{q.From, q.To} {
		if _, err := ParseDate(string(d)); err != nil {
			return err
		}
	}
	if q.From != "" && q.To != "" && q.To < q.From {
		return Errorf(EINVALID, "date range ends (%s) before it starts (%s)", q.To, q.From)
	}
	return q.GroupFields.Validate()
}

// FundingTotal is the sum of one group's financings in one currency.
// Results are ordered by Group, then Currency.
type FundingTotal struct {
	Group string
	// Groups are the total's group in each of the query's Dimensions, in
	// their order (Group is the first); nil without Dimensions. Results
	// are then ordered by Groups, then Currency.
	Groups     []string
	Currency   Currency
	Amount     Decimal
	Projects   int
	Financings int
	// Nodes are, when the query asked for GroupNodes, the nodes the
	// total's groups name: one per dimension of the query's Grouped(), in
	// their order, nil where the dimension's groups are not nodes (sector,
	// year) or no node has the group's key. Each holds the fields
	// GroupFields lists for its kind, and may hold others (see
	// Projection). nil when the query did not ask.
	Nodes []Node
}

// GroupIn is the total's group in the i-th dimension of its query's
// Grouped(): Groups[i], or Group for a query of one dimension.
func (t FundingTotal) GroupIn(i int) string {
	if i < len(t.Groups) {
		return t.Groups[i]
	}
	if i == 0 {
		return t.Group
	}
	return ""
}

// Kind is the kind of node g's groups are keys of (funding bodies,
// countries, cities), and false for groups that are plain values (sector,
// year).
func (g FundingGroup) Kind() (Kind, bool) {
	switch g {
	case GroupByFundingBody:
		return KindFundingBody, true
	case GroupByCountry:
		return KindCountry, true
	case GroupByCity:
		return KindCity, true
	}
	return "", false
}

// GroupKey is the key of the node a total's group names in dimension d, and
// false where d's groups are not nodes or the group is empty.
func GroupKey(d FundingGroup, group string) (NodeKey, bool) {
	k, isNode := d.Kind()
	if !isNode || group == "" {
		return NodeKey{}, false
	}
	return NodeKey{Kind: k, ID: group}, true
}

// Grouped returns the dimensions q groups by: its Dimensions, or GroupBy.
func (q FundingQuery) Grouped() []FundingGroup {
	if len(q.Dimensions) > 0 {
		return q.Dimensions
	}
	return []FundingGroup{q.GroupBy}
}

// CompareFundingTotals orders totals by their groups, then currency.
func CompareFundingTotals(a, b FundingTotal) int {
	return cmp.Or(slices.Compare(a.Groups, b.Groups), cmp.Compare(a.Group, b.Group), cmp.Compare(a.Currency, b.Currency))
}
