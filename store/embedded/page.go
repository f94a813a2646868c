package embedded

import (
	"cmp"

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
	kept := newBest(page.First, func(a, b positioned[T]) int {
		c := cmp.Or(cmp.Compare(a.key, b.key), cmp.Compare(a.id, b.id))
		if desc {
			return -c
		}
		return c
	})
	var after *domain.Cursor
	if page.After != "" {
		c, _ := domain.DecodeCursor(page.After) // checked by Normalize
		after = &c
	}
	rest := 0
	for _, p := range items {
		if after == nil || after.After(p.key, p.id, desc) {
			rest++
			kept.offer(p)
		}
	}
	for _, p := range kept.items {
		out = append(out, p.item)
		cursors = append(cursors, domain.Cursor{Key: p.key, ID: p.id}.Encode())
	}
	return out, cursors, rest > len(kept.items)
}
