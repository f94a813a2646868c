package domain

import (
	"fmt"
	"slices"
)

// Edge is a relation between two nodes with its own properties. Which
// properties apply depends on Kind (see EdgeRules and the field comments);
// the others stay zero.
type Edge struct {
	Kind EdgeKind
	From NodeKey
	To   NodeKey

	// Since is when the relation began: a partnership's start, a country's
	// accession, a signature's date, a financing's approval.
	Since Date

	// Role is an organiser's part (ORGANISED).
	Role Role

	// PartnershipKind, Status and Through describe a partnership (PARTNER_OF);
	// Through is the agreement or forum it came about through, if any.
	PartnershipKind PartnershipKind
	Status          PartnershipStatus
	Through         *NodeKey

	// DelegationSize and Level describe an attendance (ATTENDED).
	DelegationSize int
	Level          string

	// Position orders a forum's agenda items (DISCUSSED), from 1.
	Position int

	// Request is what a forum asked of a funding body (CALLED_ON).
	Request   string
	RequestZh string

	// Amount and Instrument describe a financing (FINANCED): the financier's
	// own share, not the project's total cost.
	Amount     *Money
	Instrument string

	// Note keeps the source's own wording where the structured fields
	// simplify it ("MoU signed 2005-04-01; renewed 2023").
	Note string

	// Sources are the slugs of the Source nodes that state this relation.
	Sources []string

	// Until is when the relation ended (a partnership ended by a write);
	// unknown while it lasts. AsOf queries see it from Since to Until.
	Until Date
	// Version counts the relation's changes, as Meta.Version.
	Version int64
}

// EdgeKey identifies an edge: at most one edge of a kind links two nodes.
type EdgeKey struct {
	Kind     EdgeKind
	From, To NodeKey
}

func (k EdgeKey) String() string {
	return string(k.Kind) + "(" + k.From.String() + "," + k.To.String() + ")"
}

// Key returns the edge's identity, normalised for undirected kinds.
func (e *Edge) Key() EdgeKey {
	from, to := e.From, e.To
	if EdgeRules[e.Kind].Undirected && to.Less(from) {
		from, to = to, from
	}
	return EdgeKey{Kind: e.Kind, From: from, To: to}
}

// Normalize puts an undirected edge's lesser end first, so that one
// partnership is stored once whichever city it was written from.
func (e *Edge) Normalize() {
	k := e.Key()
	e.From, e.To = k.From, k.To
}

// Other returns the end of e that is not anchor (for a self-loop, anchor).
func (e *Edge) Other(anchor NodeKey) NodeKey {
	if e.From == anchor {
		return e.To
	}
	return e.From
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
	// OtherCountry keeps edges whose other end is in that country, in the
	// sense of NodeFilter.Country: the country itself, a city in it, an
	// organisation or funding body seated in one of its cities, a project
	// located in it or in one of its cities.
	OtherCountry string
	// PartnershipKind and Role keep partnerships of that kind or
	// organisers in that role.
	PartnershipKind PartnershipKind
	Role            Role
	// AsOf keeps edges that existed on that date (Edge.ActiveOn: an
	// unknown start counts, an Until ends it).
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
// TotalCount, HasNextPage and HasPreviousPage follow the rules on Page.
type EdgePage struct {
	Items           []Edge
	Cursors         []string
	TotalCount      int
	HasNextPage     bool
	HasPreviousPage bool
}
