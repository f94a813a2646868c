package domain

import (
	"fmt"
	"reflect"
	"slices"
)

// Fields are a node's or relation's properties by their GraphQL field names
// ("nameZh", "population", "kind"), as change sets record them. Values are
// in the form encoding/json decodes them to, so that a change set reads
// back from any store exactly as it was written: strings (dates, enums and
// node keys too), float64, bool, []any of strings, and for a location
// {"lat", "lon"} and for money {"amount": "1.5", "currency": "USD"}. Zero
// values are left out. The key (a node's slug; a relation's kind and ends)
// and the version are not fields.
type Fields map[string]any

// NodeFields returns n's fields (nil for a nil node).
func NodeFields(n Node) Fields {
	if n == nil || reflect.ValueOf(n).IsNil() {
		return nil
	}
	return fieldsOf(reflect.ValueOf(n).Elem())
}

// EdgeFields returns e's fields.
func EdgeFields(e *Edge) Fields {
	if e == nil {
		return nil
	}
	return fieldsOf(reflect.ValueOf(e).Elem())
}

// NodeFieldNames lists the fields a node of kind k has, in declaration
// order: the names Clear may use.
func NodeFieldNames(k Kind) []string {
	n := NewNode(k, "")
	if n == nil {
		return nil
	}
	return fieldNames(reflect.TypeOf(n).Elem())
}

// EdgeFieldNames lists a relation's fields (every kind has the same set).
func EdgeFieldNames() []string { return fieldNames(reflect.TypeOf(Edge{})) }

// Changed returns the fields whose values differ between before and after,
// each side holding its own value (absent where zero); nil maps when
// nothing differs.
func Changed(before, after Fields) (b, a Fields) {
	for k, v := range before {
		if w, ok := after[k]; !ok || !reflect.DeepEqual(v, w) {
			b = put(b, k, v)
			if ok {
				a = put(a, k, w)
			}
		}
	}
	for k, w := range after {
		if _, ok := before[k]; !ok {
			a = put(a, k, w)
		}
	}
	return b, a
}

func put(m Fields, k string, v any) Fields {
	if m == nil {
		m = Fields{}
	}
	m[k] = v
	return m
}

// MergeNode returns a copy of stored (nil: nothing stored) with change's
// non-zero fields set over it, its sources added to the stored ones, and
// the fields named in clear set to zero; the result has change's key and
// stored's version. The problems name each unknown field in clear.
func MergeNode(stored, change Node, clear []string) (Node, []Problem) {
	k := change.Key()
	out := NewNode(k.Kind, k.ID)
	if out == nil {
		return nil, []Problem{{Field: "kind", Found: quote(string(k.Kind)), Expected: fmt.Sprint("one of ", Kinds)}}
	}
	dst := reflect.ValueOf(out).Elem()
	if stored != nil && !reflect.ValueOf(stored).IsNil() {
		copyFields(dst, reflect.ValueOf(stored).Elem())
		out.Base().Version = stored.Base().Version
	}
	ps := mergeFields(dst, reflect.ValueOf(change).Elem(), clear)
	out.Base().ID = k.ID
	return out, ps
}

// MergeEdge is MergeNode for a relation: the result has change's kind and
// ends (normalised) and stored's version.
func MergeEdge(stored *Edge, change *Edge, clear []string) (*Edge, []Problem) {
	out := &Edge{}
	dst := reflect.ValueOf(out).Elem()
	if stored != nil {
		copyFields(dst, reflect.ValueOf(stored).Elem())
		out.Version = stored.Version
	}
	ps := mergeFields(dst, reflect.ValueOf(change).Elem(), clear)
	out.Kind, out.From, out.To = change.Kind, change.From, change.To
	out.Normalize()
	return out, ps
}

// copyFields deep-copies every field of src into dst (same type).
func copyFields(dst, src reflect.Value) {
	for _, f := range fieldTable(src.Type()) {
		dst.FieldByIndex(f.index).Set(cloneValue(src.FieldByIndex(f.index)))
	}
}

func mergeFields(dst, change reflect.Value, clear []string) []Problem {
	var ps []Problem
	table := fieldTable(dst.Type())
	for _, name := range clear {
		i := slices.IndexFunc(table, func(f structField) bool { return f.name == name })
		if i < 0 {
			ps = append(ps, Problem{Field: "clear", Found: quote(name),
				Expected: fmt.Sprint("one of the fields ", fieldNames(dst.Type()))})
			continue
		}
		d := dst.FieldByIndex(table[i].index)
		d.Set(reflect.Zero(d.Type()))
	}
	for _, f := range table {
		v := change.FieldByIndex(f.index)
		if v.IsZero() || (v.Kind() == reflect.Slice && v.Len() == 0) {
			continue
		}
		d := dst.FieldByIndex(f.index)
		if f.name == "sources" {
			// A second source adds to what the first one stated; replacing
			// the list would leave the stored facts without their source.
			merged := slices.Clone(d.Interface().([]string))
			for _, s := range v.Interface().([]string) {
				if !slices.Contains(merged, s) {
					merged = append(merged, s)
				}
			}
			d.Set(reflect.ValueOf(merged))
			continue
		}
		d.Set(cloneValue(v))
	}
	return ps
}

func cloneValue(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Slice:
		if v.Len() == 0 {
			return reflect.Zero(v.Type())
		}
		c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		reflect.Copy(c, v)
		return c
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		c := reflect.New(v.Type().Elem())
		c.Elem().Set(v.Elem())
		return c
	}
	return v
}

// changeFields are the fields change sets record of each node struct and
// of Edge (the field table's, less the key and the version), in the
// struct's order.
var changeFields = func() map[reflect.Type][]structField {
	m := map[reflect.Type][]structField{reflect.TypeOf(Edge{}): withoutOmitted(edgeStructFields, omitFromChanges)}
	for _, k := range Kinds {
		m[reflect.TypeOf(NewNode(k, "")).Elem()] = withoutOmitted(nodeStructFields[k], omitFromChanges)
	}
	return m
}()

// fieldTable lists the fields change sets record of struct type t.
func fieldTable(t reflect.Type) []structField { return changeFields[t] }

func fieldNames(t reflect.Type) []string {
	var names []string
	for _, f := range fieldTable(t) {
		names = append(names, f.name)
	}
	return names
}

func fieldsOf(v reflect.Value) Fields {
	out := Fields{}
	for _, f := range fieldTable(v.Type()) {
		if x, ok := fieldValue(v.FieldByIndex(f.index)); ok {
			out[f.name] = x
		}
	}
	return out
}

// fieldValue converts one Go field to its JSON-decoded form; ok is false
// for a zero value.
func fieldValue(v reflect.Value) (any, bool) {
	if v.IsZero() {
		return nil, false
	}
	switch x := v.Interface().(type) {
	case *GeoPoint:
		return map[string]any{"lat": x.Lat, "lon": x.Lon}, true
	case *Money:
		return map[string]any{"amount": x.Amount.String(), "currency": string(x.Currency)}, true
	case *NodeKey:
		return x.String(), true
	case []string:
		if len(x) == 0 {
			return nil, false
		}
		l := make([]any, len(x))
		for i, s := range x {
			l[i] = s
		}
		return l, true
	}
	switch v.Kind() {
	case reflect.String:
		return v.String(), true
	case reflect.Int, reflect.Int64, reflect.Int32:
		return float64(v.Int()), true
	case reflect.Float64:
		return v.Float(), true
	case reflect.Bool:
		return v.Bool(), true
	}
	return fmt.Sprint(v.Interface()), true
}
