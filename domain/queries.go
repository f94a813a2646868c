package domain

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
)

// Page sizes. A client that wants more pages through.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// Page asks for the First items after the cursor After (Relay forward
// pagination). Cursors are keyset positions, so a page is stable while
// rows are added elsewhere in the list.
type Page struct {
	First int
	After string
}

// Normalize applies the default size (a zero First) and checks the bounds
// and the cursor.
func (p *Page) Normalize() error {
	if err := PageSize.Normalize(&p.First); err != nil {
		return err
	}
	if p.After != "" {
		if _, err := DecodeCursor(p.After); err != nil {
			return err
		}
	}
	return nil
}

// Cursor is a keyset position in an ordered list: the sort key of the last
// item seen and a tie-breaking identity. Both stores encode it alike.
type Cursor struct {
	Key string `json:"k"`
	ID  string `json:"i"`
}

// Encode returns the opaque cursor string.
func (c Cursor) Encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor parses an opaque cursor string.
func DecodeCursor(s string) (Cursor, error) {
	var c Cursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil || c.ID == "" {
		return Cursor{}, Errorf(EINVALID, "cursor %q is not one this API gave out; use a pageInfo.endCursor or edge cursor", truncate(s, 40))
	}
	return c, nil
}

// After reports whether the position (key, id) comes after c in ascending
// order, or before it when desc.
func (c Cursor) After(key, id string, desc bool) bool {
	if key == c.Key && id == c.ID {
		return false // the cursor's own item is never after itself
	}
	if key != c.Key {
		return (key > c.Key) != desc
	}
	return (id > c.ID) != desc
}

// NodeOrder is the sort order of a node list.
type NodeOrder string

const (
	// OrderByName sorts by English name, then slug.
	OrderByName NodeOrder = "name"
	// OrderByID sorts by slug.
	OrderByID NodeOrder = "id"
)

// NodeQuery selects a page of nodes of one kind.
type NodeQuery struct {
	Kind   Kind
	Filter NodeFilter
	Order  NodeOrder
	Desc   bool
	Page   Page
}

// NodeFilter narrows a node list; zero fields do not filter.
type NodeFilter struct {
	// Country keeps nodes in that country (ISO code): cities in it,
	// organisations and funding bodies seated in one of its cities,
	// projects located in it or in one of its cities.
	Country string
	// Grouping keeps nodes whose country belongs to it (slug: "asean").
	Grouping string
	// OrgKind keeps organisations of that kind.
	OrgKind OrgKind
	// Sector keeps projects of that sector.
	Sector Sector
}

// Normalize validates q and applies defaults.
func (q *NodeQuery) Normalize() error {
	if !q.Kind.Valid() {
		return Errorf(EINVALID, "unknown node kind %q", q.Kind)
	}
	if q.Order == "" {
		q.Order = OrderByName
	}
	if q.Order != OrderByName && q.Order != OrderByID {
		return Errorf(EINVALID, "unknown order %q; expected name or id", q.Order)
	}
	if q.Filter.OrgKind != "" && !slices.Contains(OrgKinds, q.Filter.OrgKind) {
		return Errorf(EINVALID, "unknown organization kind %q", q.Filter.OrgKind)
	}
	if q.Filter.Sector != "" && !slices.Contains(Sectors, q.Filter.Sector) {
		return Errorf(EINVALID, "unknown sector %q", q.Filter.Sector)
	}
	return q.Page.Normalize()
}

// SortKey returns n's position in a list ordered by o.
func (o NodeOrder) SortKey(n Node) string {
	if o == OrderByID {
		return n.Base().ID
	}
	return n.Base().Name
}

// NodePage is one page of nodes; Cursors[i] is the position of Items[i].
type NodePage struct {
	Items       []Node
	Cursors     []string
	TotalCount  int
	HasNextPage bool
}

// Direction says which way to follow a directed edge from its anchor.
type Direction string

const (
	Out  Direction = "out"
	In   Direction = "in"
	Both Direction = "both"
)

// EdgeOrder is the sort order of an edge list.
type EdgeOrder string

const (
	// OrderByOtherName sorts by the other end's name, then its key.
	OrderByOtherName EdgeOrder = "other_name"
	// OrderBySince sorts by the edge's date (unknown first), then the other end's key.
	OrderBySince EdgeOrder = "since"
	// OrderByPosition sorts by agenda position (DISCUSSED), then the other end's key.
	OrderByPosition EdgeOrder = "position"
)

