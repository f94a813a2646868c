package embedded

import (
	"slices"

	"github.com/citygraph/citygraph/domain"
)

// positioned is a list item with its keyset position.
type positioned[T any] struct {
	position
	item T
}

// listPage is a page cut from a list by pageOf.
type listPage[T any] struct {
	items            []T
	cursors          []string
	hasNext, hasPrev bool
}

// pageOf returns the page of items that page asks for, in the list's order
// (see listOrder), with its cursors (unless page.NoCursors) and the rules of domain.Page
// for hasNext and hasPrev. It keeps the page's items as it goes rather than
// sorting all of them. The total is len(items): counting costs nothing
// here, since every item is visited to find the page anyway.
func pageOf[T any](items []positioned[T], o listOrder, page domain.Page) listPage[T] {
	order := func(a, b positioned[T]) int { return o.compare(a.position, b.position) }
	after, before := page.Range()
	afterAt, hasAfter := o.at(after)
	beforeAt, hasBefore := o.at(before)
	back := page.Last > 0
	n := page.First
	keep := order // keeps the first n of the range
	if back {
		n = page.Last
		keep = func(a, b positioned[T]) int { return order(b, a) } // keeps the last n
	}
	// Every item fits (always so for a plan's Follow with All): sorting
	// them costs n log n, where keeping the best would move n² items.
	fits := n >= len(items)
	var kept []positioned[T]
	var b *best[positioned[T]]
	if !fits {
		b = newBest(n, keep)
	}
	inRange := 0
	atAfter, atBefore := false, false // an item at or before After; at or after Before
	for _, p := range items {
		out := false
		if hasAfter && o.compare(p.position, afterAt) <= 0 {
			atAfter, out = true, true
		}
		if hasBefore && o.compare(p.position, beforeAt) >= 0 {
			atBefore, out = true, true
		}
		if out {
			continue
		}
		inRange++
		if fits {
			kept = append(kept, p)
		} else {
			b.offer(p)
		}
	}
	if fits {
		slices.SortFunc(kept, order)
	} else {
		kept = b.items
		if back {
			slices.Reverse(kept) // kept last-first; the page is in the list's order
		}
	}
	lp := listPage[T]{
		hasNext: !back && inRange > n || atBefore,
		hasPrev: back && inRange > n || atAfter,
	}
	for _, p := range kept {
		lp.items = append(lp.items, p.item)
		if !page.NoCursors {
			lp.cursors = append(lp.cursors, o.cursor(p.position))
		}
	}
	return lp
}

// total is the page's TotalCount: n, or 0 when the page declines it.
func total(page domain.Page, n int) int {
	if page.NoTotal {
		return 0
	}
	return n
}
