package domain

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// NodeKey identifies a node: its kind and its slug. Slugs are unique within
// a kind ("nanning", "aiib", "CN" for countries).
type NodeKey struct {
	Kind Kind
	ID   string
}

func (k NodeKey) String() string { return string(k.Kind) + ":" + k.ID }

// Less orders keys by kind, then slug; undirected edges store the lesser end first.
func (k NodeKey) Less(o NodeKey) bool {
	if k.Kind != o.Kind {
		return k.Kind < o.Kind
	}
	return k.ID < o.ID
}

// ParseNodeKey reads the global ID form "Kind:slug" that the API exposes.
func ParseNodeKey(s string) (NodeKey, error) {
	kind, id, ok := strings.Cut(s, ":")
	if !ok || id == "" {
		return NodeKey{}, Errorf(EINVALID, "ID %q is not of the form Kind:slug (for example City:nanning)", s)
	}
	k, err := ParseKind(kind)
	if err != nil {
		return NodeKey{}, Errorf(EINVALID, "ID %q names unknown kind %q; expected one of %v", s, kind, Kinds)
	}
	if err := ValidateSlug(id); err != nil {
		return NodeKey{}, err
	}
	return NodeKey{Kind: k, ID: id}, nil
}

// ValidateSlug checks an identity: 1–128 characters of ASCII letters, digits,
// '-', '_' or '.', so it is safe in URLs, IDs and logs.
func ValidateSlug(s string) error {
	if s == "" || len(s) > 128 {
		return Errorf(EINVALID, "slug %q must be 1 to 128 characters", truncate(s, 40))
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return Errorf(EINVALID, "slug %q may hold only letters, digits, '-', '_' and '.'", truncate(s, 40))
		}
	}
	return nil
}

func truncate(s string, n int) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// Node is any thing in the graph. Every node kind is a struct below that
// embeds Meta.
type Node interface {
	Key() NodeKey
	Base() *Meta
}

// Meta is what every node carries: identity, names in English and Chinese,
// other names search should find, and the sources that state it.
type Meta struct {
	ID string
	// Name is the English name; NameZh the Chinese one where the source has it.
	Name   string
	NameZh string
	// Aliases are other names and abbreviations (亚投行, AIIB).
	Aliases     []string
	Description string
	// Sources are the slugs of the Source nodes that state this node.
	Sources []string
	// Version counts the node's changes: 1 when created, +1 for each write
	// that changes it (see Writer). Writers state it to detect a stale read.
	Version int64
}

func (m *Meta) Base() *Meta { return m }

// Country is a state, identified by its ISO 3166-1 alpha-2 code.
type Country struct {
	Meta
}

func (n *Country) Key() NodeKey { return NodeKey{KindCountry, n.ID} }

// Grouping is a bloc of countries (ASEAN, BRICS).
type Grouping struct {
	Meta
	Acronym string
}

func (n *Grouping) Key() NodeKey { return NodeKey{KindGrouping, n.ID} }

// City is a city or, where a partner is one, a province or district.
type City struct {
	Meta
	Division Division
	// Region is the province or region the city lies in (Guangxi).
	Region   string
	RegionZh string
	Location *GeoPoint
	// Population with the year it was counted; zero when unknown.
	Population     int64
	PopulationYear int
	IsCapital      bool
}

func (n *City) Key() NodeKey { return NodeKey{KindCity, n.ID} }

// Organization is an association, government, secretariat, academy, company…
type Organization struct {
	Meta
	OrgKind OrgKind
}

func (n *Organization) Key() NodeKey { return NodeKey{KindOrganization, n.ID} }

// FundingBody is a development bank or fund.
type FundingBody struct {
	Meta
	Acronym string
	Founded Date
	// Capital is the initial authorised (or pledged) capital.
	Capital     *Money
	CapitalNote string
}

func (n *FundingBody) Key() NodeKey { return NodeKey{KindFundingBody, n.ID} }

// ForumSeries is a recurring forum (the China–ASEAN Mayors Forum).
type ForumSeries struct {
	Meta
}

func (n *ForumSeries) Key() NodeKey { return NodeKey{KindForumSeries, n.ID} }

// Event is a larger event that forums sit in (the China–ASEAN Expo).
type Event struct {
	Meta
	FirstHeld Date
}

