package domain_test

import (
	"reflect"
	"slices"
	"testing"

	"github.com/citygraph/citygraph/domain"
)

// structFieldNames lists the exported fields of struct t, Meta's
// flattened in, less skip.
func structFieldNames(t reflect.Type, skip ...string) []string {
	var out []string
	for _, f := range reflect.VisibleFields(t) {
		if f.IsExported() && !f.Anonymous && !slices.Contains(skip, f.Name) {
			out = append(out, f.Name)
		}
	}
	return out
}

// sample is a non-zero value for a struct field of type t.
func sample(t *testing.T, typ reflect.Type) reflect.Value {
	t.Helper()
	switch typ {
	case reflect.TypeOf(&domain.Money{}):
		return reflect.ValueOf(&domain.Money{Amount: 150, Currency: "USD"})
	}
	v := reflect.New(typ).Elem()
	switch typ.Kind() {
	case reflect.String:
		v.SetString("x")
	case reflect.Int, reflect.Int64:
		v.SetInt(7)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Slice:
		v = reflect.Append(v, sample(t, typ.Elem()))
	case reflect.Pointer:
		v = reflect.New(typ.Elem())
	default:
		t.Fatalf("no sample value for a field of type %s", typ)
	}
	return v
}

// A field added to a node type or to Edge without a row in the field table
// would be missing from change sets, merges and projections.
func TestFieldTableHasEveryStructField(t *testing.T) {
	for _, k := range domain.Kinds {
		t.Run(string(k), func(t *testing.T) {
			want := structFieldNames(reflect.TypeOf(domain.NewNode(k, "x")).Elem(), "ID", "Version")
			if got := domain.NodeFieldNames(k); len(got) != len(want) {
				t.Errorf("change set fields: got %v, want one for each of %v", got, want)
			}
		})
	}
	t.Run("relation", func(t *testing.T) {
		want := structFieldNames(reflect.TypeOf(domain.Edge{}), "Kind", "From", "To", "Version")
		if got := domain.EdgeFieldNames(); len(got) != len(want) {
			t.Errorf("change set fields: got %v, want one for each of %v", got, want)
		}
	})
}

// knownFilter is a filter that holds when field has a value: isNull false,
// or true for a true-or-false field (never unknown).
func knownFilter(t *testing.T, s *domain.Scope, field string) domain.Filter {
	t.Helper()
	f := domain.Compare(field, domain.OpIsNull, false)
	if s.Field(field).Type == domain.FieldBool {
		f = domain.Compare(field, domain.OpEq, true)
	}
	if err := f.Normalize(s); err != nil {
		t.Fatal(err)
	}
	return f
}

// Each filter field reads its own struct field: with one field set, only
// the filter fields of that name see a value (a financing's currency is
// read from its amount).
func TestFilterFieldsReadTheirStructField(t *testing.T) {
	for _, k := range domain.Kinds {
		s := domain.NodeScope(k)
		typ := reflect.TypeOf(domain.NewNode(k, "x")).Elem()
		for _, goName := range structFieldNames(typ, "ID", "Name", "Version") {
			t.Run(string(k)+"."+goName, func(t *testing.T) {
				n := domain.NewNode(k, "x")
				v := reflect.ValueOf(n).Elem().FieldByName(goName)
				v.Set(sample(t, v.Type()))
				set := slices.Collect(func(yield func(string) bool) {
					for name := range domain.NodeFields(n) {
						yield(name)
					}
				})
				for _, fd := range s.Fields {
					if fd.Always {
						continue
					}
					f := knownFilter(t, s, fd.Name)
					if got, want := f.MatchNode(nil, n), slices.Contains(set, fd.Name); got != want {
						t.Errorf("%s known with only %s set (fields %v): got %v, want %v", fd.Name, goName, set, got, want)
					}
				}
			})
		}
	}
	for _, s := range domain.Scopes() {
		if s.Edge == "" {
			continue
		}
		for _, goName := range structFieldNames(reflect.TypeOf(domain.Edge{}), "Kind", "From", "To", "Version") {
			t.Run(s.Name+"."+goName, func(t *testing.T) {
				e := &domain.Edge{Kind: s.Edge}
				v := reflect.ValueOf(e).Elem().FieldByName(goName)
				v.Set(sample(t, v.Type()))
				set := slices.Collect(func(yield func(string) bool) {
					for name := range domain.EdgeFields(e) {
						yield(name)
					}
				})
				if slices.Contains(set, "amount") {
					set = append(set, "currency")
				}
				for _, fd := range s.Fields {
					f := knownFilter(t, s, fd.Name)
					if got, want := f.MatchEdge(nil, s, e, domain.NodeKey{}), slices.Contains(set, fd.Name); got != want {
						t.Errorf("%s known with only %s set: got %v, want %v", fd.Name, goName, got, want)
					}
				}
			})
		}
	}
}

