package domain

import (
	"bytes"
	"cmp"
	"encoding/json"
	"slices"
	"strings"
)

// SortType is how a scalar field of a node or relation compares and
// aggregates.
type SortType int

const (
	// SortText compares as Go compares strings, byte by byte (dates and
	// enum values are text too: ISO dates order as text).
	SortText SortType = iota
	// SortInt compares as a number and has min, max, average and sum.
	SortInt
	// SortMoney is an amount with a currency: it orders by amount, and
	// aggregates per currency, never across currencies.
	SortMoney
)

// FieldRef names a scalar field of a list's items by its stored property
// name ("population", "since"): of the listed nodes, or on a relation list
// of the relation itself (Edge) or of the node at its far end.
type FieldRef struct {
	Name string
	Edge bool
}

func (f FieldRef) String() string {
	if f.Edge {
		return "relation." + f.Name
	}
	return f.Name
}

// spec returns the field's def for items of the given kinds (a node
// list's kind, or the kinds a relation's far end may be); ok is false for
// a field none of them has that lists may be ordered by.
func (f FieldRef) spec(kinds []Kind) (*fieldDef, bool) {
	if f.Edge {
		return sortedDef(edgeFieldsByProp[f.Name])
	}
	if s, ok := sortedDef(metaFieldsByProp[f.Name]); ok {
		return s, true
	}
	for _, k := range kinds {
		if s, ok := sortedDef(nodeFieldsByProp[kindField{k, f.Name}]); ok {
			return s, true
		}
	}
	return nil, false
}

func sortedDef(f *fieldDef) (*fieldDef, bool) { return f, f != nil && f.sorted }

// Type is the field's type; any known field has one.
func (f FieldRef) Type() SortType {
	if s, ok := f.spec(Kinds); ok {
		return s.value.sortType()
	}
	return SortText
}

// Property is the stored property that holds the field (a money field's
// amount) and, for money, the one that holds its currency.
func (f FieldRef) Property() (prop, currency string) {
	s, ok := f.spec(Kinds)
	if !ok {
		return "", ""
	}
	return cmp.Or(s.amountProp, s.property()), s.currencyProp
}

// checkField checks that f is a field of items of the given kinds.
func checkField(f FieldRef, kinds []Kind, what string) (*fieldDef, error) {
	s, ok := f.spec(kinds)
	if !ok {
		return s, Errorf(EINVALID, "cannot %s by %s: %v have no such field", what, f, kinds)
	}
	return s, nil
}

// OrderKey is one key of a list's order: a field, ascending or descending.
type OrderKey struct {
	Field FieldRef
	Desc  bool
}

// MaxOrderKeys bounds the keys of one order: each is compared per item.
const MaxOrderKeys = 5

// checkOrder validates an order over items of the given kinds.
func checkOrder(keys []OrderKey, kinds []Kind) error {
	if len(keys) > MaxOrderKeys {
		return Errorf(EINVALID, "an order has at most %d keys, not %d; ties are broken by the item's key anyway", MaxOrderKeys, len(keys))
	}
	for _, k := range keys {
		if _, err := checkField(k.Field, kinds, "order"); err != nil {
			return err
		}
	}
	return nil
}

// checkCursors checks that a page's cursors were given out for this order.
func checkCursors(keys []OrderKey, p Page) error {
	after, before := p.Range()
	for _, c := range []*Cursor{after, before} {
		if c != nil {
			if _, err := DecodeSortValues(c.Key, keys); err != nil {
				return err
			}
		}
	}
	return nil
}

// NodeValue is n's value of a field: a string for text, an int64 for
// numbers and for money (its amount); the zero value when n has none, as
// the stores read an absent property.
func NodeValue(n Node, field string) any {
	if f, ok := sortedNodeField(n, field); ok {
		if v, known := f.value.get(n); known {
			return v
		}
	}
	return zeroOf(FieldRef{Name: field})
}

// NodeMoney is n's money field (nil when it has none).
func NodeMoney(n Node, field string) *Money {
	if f, ok := sortedNodeField(n, field); ok && f.value.money != nil {
		return f.value.money(n)
	}
	return nil
}

// EdgeValue is e's value of one of its own fields, as NodeValue.
func EdgeValue(e *Edge, field string) any {
	if f, ok := sortedDef(edgeFieldsByProp[field]); ok {
		if v, known := f.value.get(e); known {
			return v
		}
	}
	return zeroOf(FieldRef{Name: field, Edge: true})
}

