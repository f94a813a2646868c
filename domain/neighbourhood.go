package domain

// Neighbourhood bounds.
const (
	MaxNeighbourhoodDepth = 3
	MaxNeighbourhoodNodes = 500
)

// NeighbourhoodQuery asks for the nodes around Center. Nodes come level by
// level, each level in NodeKey order; the edges are every edge of a followed
// kind (that existed on AsOf, when set) among the kept nodes, in no
// particular order.
type NeighbourhoodQuery struct {
	Center NodeKey
	Depth  int
	// Kinds restricts the relations followed; empty follows all.
	Kinds []EdgeKind
	Limit int
	// AsOf follows only relations that existed on that date (Edge.ActiveOn:
	// an unknown start counts, an Until ends it); empty follows every relation.
	AsOf Date
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
	_, err := ParseDate(string(q.AsOf))
	return err
}