// Orders and aggregates name fields by their stored property and read the
// same values as filters.
func TestOrderFieldsReadTheirStructField(t *testing.T) {
	capital := &domain.Money{Amount: 2_500, Currency: "USD"}
	for _, c := range []struct {
		name  string
		node  domain.Node
		field string
		want  any
		typ   domain.SortType
	}{
		{"a common field", &domain.City{Meta: domain.Meta{ID: "nanning", NameZh: "南宁"}}, "nameZh", "南宁", domain.SortText},
		{"the slug", &domain.Country{Meta: domain.Meta{ID: "CN"}}, "id", "CN", domain.SortText},
		{"a whole number", &domain.City{Population: 8_741_584}, "population", int64(8_741_584), domain.SortInt},
		{"an int field", &domain.Forum{Edition: 6}, "edition", int64(6), domain.SortInt},
		{"an enum by its stored name", &domain.Organization{OrgKind: domain.OrgCityGovernment}, "orgKind", string(domain.OrgCityGovernment), domain.SortText},
		{"a date", &domain.Event{FirstHeld: "2004"}, "firstHeld", "2004", domain.SortText},
		{"money by its amount", &domain.FundingBody{Capital: capital}, "capital", int64(2_500), domain.SortMoney},
		{"unknown money as zero", &domain.FundingBody{}, "capital", int64(0), domain.SortMoney},
		{"another kind's field as zero", &domain.City{}, "edition", int64(0), domain.SortInt},
		{"an unsorted field as zero", &domain.City{IsCapital: true}, "isCapital", "", domain.SortText},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := domain.NodeValue(c.node, c.field); got != c.want {
				t.Errorf("NodeValue(%s): got %#v, want %#v", c.field, got, c.want)
			}
			if got := (domain.FieldRef{Name: c.field}).Type(); got != c.typ {
				t.Errorf("type of %s: got %v, want %v", c.field, got, c.typ)
			}
		})
	}
	if got := domain.NodeMoney(&domain.FundingBody{Capital: capital}, "capital"); got != capital {
		t.Errorf("NodeMoney(capital): got %v, want %v", got, capital)
	}
	e := &domain.Edge{Kind: domain.EdgeFinanced, PartnershipKind: domain.PartnershipSisterCity, Position: 3,
		Amount: &domain.Money{Amount: 900, Currency: "CNY"}}
	for field, want := range map[string]any{"partnershipKind": string(domain.PartnershipSisterCity), "position": int64(3),
		"amount": int64(900), "currency": "CNY", "since": "", "request": ""} {
		if got := domain.EdgeValue(e, field); got != want {
			t.Errorf("EdgeValue(%s): got %#v, want %#v", field, got, want)
		}
	}
}

// Money is stored as two properties; the stores read them by these names.
func TestFieldPropertiesAreTheStoredOnes(t *testing.T) {
	for _, c := range []struct {
		field          domain.FieldRef
		prop, currency string
	}{
		{domain.FieldRef{Name: "capital"}, "capitalAmount", "capitalCurrency"},
		{domain.FieldRef{Name: "amount", Edge: true}, "amount", "currency"},
		{domain.FieldRef{Name: "orgKind"}, "orgKind", ""},
		{domain.FieldRef{Name: "colour"}, "", ""},
	} {
		t.Run(c.field.String(), func(t *testing.T) {
			if prop, cur := c.field.Property(); prop != c.prop || cur != c.currency {
				t.Errorf("got %q, %q; want %q, %q", prop, cur, c.prop, c.currency)
			}
		})
	}
	if f := domain.NodeScope(domain.KindOrganization).Field("kind"); f == nil || f.Property() != "orgKind" {
		t.Errorf("an organisation's kind filter: got %+v, want the property orgKind", f)
	}
}
