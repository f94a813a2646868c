package domain

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
