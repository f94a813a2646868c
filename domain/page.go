package domain

import (
	"encoding/base64"
	"encoding/json"
)

// Page sizes. A client that wants more pages through.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// Page asks for the First items after the cursor After (Relay forward
// pagination). Cursors are keyset positions, so a page is stable while
// rows are added elsewhere in the list.
type Page struct {
	First int
	After string
}

// Normalize applies the default size (a zero First) and checks the bounds
// and the cursor.
func (p *Page) Normalize() error {
	if err := PageSize.Normalize(&p.First); err != nil {
		return err
	}
	if p.After != "" {
		if _, err := DecodeCursor(p.After); err != nil {
			return err
		}
	}
	return nil
}

// Cursor is a keyset position in an ordered list: the sort key of the last
// item seen and a tie-breaking identity. Both stores encode it alike.
type Cursor struct {
	Key string `json:"k"`
	ID  string `json:"i"`
}

// Encode returns the opaque cursor string.
func (c Cursor) Encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor parses an opaque cursor string.
func DecodeCursor(s string) (Cursor, error) {
	var c Cursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil || c.ID == "" {
		return Cursor{}, Errorf(EINVALID, "cursor %q is not one this API gave out; use a pageInfo.endCursor or edge cursor", truncate(s, 40))
	}
	return c, nil
}

// After reports whether the position (key, id) comes after c in ascending
// order, or before it when desc.
func (c Cursor) After(key, id string, desc bool) bool {
	if key == c.Key && id == c.ID {
		return false // the cursor's own item is never after itself
	}
	if key != c.Key {
		return (key > c.Key) != desc
	}
	return (id > c.ID) != desc
}