// EdgeQuery selects the edges of an anchor node.
type EdgeQuery struct {
	Kind EdgeKind
	// Direction is Out (anchor is From), In (anchor is To) or Both;
	// undirected kinds are always Both.
	Direction Direction
	// OtherKinds keeps edges whose other end is of one of these kinds.
	OtherKinds []Kind
	// OtherCountry keeps edges whose other end is in that country: a city
	// in it, or an organisation seated in one of its cities.
	OtherCountry string
	// PartnershipKind and Role keep partnerships of that kind or
	// organisers in that role.
	PartnershipKind PartnershipKind
	Role            Role
	// AsOf keeps edges that existed on that date (unknown start counts).
	AsOf  Date
	Order EdgeOrder
	Desc  bool
	Page  Page
}

// Normalize validates q and applies defaults.
func (q *EdgeQuery) Normalize() error {
	r, ok := EdgeRules[q.Kind]
	if !ok {
		return Errorf(EINVALID, "unknown relation kind %q", q.Kind)
	}
	if r.Undirected || q.Direction == "" {
		q.Direction = Both
	}
	if q.Direction != Out && q.Direction != In && q.Direction != Both {
		return Errorf(EINVALID, "unknown direction %q", q.Direction)
	}
	if q.Order == "" {
		q.Order = OrderByOtherName
	}
	if !slices.Contains([]EdgeOrder{OrderByOtherName, OrderBySince, OrderByPosition}, q.Order) {
		return Errorf(EINVALID, "unknown edge order %q", q.Order)
	}
	if _, err := ParseDate(string(q.AsOf)); err != nil {
		return err
	}
	return q.Page.Normalize()
}

// EdgeSortKey returns an edge's position in a list ordered by o: the sort
// key and the tie-breaking identity (the other end's key). Both stores use
// it so that cursors and tie order agree.
func (o EdgeOrder) EdgeSortKey(e *Edge, other Node) (key, id string) {
	id = other.Key().String()
	switch o {
	case OrderBySince:
		return string(e.Since), id
	case OrderByPosition:
		return padInt(e.Position), id
	default:
		return other.Base().Name, id
	}
}

func padInt(n int) string { return fmt.Sprintf("%010d", n) }

// EdgePage is one page of an anchor's edges; Cursors[i] is the position of Items[i].
type EdgePage struct {
	Items       []Edge
	Cursors     []string
	TotalCount  int
	HasNextPage bool
}

// Neighbourhood bounds.
const (
	MaxNeighbourhoodDepth = 3
	MaxNeighbourhoodNodes = 500
)

// NeighbourhoodQuery asks for the nodes around Center. Nodes come level by
// level, each level in NodeKey order; the edges are every edge of a followed
// kind among the kept nodes, in no particular order.
type NeighbourhoodQuery struct {
	Center NodeKey
	Depth  int
	// Kinds restricts the relations followed; empty follows all.
	Kinds []EdgeKind
	Limit int
}

// Normalize validates q and applies defaults (NeighbourhoodDepth, NeighbourhoodLimit).
func (q *NeighbourhoodQuery) Normalize() error {
	if err := NeighbourhoodDepth.Normalize(&q.Depth); err != nil {
		return err
	}
	if err := NeighbourhoodLimit.Normalize(&q.Limit); err != nil {
		return err
	}
	for _, k := range q.Kinds {
		if _, ok := EdgeRules[k]; !ok {
			return Errorf(EINVALID, "unknown relation kind %q", k)
		}
	}
	return nil
}

// ---- Analytics -------------------------------------------------------------

// LinkKind is a way two cities are linked on a path.
type LinkKind string

const (
	// LinkPartnership: the two cities are partners.
	LinkPartnership LinkKind = "partnership"
	// LinkForum: both attended the same forum edition.
	LinkForum LinkKind = "forum"
	// LinkAgreement: both signed the same agreement.
	LinkAgreement LinkKind = "agreement"
)

var LinkKinds = []LinkKind{LinkPartnership, LinkForum, LinkAgreement}

// Path bounds.
const (
	DefaultMaxHops = 4
	MaxMaxHops     = 8
	MaxPaths       = 10
)