func zeroOf(f FieldRef) any {
	if f.Type() == SortText {
		return ""
	}
	return int64(0)
}

// NodeSortValues are n's values of an order's keys.
func NodeSortValues(n Node, keys []OrderKey) []any {
	out := make([]any, len(keys))
	for i, k := range keys {
		out[i] = NodeValue(n, k.Field.Name)
	}
	return out
}

// EdgeSortValues are the values of an order's keys for relation e whose
// far end is other.
func EdgeSortValues(e *Edge, other Node, keys []OrderKey) []any {
	out := make([]any, len(keys))
	for i, k := range keys {
		switch {
		case k.Field.Edge:
			out[i] = EdgeValue(e, k.Field.Name)
		case other != nil:
			out[i] = NodeValue(other, k.Field.Name)
		default:
			out[i] = zeroOf(k.Field)
		}
	}
	return out
}

// CompareSorted orders two items of a list ordered by keys: by their
// values key by key, each ascending or descending, then by their ids
// (the node's slug, or the far end's key), always ascending, so that
// ties are stable and every position is unique.
func CompareSorted(keys []OrderKey, a []any, aID string, b []any, bID string) int {
	for i, k := range keys {
		c := compareValues(a[i], b[i])
		if k.Desc {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	return cmp.Compare(aID, bID)
}

func compareValues(a, b any) int {
	switch x := a.(type) {
	case int64:
		y, _ := b.(int64)
		return cmp.Compare(x, y)
	case string:
		y, _ := b.(string)
		return strings.Compare(x, y)
	}
	return 0
}

// EncodeSortValues is the cursor key of an item of an ordered list: its
// values as a JSON array (DecodeSortValues reads it back).
func EncodeSortValues(vals []any) string {
	b, _ := json.Marshal(vals) // strings and int64s only
	return string(b)
}

// DecodeSortValues reads a cursor key written by EncodeSortValues for an
// order with these keys; a key of another order is EINVALID.
func DecodeSortValues(s string, keys []OrderKey) ([]any, error) {
	bad := Errorf(EINVALID, "cursor was given out for another order of this list; page with cursors from a page of the same orderBy")
	d := json.NewDecoder(bytes.NewReader([]byte(s)))
	d.UseNumber()
	var raw []any
	if d.Decode(&raw) != nil || len(raw) != len(keys) {
		return nil, bad
	}
	out := make([]any, len(raw))
	for i, k := range keys {
		switch v := raw[i].(type) {
		case string:
			if k.Field.Type() != SortText {
				return nil, bad
			}
			out[i] = v
		case json.Number:
			n, err := v.Int64()
			if err != nil || k.Field.Type() == SortText {
				return nil, bad
			}
			out[i] = n
		default:
			return nil, bad
		}
	}
	return out, nil
}

// otherKinds are the kinds a relation query's far end may be.
func (q EdgeQuery) otherKinds() []Kind {
	if len(q.OtherKinds) > 0 {
		return q.OtherKinds
	}
	r := EdgeRules[q.Kind]
	return uniqueKinds(append(slices.Clone(r.From), r.To...))
}

// checkOrderings validates a node list's OrderBy, its cursors for it,
// and its Aggregate.
func (q *NodeQuery) checkOrderings() error {
	for _, f := range append(slices.Clone(q.Aggregate.Fields), orderFields(q.OrderBy)...) {
		if f.Edge {
			return Errorf(EINVALID, "cannot order or aggregate a list of %s by %s: a node list has no relation fields", q.Kind, f)
		}
	}
	return checkListOrder(q.OrderBy, q.Page, q.Aggregate, []Kind{q.Kind})
}

// checkOrderings validates a relation list's OrderBy, its cursors for it,
// and its Aggregate, against the relation's fields and its far ends'.
func (q *EdgeQuery) checkOrderings() error {
	return checkListOrder(q.OrderBy, q.Page, q.Aggregate, q.otherKinds())
}

// checkListOrder validates a list's order, its page's cursors for that
// order, and its aggregate, over items of the given kinds.
func checkListOrder(keys []OrderKey, p Page, a Aggregation, kinds []Kind) error {
	if err := checkOrder(keys, kinds); err != nil {
		return err
	}
	if len(keys) > 0 {
		if err := checkCursors(keys, p); err != nil {
			return err
		}
	}
	return a.check(kinds)
}

func orderFields(keys []OrderKey) []FieldRef {
	out := make([]FieldRef, len(keys))
	for i, k := range keys {
		out[i] = k.Field
	}
	return out
}
