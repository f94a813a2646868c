package embedded

import (
	"cmp"
	"slices"

	"github.com/citygraph/citygraph/domain"
)

// positioned is a list item with its keyset position.
type positioned[T any] struct {
	key, id string
	item    T
}

// pageOf returns the page of items after the cursor in (key, id) order,
// ascending or descending, with its cursors and whether more follow. It
// keeps the page's items as it goes rather than sorting all of them.
func pageOf[T any](items []positioned[T], desc bool, page domain.Page) (out []T, cursors []string, hasNext bool) {
	order := func(a, b positioned[T]) int {
		c := cmp.Or(cmp.Compare(a.key, b.key), cmp.Compare(a.id, b.id))
		if desc {
			return -c
		}
		return c
	}
	var after *domain.Cursor
	if page.After != "" {
		c, _ := domain.DecodeCursor(page.After) // checked by Normalize
		after = &c
	}
	var kept []positioned[T]
	rest := 0
	if page.First >= len(items) {
		// Every item fits (always so for a plan's Follow with All): sorting
		// them costs n log n, where keeping the best would move n² items.
		for _, p := range items {
			if after == nil || after.After(p.key, p.id, desc) {
				kept = append(kept, p)
			}
		}
		slices.SortFunc(kept, order)
		rest = len(kept)
	} else {
		best := newBest(page.First, order)
		for _, p := range items {
			if after == nil || after.After(p.key, p.id, desc) {
				rest++
				best.offer(p)
			}
		}
		kept = best.items
	}
	for _, p := range kept {
		out = append(out, p.item)
		cursors = append(cursors, domain.Cursor{Key: p.key, ID: p.id}.Encode())
	}
	return out, cursors, rest > len(kept)
}