// PathQuery asks for the K shortest chains of distinct cities from From to
// To (city slugs), each hop a link of one of the kinds in Via.
//
// Contract: paths are ordered by hop count, then by the sequence of city
// slugs (lexicographically, element by element); each hop lists every link
// of the followed kinds between its two cities, ordered by kind (as in
// LinkKinds) then by the via node's slug.
type PathQuery struct {
	From, To string
	Via      []LinkKind
	MaxHops  int
	K        int
	AsOf     Date
}

// Normalize validates q and applies defaults (all kinds, PathHops, PathCount).
func (q *PathQuery) Normalize() error {
	if err := ValidateSlug(q.From); err != nil {
		return err
	}
	if err := ValidateSlug(q.To); err != nil {
		return err
	}
	if q.From == q.To {
		return Errorf(EINVALID, "from and to are the same city %q; a path links two different cities", q.From)
	}
	if len(q.Via) == 0 {
		q.Via = slices.Clone(LinkKinds)
	}
	for _, v := range q.Via {
		if !slices.Contains(LinkKinds, v) {
			return Errorf(EINVALID, "unknown link kind %q; expected one of %v", v, LinkKinds)
		}
	}
	if err := PathHops.Normalize(&q.MaxHops); err != nil {
		return err
	}
	if err := PathCount.Normalize(&q.K); err != nil {
		return err
	}
	_, err := ParseDate(string(q.AsOf))
	return err
}

// Path is a chain of distinct cities; Hops[i] links Cities[i] and Cities[i+1].
type Path struct {
	Cities []string
	Hops   []Hop
}

// Hop is one step of a path with every link between its two cities.
type Hop struct {
	From, To string
	Links    []Link
}

// Link is one reason two cities are adjacent: a partnership (Via is the
// zero key; Edge is the partnership), a shared forum or a shared agreement
// (Via is that node).
type Link struct {
	Kind LinkKind
	Via  NodeKey
	Edge *Edge
}

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
	GroupBy     FundingGroup
	FundingBody string
	Country     string
	City        string
	Sector      Sector
	Currency    Currency
	// From and To bound the financing's date, inclusive.
	From, To Date
}

// Normalize validates q.
func (q *FundingQuery) Normalize() error {
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
	return nil
}

// FundingTotal is the sum of one group's financings in one currency.
// Results are ordered by Group, then Currency.
type FundingTotal struct {
	Group      string
	Currency   Currency
	Amount     Decimal
	Projects   int
	Financings int
}

// RankMetric is what cities are ranked by.
type RankMetric string

const (
	RankByPartners   RankMetric = "partners"
	RankByForums     RankMetric = "forums"
	RankByAgreements RankMetric = "agreements"
	RankByFunding    RankMetric = "funding"
)

var RankMetrics = []RankMetric{RankByPartners, RankByForums, RankByAgreements, RankByFunding}

// RankQuery asks for the top cities by a metric.
//
// Contract: cities with a zero value are left out; order is value
// descending, then slug ascending; Rank is competition ranking (1, 2, 2, 4).
// Funding is the sum of financings of projects located in the city, in
// Currency (required for that metric).
type RankQuery struct {
	Metric   RankMetric
	Currency Currency
	Country  string
	Grouping string
	AsOf     Date
	First    int
}

// Normalize validates q and applies defaults.
func (q *RankQuery) Normalize() error {
	if !slices.Contains(RankMetrics, q.Metric) {
		return Errorf(EINVALID, "unknown metric %q; expected one of %v", q.Metric, RankMetrics)
	}
	if q.Metric == RankByFunding {
		if q.Currency == "" {
			return Errorf(EINVALID, "ranking by funding needs a currency: sums are never added across currencies")
		}
		if _, err := ParseCurrency(string(q.Currency)); err != nil {
			return err
		}
	}
	if err := TopCount.Normalize(&q.First); err != nil {
		return err
	}
	_, err := ParseDate(string(q.AsOf))
	return err
}

// RankedCity is one row of a ranking; Value is a count, or hundredths of
// the currency for funding (see Decimal).
type RankedCity struct {
	City  string
	Value int64
	Rank  int
}

// Suggestion weights: an agreement signed together says more than a forum
// attended together, which says more than a funder in common.
const (
	WeightSharedAgreement = 3
	WeightSharedForum     = 2
	WeightSharedFunder    = 1
)

