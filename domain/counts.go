package domain

import "fmt"

// Count is a bounded count argument of a query (a page size, a depth, a
// number of paths): its name in the API, its default and its largest value.
// The queries' Normalize methods and the GraphQL layer both check counts
// with it, so the API and both stores refuse the same values with the same
// message.
type Count struct {
	Name    string
	Default int
	Max     int
	// Hint says how to get more than Max, where there is a way; it is
	// added to the message for a value past Max.
	Hint string
}

// The count arguments of the queries, with the defaults and maxima the
// schema documents.
var (
	PageSize           = Count{Name: "first", Default: DefaultPageSize, Max: MaxPageSize, Hint: "page through larger lists with after"}
	LastPageSize       = Count{Name: "last", Default: DefaultPageSize, Max: MaxPageSize, Hint: "page back through larger lists with before"}
	TopCount           = Count{Name: "first", Default: DefaultPageSize, Max: MaxUnpagedRows}
	SuggestionCount    = Count{Name: "first", Default: 10, Max: MaxUnpagedRows}
	LoadCount          = Count{Name: "first", Default: 10, Max: MaxUnpagedRows}
	NeighbourhoodDepth = Count{Name: "depth", Default: 1, Max: MaxNeighbourhoodDepth}
	NeighbourhoodLimit = Count{Name: "limit", Default: 200, Max: MaxNeighbourhoodNodes}
	PathHops           = Count{Name: "maxHops", Default: DefaultMaxHops, Max: MaxMaxHops}
	PathCount          = Count{Name: "k", Default: 1, Max: MaxPaths}
)

// Check returns an EINVALID error naming the argument, v and the allowed
// range unless v is between 1 and c.Max.
func (c Count) Check(v int) error {
	if v >= 1 && v <= c.Max {
		return nil
	}
	msg := fmt.Sprintf("%s must be between 1 and %d, got %d; omit it for the default of %d", c.Name, c.Max, v, c.Default)
	if c.Hint != "" && v > c.Max {
		msg += ", or " + c.Hint
	}
	return Errorf(EINVALID, "%s", msg)
}

// Normalize gives *v the default when it is zero, which in Go means not
// given, and checks it. (The API, which can tell an explicit 0 from an
// absent argument, refuses the 0 with Given.)
func (c Count) Normalize(v *int) error {
	if *v == 0 {
		*v = c.Default
	}
	return c.Check(*v)
}

// Given reads an optional argument: absent (nil) takes the default; any
// value given, 0 included, must be in range.
func (c Count) Given(v *int) (int, error) {
	if v == nil {
		return c.Default, nil
	}
	return *v, c.Check(*v)
}
