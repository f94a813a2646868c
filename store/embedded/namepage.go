package embedded

import (
	"math"
	"sort"

	"github.com/citygraph/citygraph/domain"
)

// namePage is edgePage for a list in the default order (far end's name,
// then key; no aggregate). The anchor's list is kept in that order
// (nameorder.go), so the page is a stretch of it: found by binary search
// when the query keeps every relation, else by a walk that filters. Either
// follows domain.Page's rules as pageOf does, with no sort and no
// allocation but the page's own (none for a plan's page in ascending
// order: it is a stretch of the list); the contract suite checks both
// stores against the oracle.
func (st *state) namePage(q domain.EdgeQuery, anchor domain.NodeKey, all bool, dl *deadline, buf *pageBuf) domain.EdgePage {
	c := nameCut{st: st, dl: dl, q: q, anchor: anchor, list: st.byName(anchor, q.Kind, q.Direction), o: listOrder{desc: q.Desc},
		n: q.Page.First, back: q.Page.Last > 0, cursors: !q.Page.NoCursors, counted: !q.Page.NoTotal, buf: buf}
	buf.startPage()
	after, before := q.Page.Range()
	c.afterAt, c.hasAfter = c.o.at(after)
	c.beforeAt, c.hasBefore = c.o.at(before)
	if c.back {
		c.n = q.Page.Last
	}
	if all { // every matching relation, counted, with cursors (as pageOf)
		c.n, c.back, c.cursors, c.counted = math.MaxInt, false, true, true
	}
	if keepsAll(q) {
		return c.slice()
	}
	return c.filter()
}

// keepsAll reports whether q keeps every relation of its kind and
// direction (keepEdge is true for all).
func keepsAll(q domain.EdgeQuery) bool {
	return len(q.OtherKinds) == 0 && q.OtherCountry == "" && q.PartnershipKind == "" && q.Role == "" && q.AsOf == "" && q.Where == nil
}

// nameCut cuts one page from an anchor's list in the default order.
type nameCut struct {
	st                  *state
	dl                  *deadline
	q                   domain.EdgeQuery
	anchor              domain.NodeKey
	list                *nameList
	o                   listOrder
	afterAt, beforeAt   position
	hasAfter, hasBefore bool
	// n is the page's size, taken from the range's start or, back, its end.
	n                      int
	back, cursors, counted bool
	buf                    *pageBuf
}

// at is where the i-th relation in the query's order is in the list (the
// list is ascending).
func (c *nameCut) at(i int) int {
	if c.o.desc {
		return len(c.list.ends) - 1 - i
	}
	return i
}

func (c *nameCut) position(i int) position {
	e := &c.list.ends[c.at(i)]
	return position{key: e.name, id: e.id}
}

// slice cuts the page when every relation matches: the range is the
// stretch between After and Before, found by binary search.
func (c *nameCut) slice() domain.EdgePage {
	l := len(c.list.ends)
	lo, hi := 0, l
	if c.hasAfter { // the first past After
		lo = sort.Search(l, func(i int) bool { return c.o.compare(c.position(i), c.afterAt) > 0 })
	}
	if c.hasBefore { // the first at or past Before
		hi = sort.Search(l, func(i int) bool { return c.o.compare(c.position(i), c.beforeAt) >= 0 })
	}
	inRange := max(hi-lo, 0)
	from, to := lo, lo+min(c.n, inRange)
	if c.back {
		from, to = hi-min(c.n, inRange), hi
	}
	var page domain.EdgePage
	// A plan's answers are read-only: its page in ascending order is the
	// list's stretch, capped so that appending to it copies.
	stretch := c.buf.share && !c.o.desc
	if stretch && to > from {
		page.Items = c.list.edges[from:to:to]
		c.buf.ends = c.list.ends[from:to:to]
		if c.cursors {
			page.Cursors = c.list.cursors[from:to:to]
		}
	}
	for i := from; i < to && !stretch; i++ {
		if c.dl.tick() {
			return domain.EdgePage{}
		}
		c.add(&page, i, to-from)
	}
	c.finish(&page, walked{matched: l, inRange: inRange, atAfter: lo > 0, atBefore: hi < l})
	return page
}

// filter cuts the page when the query filters: a walk along the list
// keeps what matches. Forward, the page is the first n of the range, met
// first; back, the last n, so a first walk counts the range and a second
// takes its end.
func (c *nameCut) filter() domain.EdgePage {
	skip := 0
	if c.back {
		r, ok := c.walk(-1, func(int) {})
		if !ok {
			return domain.EdgePage{}
		}
		skip = max(r.inRange-c.n, 0)
	}
	stopAt := -1 // forward without a total: stop once hasNext is known
	if !c.back && !c.counted {
		stopAt = c.n + 1
	}
	var page domain.EdgePage
	r, ok := c.walk(stopAt, func(i int) {
		switch {
		case skip > 0:
			skip--
		case len(page.Items) < c.n:
			c.add(&page, i, min(c.n, len(c.list.ends)))
		}
	})
	if !ok {
		return domain.EdgePage{}
	}
	c.finish(&page, r)
	return page
}

// add appends the i-th relation in the query's order to the page, made
// with room for size items.
func (c *nameCut) add(page *domain.EdgePage, i, size int) {
	if page.Items == nil {
		page.Items = c.buf.items(size)
	}
	page.Items = append(page.Items, c.buf.edge(&c.list.edges[c.at(i)]))
	if c.cursors {
		c.buf.addCursor(c.list.cursors[c.at(i)])
	}
}

// finish sets the page's cursors and what it says of the list around it
// (domain.Page's rules 3 and 4).
func (c *nameCut) finish(page *domain.EdgePage, r walked) {
	if page.Cursors == nil {
		page.Cursors = c.buf.cursors()
	}
	page.HasNextPage = !c.back && r.inRange > c.n || r.atBefore
	page.HasPreviousPage = c.back && r.inRange > c.n || r.atAfter
	if c.counted {
		page.TotalCount = r.matched
	}
}

// walked is what a walk saw: the relations matching the query, those in
// the page's range, and whether some lay at or before After, at or after
// Before.
type walked struct {
	matched, inRange  int
	atAfter, atBefore bool
}

// walk visits the matching relations in the query's order, calling
// inRange with the position in that order of those in the page's range. It goes to the end when the total is
// wanted; otherwise it stops past the range, or once stopAt (when not -1)
// relations are in it. ok is false once the deadline stopped it.
func (c *nameCut) walk(stopAt int, inRange func(int)) (r walked, ok bool) {
	for i := range c.list.ends {
		j := c.at(i)
		if c.dl.tick() {
			return r, false
		}
		if !c.st.keepEdge(c.q, &c.list.edges[j], c.anchor) {
			continue
		}
		r.matched++
		e := &c.list.ends[j]
		p := position{key: e.name, id: e.id}
		out := false
		if c.hasAfter && c.o.compare(p, c.afterAt) <= 0 {
			r.atAfter, out = true, true
		}
		if c.hasBefore && c.o.compare(p, c.beforeAt) >= 0 {
			r.atBefore, out = true, true
			if !c.counted {
				return r, true // every later one is past Before too
			}
		}
		if out {
			continue
		}
		r.inRange++
		inRange(i)
		if r.inRange == stopAt {
			return r, true
		}
	}
	return r, true
}