func (n *Event) Key() NodeKey { return NodeKey{KindEvent, n.ID} }

// Forum is one edition of a forum series.
type Forum struct {
	Meta
	Edition   int
	StartDate Date
	EndDate   Date
	Theme     string
	ThemeZh   string
	// Participants is the reported size (about 150); Officials the guests
	// attending as governors or mayors (53). Zero when not reported.
	Participants   int
	Officials      int
	AttendanceNote string
}

func (n *Forum) Key() NodeKey { return NodeKey{KindForum, n.ID} }

// Topic is an agenda item of a forum edition.
type Topic struct {
	Meta
	SubThemes   []string
	SubThemesZh []string
}

func (n *Topic) Key() NodeKey { return NodeKey{KindTopic, n.ID} }

// Agreement is an outcome document such as the Nanning Consensus.
type Agreement struct {
	Meta
	Date Date
	// Points are the agreed points, in order, in English and Chinese.
	Points   []string
	PointsZh []string
}

func (n *Agreement) Key() NodeKey { return NodeKey{KindAgreement, n.ID} }

// Initiative is a framework the material refers to (Belt and Road).
type Initiative struct {
	Meta
}

func (n *Initiative) Key() NodeKey { return NodeKey{KindInitiative, n.ID} }

// Project is a cooperation or investment project.
type Project struct {
	Meta
	Sector Sector
	Status ProjectStatus
}

func (n *Project) Key() NodeKey { return NodeKey{KindProject, n.ID} }

// Source is where facts come from. Sources cite nothing themselves.
type Source struct {
	Meta
	Publisher string
	Author    string
	Date      Date
	// URLs are the addresses where it can be read, the first the main one.
	URLs []string
	// File is a path relative to the seed directory for sources kept there.
	File string
}

func (n *Source) Key() NodeKey { return NodeKey{KindSource, n.ID} }

// NewNode returns an empty node of kind k with its slug set.
func NewNode(k Kind, id string) Node {
	var n Node
	switch k {
	case KindCountry:
		n = &Country{}
	case KindGrouping:
		n = &Grouping{}
	case KindCity:
		n = &City{}
	case KindOrganization:
		n = &Organization{}
	case KindFundingBody:
		n = &FundingBody{}
	case KindForumSeries:
		n = &ForumSeries{}
	case KindEvent:
		n = &Event{}
	case KindForum:
		n = &Forum{}
	case KindTopic:
		n = &Topic{}
	case KindAgreement:
		n = &Agreement{}
	case KindInitiative:
		n = &Initiative{}
	case KindProject:
		n = &Project{}
	case KindSource:
		n = &Source{}
	default:
		return nil
	}
	n.Base().ID = id
	return n
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
	// Where, if set, keeps the nodes it holds for (domain/filter.go).
	Where *Filter
	Order NodeOrder
	Desc  bool
	// OrderBy, when given, orders the list instead of Order and Desc
	// (see orderings.go); Aggregate asks for aggregates of the whole list.
	OrderBy   []OrderKey
	Aggregate Aggregation
	Page      Page
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
	if q.Where != nil {
		if err := q.Where.Normalize(NodeScope(q.Kind)); err != nil {
			return err
		}
	}
	if err := q.Page.Normalize(); err != nil {
		return err
	}
	return q.checkOrderings()
}

// SortKey returns n's position in a list ordered by o.
func (o NodeOrder) SortKey(n Node) string {
	if o == OrderByID {
		return n.Base().ID
	}
	return n.Base().Name
}

// NodePage is one page of nodes; Cursors[i] is the position of Items[i].
// TotalCount, HasNextPage and HasPreviousPage follow the rules on Page.
type NodePage struct {
	Items           []Node
	Cursors         []string
	TotalCount      int
	HasNextPage     bool
	HasPreviousPage bool
	// Aggregates answers the query's Aggregate (nil when not asked).
	Aggregates *Aggregates
}

// SplitURLs reads addresses written in one text, separated by white space
// or by " ; " (the joined form a source's URL had before sources held a
// list), as seed files and stores written before may still give them.
func SplitURLs(s string) []string {
	var out []string
	for _, f := range strings.Fields(s) {
		if f != ";" {
			out = append(out, f)
		}
	}
	return out
}
