package graph

import "github.com/citygraph/citygraph/domain"

// counts reads a field's optional count arguments (first, limit, depth,
// maxHops, k) by their domain.Count: an absent or null one takes its
// documented default, and any value given, an explicit 0 included, must be
// in range. The first refusal is kept for the resolver to return.
type counts struct{ err error }

func (c *counts) get(def domain.Count, v *int) int {
	n, err := def.Given(v)
	if err != nil && c.err == nil {
		c.err = err
	}
	return n
}

// page reads the Relay arguments of a connection.
func page(first *int, after *string) (domain.Page, error) {
	n, err := domain.PageSize.Given(first)
	return domain.Page{First: n, After: deref(after)}, err
}
