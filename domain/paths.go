package domain

import (
	"slices"
)

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
	// AsOf keeps a relation that existed on that date (Edge.ActiveOn: an
	// unknown Since counts as always; an Until ends it).
	AsOf Date
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