// SuggestQuery asks for suggested partners of City.
//
// Contract: candidates are cities other than City that are not its
// partners (as of AsOf) and share at least one forum attended, agreement
// signed or funding body (a body that financed projects located in both).
// Score = 3×agreements + 2×forums + 1×funders. Order: score descending,
// distance ascending (unknown last), slug ascending.
type SuggestQuery struct {
	City  string
	AsOf  Date
	First int
}

// Normalize validates q and applies defaults.
func (q *SuggestQuery) Normalize() error {
	if err := ValidateSlug(q.City); err != nil {
		return err
	}
	if err := SuggestionCount.Normalize(&q.First); err != nil {
		return err
	}
	_, err := ParseDate(string(q.AsOf))
	return err
}

// Suggestion is a proposed partner with what it shares.
type Suggestion struct {
	City             string
	Score            int
	SharedForums     []string
	SharedAgreements []string
	SharedFunders    []string
	// DistanceKm is nil when either city has no location.
	DistanceKm *float64
}

// MaxRadiusKm is half the Earth's circumference: every point is within it.
const MaxRadiusKm = math.Pi * earthRadiusKm

// NearQuery asks for cities within RadiusKm of City or of Point (exactly
// one of them).
//
// Contract: nearest first, ties by slug; the centre city itself is left
// out; distances are great-circle kilometres (stores may differ by 1e-6
// relative).
type NearQuery struct {
	City     string
	Point    *GeoPoint
	RadiusKm float64
	First    int
}

// Normalize validates q and applies defaults.
func (q *NearQuery) Normalize() error {
	if (q.City == "") == (q.Point == nil) {
		return Errorf(EINVALID, "give either a city or a point to measure from, not both or neither")
	}
	if q.Point != nil {
		if err := q.Point.Validate(); err != nil {
			return err
		}
	} else if err := ValidateSlug(q.City); err != nil {
		return err
	}
	if math.IsNaN(q.RadiusKm) || q.RadiusKm < 0 {
		return Errorf(EINVALID, "distance must be zero or more kilometres, got %v", q.RadiusKm)
	}
	if err := TopCount.Normalize(&q.First); err != nil {
		return err
	}
	return nil
}

// NearCity is a city and its distance from the centre.
type NearCity struct {
	City       string
	DistanceKm float64
}

// SearchQuery is a full-text search over names, aliases and descriptions
// in English and Chinese.
//
// Contract: every hit contains the text (case-insensitively) in its name,
// Chinese name, an alias or its description, or matches all its words;
// exact name matches rank first; ties by kind then slug.
type SearchQuery struct {
	Text  string
	Kinds []Kind
	First int
}

// MaxSearchLen bounds search text.
const MaxSearchLen = 200

// Normalize validates q and applies defaults.
func (q *SearchQuery) Normalize() error {
	q.Text = strings.TrimSpace(q.Text)
	if q.Text == "" {
		return Errorf(EINVALID, "search text is empty; give a word in English or Chinese, such as Nanning or 南宁")
	}
	if len(q.Text) > MaxSearchLen {
		return Errorf(EINVALID, "search text is %d bytes; at most %d", len(q.Text), MaxSearchLen)
	}
	for _, k := range q.Kinds {
		if !k.Valid() {
			return Errorf(EINVALID, "unknown node kind %q", k)
		}
	}
	if err := TopCount.Normalize(&q.First); err != nil {
		return err
	}
	return nil
}

// SearchHit is one search result; Score is higher for better matches.
type SearchHit struct {
	Key   NodeKey
	Score float64
}

// CompareSuggestions is the order of SuggestPartners' answer: score
// descending, distance ascending with unknown distances last, slug
// ascending. Stores and the contract suite sort with it.
func CompareSuggestions(a, b Suggestion) int {
	if a.Score != b.Score {
		return cmp.Compare(b.Score, a.Score)
	}
	switch {
	case a.DistanceKm != nil && b.DistanceKm != nil && *a.DistanceKm != *b.DistanceKm:
		return cmp.Compare(*a.DistanceKm, *b.DistanceKm)
	case a.DistanceKm != nil && b.DistanceKm == nil:
		return -1
	case a.DistanceKm == nil && b.DistanceKm != nil:
		return 1
	}
	return cmp.Compare(a.City, b.City)
}
