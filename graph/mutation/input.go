package mutation

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/citygraph/citygraph/domain"
)

// The inputs every write may carry beside its node's or relation's fields.
var control = []string{"clientMutationId", "slug", "from", "to", "sources", "newSources", "expectedVersion", "idempotencyKey"}

// goNames are the input fields whose Go field is not the input's name
// capitalised; domainNames those whose domain.Fields name (what Clear
// takes) is not the input's name.
var (
	goNames     = map[string]string{"kind": "OrgKind"}
	domainNames = map[string]string{"partnershipKind": "kind"}
)

// Build reads the input of the Mutation field named field (as gqlgen
// passes it: a map, in which a field given as null is present with a nil
// value) into the write it asks for. A field given as null in an update
// is cleared; a field not given keeps its value. Bad values are one
// INVALID_ARGUMENT error listing each; what the write means for the graph
// (missing ends, missing sources, versions) is domain.CheckWrite's to say.
func Build(field string, input map[string]any) (*domain.Write, Target, error) {
	t, ok := Parse(field)
	if !ok {
		return nil, t, domain.Errorf(domain.EINTERNAL, "Mutation.%s is not in the table of mutations", field)
	}
	var in reader
	w := &domain.Write{Operation: field, IdempotencyKey: in.str(input, "idempotencyKey")}
	expect := in.int(input, "expectedVersion")
	sources := in.strs(input, "sources")
	for i, raw := range in.list(input, "newSources") {
		m, _ := raw.(map[string]any)
		n := domain.NewNode(domain.KindSource, in.str(m, "slug"))
		in.fields(fmt.Sprintf("newSources[%d].", i), reflect.ValueOf(n).Elem(), m, nil)
		w.Nodes = append(w.Nodes, domain.NodeChange{Mode: domain.Create, Node: n})
		sources = append(sources, n.Base().ID)
	}
	if t.Relation != nil {
		e := domain.Edge{Kind: t.Relation.Kind, From: in.key(input, "from"), To: in.key(input, "to")}
		var clear []string
		if t.Mode != domain.Delete {
			e.Sources = sources
			clear = in.fields("", reflect.ValueOf(&e).Elem(), input, &t)
		}
		if t.Mode == domain.End {
			e.Until = domain.Date(in.str(input, "until"))
		}
		w.Edges = append(w.Edges, domain.EdgeChange{Mode: t.Mode, Edge: e, Clear: clear, ExpectVersion: expect})
	} else {
		n := domain.NewNode(t.Kind, in.str(input, "slug"))
		var clear []string
		if t.Mode != domain.Delete {
			n.Base().Sources = sources
			clear = in.fields("", reflect.ValueOf(n).Elem(), input, &t)
		}
		w.Nodes = append(w.Nodes, domain.NodeChange{Mode: t.Mode, Node: n, Clear: clear, ExpectVersion: expect})
	}
	if len(in.problems) > 0 {
		return nil, t, &domain.Error{Code: domain.EINVALID, Problems: in.problems,
			Message: fmt.Sprintf("%s: the input has %d bad values: %s", field, len(in.problems), in.problems[0])}
	}
	return w, t, nil
}

// ClientMutationID is the input's clientMutationId, for its payload.
func ClientMutationID(input map[string]any) *string {
	if v := value(input["clientMutationId"]); v.Kind() == reflect.String {
		s := v.String()
		return &s
	}
	return nil
}

// reader reads input values, collecting a problem for each bad one.
type reader struct{ problems []domain.Problem }

func (r *reader) bad(field string, v any, expected string) {
	r.problems = append(r.problems, domain.Problem{Field: field, Found: describe(v), Expected: expected})
}

func (r *reader) str(m map[string]any, k string) string {
	v := value(m[k])
	if !v.IsValid() {
		return ""
	}
	if v.Kind() != reflect.String {
		r.bad(k, m[k], "a string")
		return ""
	}
	return v.String()
}

func (r *reader) int(m map[string]any, k string) int64 {
	v := value(m[k])
	if !v.IsValid() {
		return 0
	}
	n, ok := integer(v.Interface())
	if !ok {
		r.bad(k, m[k], "an integer")
	}
	return n
}

func (r *reader) list(m map[string]any, k string) []any {
	v := value(m[k])
	if !v.IsValid() {
		return nil
	}
	if v.Kind() != reflect.Slice {
		r.bad(k, m[k], "a list")
		return nil
	}
	l := make([]any, v.Len())
	for i := range l {
		l[i] = v.Index(i).Interface()
	}
	return l
}

func (r *reader) strs(m map[string]any, k string) []string {
	var out []string
	for i, x := range r.list(m, k) {
		v := value(x)
		if v.Kind() != reflect.String {
			r.bad(fmt.Sprintf("%s[%d]", k, i), x, "a string")
			continue
		}
		out = append(out, v.String())
	}
	return out
}

// key reads a relation's end, a global ID.
func (r *reader) key(m map[string]any, k string) domain.NodeKey {
	s := r.str(m, k)
	key, err := domain.ParseNodeKey(s)
	if err != nil {
		r.bad(k, s, "a global ID of the form Kind:slug (City:nanning)")
	}
	return key
}

