package neo4jstore

import (
	"fmt"
	"slices"
	"strings"

	"github.com/citygraph/citygraph/domain"
)

// paramSet collects a statement's parameters. Its prefix keeps apart the
// parameters of the several queries one plan statement answers (Run);
// the single-read statements use no prefix.
type paramSet struct {
	m      map[string]any
	prefix string
}

// add sets a parameter and returns its reference ($name) for the text.
func (ps paramSet) add(name string, v any) string {
	ps.m[ps.prefix+name] = v
	return "$" + ps.prefix + name
}

// pageCut is the Cypher that cuts one page (see domain.Page) from a list
// ordered by sort key sk and tie id: the range, the order the page is read
// in, its limit, and the conditions that tell whether items lie outside the
// range on either side.
type pageCut struct {
	// inRange is the condition for rows strictly after After and strictly
	// before Before ("true" without cursors).
	inRange string
	// order is the ORDER BY list the page is read in: the list's order
	// paging forward, the reverse paging back (Last), so that LIMIT keeps
	// the range's head or its tail.
	order string
	// limit is the reference to the number of rows read ($…limit): one
	// more than the page when the rows themselves must tell whether the
	// range holds more (see extra).
	limit string
	// atAfter and atBefore are the conditions for a row at or before
	// After, and at or after Before; "" when that cursor is not given.
	atAfter, atBefore string
	// n is the page's size (First or Last), back whether it pages back.
	n    int
	back bool
	// extra says the limit reads one row past the page. Without cursors
	// and with the total counted, it does not: the range is then the whole
	// list, and the total tells whether it holds more than n.
	extra bool
	// none says the page asks for its total alone (NoItems): no row is
	// read, and the page has no items and no next or previous page.
	none bool
}

// pageShape is the part of a normalized page's cut that does not depend
// on the statement: what the rows read back are cut by (see cut).
func pageShape(p domain.Page) pageCut {
	c := pageCut{n: p.First, back: p.Last > 0}
	if c.back {
		c.n = p.Last
	}
	c.extra = p.After != "" || p.Before != "" || p.NoTotal
	c.none = p.NoItems
	return c
}

// cutPage builds a normalized page's cut over the sort key sk and tie id
// (sk as the page's rows name it; skExpr, its expression, for atAfter and
// atBefore, which test other rows), its values as parameters ("ak"/"ai",
// "bk"/"bi", "limit").
func cutPage(p domain.Page, desc bool, sk, skExpr, id string, ps paramSet) (pageCut, error) {
	c := pageShape(p)
	limit := c.n
	if c.extra {
		limit++
	}
	if c.none {
		limit = 0
	}
	c.limit = ps.add("limit", int64(limit))
	dir := direction(desc != c.back)
	c.order = sk + dir + ", " + id + dir
	conds := []string{"true"}
	// A position comes after a cursor's in the list's order by > (< when
	// descending), before it by the opposite.
	later, earlier := ">", "<"
	if desc {
		later, earlier = earlier, later
	}
	if p.After != "" {
		cur, err := domain.DecodeCursor(p.After)
		if err != nil {
			return pageCut{}, err
		}
		ck, ci := ps.add("ak", cur.Key), ps.add("ai", cur.ID)
		conds = append(conds, beyond(sk, id, later, ck, ci))
		c.atAfter = "NOT " + beyond(skExpr, id, later, ck, ci)
	}
	if p.Before != "" {
		cur, err := domain.DecodeCursor(p.Before)
		if err != nil {
			return pageCut{}, err
		}
		ck, ci := ps.add("bk", cur.Key), ps.add("bi", cur.ID)
		conds = append(conds, beyond(sk, id, earlier, ck, ci))
		c.atBefore = "NOT " + beyond(skExpr, id, earlier, ck, ci)
	}
	c.inRange = conds[0]
	if len(conds) > 1 {
		c.inRange = "(" + strings.Join(conds[1:], " AND ") + ")"
	}
	return c, nil
}

// beyond is the keyset condition that (sk, id) lies beyond the cursor
// (ck, ci) by op: > for after it in ascending order, < for before it.
// Strings compare as Go compares them, byte by byte, as in the embedded
// store and domain.Cursor.
func beyond(sk, id, op, ck, ci string) string {
	return fmt.Sprintf("(%[1]s %[3]s %[4]s OR (%[1]s = %[4]s AND %[2]s %[3]s %[5]s))", sk, id, op, ck, ci)
}

// cut keeps the page from the rows read (in the read order, see
// pageCut.order): the first n, put in the list's order. more says whether
// the range holds more than n: a row past the page when one was read,
// otherwise the total.
func (c pageCut) cut(rows []any, total int) (page []any, more bool) {
	if c.none {
		return nil, false
	}
	if len(rows) > c.n {
		rows, more = rows[:c.n], true
	}
	if !c.extra && total > c.n {
		more = true
	}
	if c.back {
		rows = slices.Clone(rows)
		slices.Reverse(rows)
	}
	return rows, more
}

// flags are a page's HasNextPage and HasPreviousPage (see domain.Page),
// from more (see cut) and whether rows exist at or beyond each cursor.
func (c pageCut) flags(more, atAfter, atBefore bool) (hasNext, hasPrev bool) {
	if c.none {
		return false, false
	}
	return !c.back && more || atBefore, c.back && more || atAfter
}

// total is the count subquery's text, or 0 when the page declines the
// total: the server then counts nothing.
func total(p domain.Page, count string) string {
	if p.NoTotal {
		return "0"
	}
	return count
}

func direction(desc bool) string {
	if desc {
		return " DESC"
	}
	return ""
}
