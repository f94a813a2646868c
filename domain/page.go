package domain

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
)

// Page sizes. A client that wants more pages through.
const (
	DefaultPageSize = 20
	MaxPageSize     = 1000
)

// Bounds that are not page sizes: they stay small because each is answered
// whole, with no cursor to page through.
const (
	// MaxNodeIDs is the most IDs one nodes(ids:) lookup takes.
	MaxNodeIDs = 100
	// MaxUnpagedRows is the most rows a list without cursors answers:
	// rankings, search hits, nearby cities, suggestions, part loads.
	MaxUnpagedRows = 100
)

// Page asks for one page of an ordered list, as the Relay connection
// spec's algorithm describes (https://relay.dev/graphql/connections.htm):
//
//  1. The range is the items strictly after the cursor After (when given)
//     and strictly before the cursor Before (when given). Both may be
//     given; a range whose After is not before its Before is empty.
//  2. First takes the first First items of the range (paging forward),
//     Last the last Last items (paging back). Either way the page holds its
//     items in the list's order, each with its cursor. First and Last
//     together are refused (EINVALID); neither takes First =
//     DefaultPageSize, whatever the cursors.
//  3. HasNextPage is true when First is set and the range holds more than
//     First items, or when Before is given and some item of the list is at
//     or after Before's position. HasPreviousPage is true when Last is set
//     and the range holds more than Last items, or when After is given and
//     some item is at or before After's position. (Relay lets a server say
//     false where it cannot tell efficiently; both stores compute these
//     exactly, so their answers agree.)
//  4. TotalCount is the length of the whole list, cursors ignored, unless
//     NoTotal is set: then it is 0 and a store may skip counting.
//  5. NoItems asks for the total alone: the page then has no items and
//     no cursors, HasNextPage and HasPreviousPage are false, and a store
//     reads no row of the list.
//  6. NoCursors says no cursor is wanted (a selection with neither an
//     edge's cursor nor pageInfo's startCursor or endCursor): the page is
//     the same, with Cursors nil, so a store need not build them. With
//     NoItems it changes nothing.
//
// Cursors are keyset positions, so a page is stable while rows are added
// elsewhere in the list, and a cursor whose item has gone still marks its
// place.
type Page struct {
	First  int
	After  string
	Last   int
	Before string
	// NoTotal says the total is not wanted (no totalCount in the
	// selection); the zero value counts it.
	NoTotal bool
	// NoItems says only the total is wanted (a selection of totalCount
	// alone); the zero value reads the page's items.
	NoItems bool
	// NoCursors says the items' cursors are not wanted (rule 6); the zero
	// value gives every item its cursor.
	NoCursors bool
}

// Normalize applies the default size (neither First nor Last given) and
// checks the sizes and the cursors.
func (p *Page) Normalize() error {
	switch {
	case p.First != 0 && p.Last != 0:
		return Errorf(EINVALID, "first (%d) and last (%d) cannot be combined; page forward with first and after, or back with last and before", p.First, p.Last)
	case p.Last != 0:
		if err := LastPageSize.Check(p.Last); err != nil {
			return err
		}
	default:
		if err := PageSize.Normalize(&p.First); err != nil {
			return err
		}
	}
	for _, c := range []string{p.After, p.Before} {
		if c != "" {
			if _, err := DecodeCursor(c); err != nil {
				return err
			}
		}
	}
	return nil
}

// Range decodes the page's cursors (nil where not given). Call it on a
// normalized page; a cursor Normalize would refuse reads as nil.
func (p Page) Range() (after, before *Cursor) {
	// An absent cursor is no cursor: decoding it would only build an error.
	if p.After != "" {
		if c, err := DecodeCursor(p.After); err == nil {
			after = &c
		}
	}
	if p.Before != "" {
		if c, err := DecodeCursor(p.Before); err == nil {
			before = &c
		}
	}
	return after, before
}

// Cursor is a keyset position in an ordered list: the sort key of the last
// item seen and a tie-breaking identity. Both stores encode it alike.
type Cursor struct {
	Key string `json:"k"`
	ID  string `json:"i"`
}

// Encode returns the opaque cursor string: the base64 of the cursor's JSON.
func (c Cursor) Encode() string {
	var buf [192]byte
	return string(c.AppendEncoded(buf[:0]))
}

// AppendEncoded appends the opaque cursor string to b, so that a page's
// cursors can share one buffer. Keys and IDs of plain ASCII are written
// directly, without reflection, as every page's cursors are; the bytes are
// json.Marshal's either way.
func (c Cursor) AppendEncoded(b []byte) []byte {
	if !plainJSON(c.Key) || !plainJSON(c.ID) {
		j, _ := json.Marshal(c)
		return base64.RawURLEncoding.AppendEncode(b, j)
	}
	var buf [128]byte
	j := append(buf[:0], `{"k":"`...)
	j = append(j, c.Key...)
	j = append(j, `","i":"`...)
	j = append(j, c.ID...)
	j = append(j, `"}`...)
	return base64.RawURLEncoding.AppendEncode(b, j)
}

// plainJSON reports whether json.Marshal writes s as itself between quotes:
// printable ASCII with nothing it escapes (quote, backslash, and the HTML
// characters <, > and &).
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		switch b := s[i]; {
		case b < 0x20 || b > 0x7e, b == '"', b == '\\', b == '<', b == '>', b == '&':
			return false
		}
	}
	return true
}

// DecodeCursor parses an opaque cursor string.
func DecodeCursor(s string) (Cursor, error) {
	var c Cursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil || c.ID == "" {
		return Cursor{}, Errorf(EINVALID, "cursor %q is not one this API gave out; use a pageInfo.endCursor, pageInfo.startCursor or edge cursor", truncate(s, 40))
	}
	return c, nil
}

// After reports whether the position (key, id) comes after c in ascending
// order, or before it when desc.
func (c Cursor) After(key, id string, desc bool) bool {
	return c.compare(key, id, desc) > 0
}

// Before reports whether the position (key, id) comes before c in the
// list's order (ascending, or descending when desc).
func (c Cursor) Before(key, id string, desc bool) bool {
	return c.compare(key, id, desc) < 0
}

// compare orders the position (key, id) against c in the list's order:
// negative before, 0 at c, positive after.
func (c Cursor) compare(key, id string, desc bool) int {
	r := cmp.Or(cmp.Compare(key, c.Key), cmp.Compare(id, c.ID))
	if desc {
		return -r
	}
	return r
}
