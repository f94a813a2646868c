package graph

// Pointers to and from values, as gqlgen passes optional arguments and
// returns nullable fields and lists of objects.

// deref is the value p points to, the zero value for nil.
func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// optionalInt shows an absent count or year, which the domain stores as
// zero, as null.
func optionalInt[T int | int64](v T) *int {
	if v == 0 {
		return nil
	}
	i := int(v)
	return &i
}

// ptrs points at each element of xs, in place.
func ptrs[T any](xs []T) []*T {
	out := make([]*T, len(xs))
	for i := range xs {
		out[i] = &xs[i]
	}
	return out
}