// fields sets dst's fields from the input's other entries and returns
// the names of those given as null, to clear (for an update; t nil: a
// source created inline, where null is only "not given").
func (r *reader) fields(prefix string, dst reflect.Value, m map[string]any, t *Target) []string {
	var clear []string
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys) // problems in a stable order
	for _, k := range keys {
		v := m[k]
		if slices.Contains(control, k) || k == "until" {
			continue
		}
		if !value(v).IsValid() {
			if t != nil && t.Mode == domain.Update {
				clear = append(clear, domainName(k))
			}
			continue
		}
		f := structField(dst, k)
		if !f.IsValid() {
			r.bad(prefix+k, k, "a field the input type declares")
			continue
		}
		if err := set(f, v); err != nil {
			r.bad(prefix+k, v, err.Error())
		} else if f.IsZero() && t != nil && t.Mode == domain.Update {
			// A merge keeps what a zero value would set (false, 0, ""):
			// setting it is clearing it.
			clear = append(clear, domainName(k))
		}
	}
	return clear
}

func domainName(k string) string {
	if d, ok := domainNames[k]; ok {
		return d
	}
	return k
}

// structField finds the Go field an input field sets, by name.
func structField(dst reflect.Value, k string) reflect.Value {
	name := k
	if g, ok := goNames[k]; ok {
		name = g
	}
	return dst.FieldByNameFunc(func(n string) bool { return strings.EqualFold(n, name) })
}

var (
	unmarshaler = reflect.TypeFor[graphql.Unmarshaler]()
	nodeKeyPtr  = reflect.TypeFor[*domain.NodeKey]()
)

// value is an input value without the pointers gqlgen's unmarshalling
// wraps optional ones in; invalid for null.
func value(v any) reflect.Value {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
		if rv.IsNil() {
			return reflect.Value{}
		}
		rv = rv.Elem()
	}
	return rv
}

// set stores an input value in a Go field: as it is when gqlgen has
// unmarshalled it to the field's type (an enum, a date), else through the
// field type's own UnmarshalGQL, or by its kind.
func set(f reflect.Value, v any) error {
	rv := value(v)
	if !rv.IsValid() {
		return fmt.Errorf("a value, not null")
	}
	if rv.Type().AssignableTo(f.Type()) {
		f.Set(rv)
		return nil
	}
	if rv.Kind() == f.Kind() && rv.Type().ConvertibleTo(f.Type()) && f.Kind() != reflect.String {
		f.Set(rv.Convert(f.Type())) // int → int64
		return nil
	}
	v = rv.Interface()
	if f.Type() == nodeKeyPtr {
		s, _ := v.(string)
		k, err := domain.ParseNodeKey(s)
		if err != nil {
			return fmt.Errorf("a global ID of the form Kind:slug")
		}
		f.Set(reflect.ValueOf(&k))
		return nil
	}
	if f.Addr().Type().Implements(unmarshaler) {
		if err := f.Addr().Interface().(graphql.Unmarshaler).UnmarshalGQL(v); err != nil {
			return fmt.Errorf("%s", domain.ErrorMessage(err))
		}
		return nil
	}
	switch f.Kind() {
	case reflect.Pointer:
		m, ok := v.(map[string]any)
		if !ok || len(m) == 0 {
			return fmt.Errorf("an object")
		}
		p := reflect.New(f.Type().Elem())
		for k, x := range m {
			sub := structField(p.Elem(), k)
			if !sub.IsValid() {
				return fmt.Errorf("an object without %q", k)
			}
			if err := set(sub, x); err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
		}
		f.Set(p)
	case reflect.String:
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("a string")
		}
		f.SetString(s)
	case reflect.Int, reflect.Int64, reflect.Int32:
		n, ok := integer(v)
		if !ok || f.OverflowInt(n) {
			return fmt.Errorf("an integer")
		}
		f.SetInt(n)
	case reflect.Float64:
		x, ok := float(v)
		if !ok {
			return fmt.Errorf("a number")
		}
		f.SetFloat(x)
	case reflect.Bool:
		b, ok := v.(bool)
		if !ok {
			return fmt.Errorf("true or false")
		}
		f.SetBool(b)
	case reflect.Slice:
		if rv.Kind() != reflect.Slice {
			return fmt.Errorf("a list")
		}
		s := reflect.MakeSlice(f.Type(), rv.Len(), rv.Len())
		for i := range rv.Len() {
			if err := set(s.Index(i), rv.Index(i).Interface()); err != nil {
				return fmt.Errorf("item %d: %w", i, err)
			}
		}
		f.Set(s)
	default:
		return fmt.Errorf("no value of type %s", f.Type())
	}
	return nil
}

// integer reads an Int as the executor passes it: int64 from a literal,
// json.Number from variables.
func integer(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case int:
		return int64(n), true
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	case float64:
		return int64(n), n == math.Trunc(n) && math.Abs(n) < 1<<53
	}
	return 0, false
}

func float(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case int64:
		return float64(n), true
	case int:
		return float64(n), true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}

// describe shows a bad value briefly, never at length.
func describe(v any) string {
	s := "null"
	if rv := value(v); rv.IsValid() {
		s = fmt.Sprintf("%v", rv.Interface())
	}
	if r := []rune(s); len(r) > 60 {
		s = string(r[:60]) + "…"
	}
	return fmt.Sprintf("%q", s)
}
