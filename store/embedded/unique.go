package embedded

import (
	"slices"
)

// unique returns the distinct strings of s, sorted, without changing s.
func unique(s []string) []string {
	if len(s) < 2 {
		return s
	}
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}
