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

// page reads the Relay arguments of a connection: first and after page
// forward, last and before back. Neither size given takes the default
// first; last alone leaves First 0, as domain.Page wants. Each size is
// checked on its own (an explicit 0 included), then the page as a whole:
// first and last together, and the cursors.
func page(first *int, after *string, last *int, before *string) (domain.Page, error) {
	p := domain.Page{After: deref(after), Before: deref(before)}
	var err error
	switch {
	case last == nil:
		p.First, err = domain.PageSize.Given(first)
	case first == nil:
		p.Last, err = domain.LastPageSize.Given(last)
	default:
		if err = domain.PageSize.Check(*first); err == nil {
			err = domain.LastPageSize.Check(*last)
		}
		p.First, p.Last = *first, *last
	}
	if err != nil {
		return p, err
	}
	return p, p.Normalize()
}
