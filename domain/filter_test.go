package domain_test

import (
	"strings"
	"testing"

	"github.com/citygraph/citygraph/domain"
)

func TestFilterSignatures(t *testing.T) {
	since := func(op domain.FilterOp, v string) domain.Filter { return domain.Compare("since", op, v) }
	partners := func(fs ...domain.Filter) *domain.Filter {
		f := domain.And(fs...)
		return &domain.Filter{Op: domain.OpAnd, Args: []domain.Filter{domain.Quantify(domain.OpSome, "partners", &f)}}
	}
	sig := func(t *testing.T, w *domain.Filter) string {
		t.Helper()
		q := domain.NodeQuery{Kind: domain.KindCity, Where: w}
		if err := q.Normalize(); err != nil {
			t.Fatal(err)
		}
		return q.Signature()
	}
	tests := []struct {
		name string
		a, b *domain.Filter
		same bool
	}{
		{"the same filter built twice", partners(since(domain.OpLt, "2016")), partners(since(domain.OpLt, "2016")), true},
		{"AND's operands in another order", partners(since(domain.OpLt, "2016"), since(domain.OpGt, "2000")),
			partners(since(domain.OpGt, "2000"), since(domain.OpLt, "2016")), true},
		{"in's values in another order, repeated", &domain.Filter{Op: domain.OpAnd, Args: []domain.Filter{domain.Compare("id", domain.OpIn, "a", "b", "a")}},
			&domain.Filter{Op: domain.OpAnd, Args: []domain.Filter{domain.Compare("id", domain.OpIn, "b", "a")}}, true},
		{"another value", partners(since(domain.OpLt, "2016")), partners(since(domain.OpLt, "2015")), false},
		{"another operator", partners(since(domain.OpLt, "2016")), partners(since(domain.OpLte, "2016")), false},
		{"a filter and none", partners(since(domain.OpLt, "2016")), nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b := sig(t, tc.a), sig(t, tc.b)
			if (a == b) != tc.same {
				t.Errorf("signatures\n %s\n %s\nequal = %v, want %v", a, b, a == b, tc.same)
			}
			if strings.Contains(a, "0x") {
				t.Errorf("signature %s prints a pointer, not the filter", a)
			}
		})
	}
}

func TestFilterNormalizeRefuses(t *testing.T) {
	deep := domain.Compare("name", domain.OpEq, "x")
	for range domain.MaxFilterDepth + 1 {
		n := domain.Filter{Op: domain.OpNode, Args: []domain.Filter{deep}}
		deep = domain.Quantify(domain.OpSome, "partners", &n)
	}
	wide := domain.Filter{Op: domain.OpOr}
	for range domain.MaxFilterNodes {
		wide.Args = append(wide.Args, domain.Compare("name", domain.OpEq, "x"))
	}
	many := make([]any, domain.MaxFilterValues+1)
	for i := range many {
		many[i] = "x"
	}
	tests := []struct {
		name     string
		kind     domain.Kind
		f        domain.Filter
		code     domain.Code
		mentions []string
	}{
		{"an unknown field, named with its place", domain.KindCity,
			domain.Quantify(domain.OpSome, "partners", &domain.Filter{Op: domain.OpNode, Args: []domain.Filter{domain.Compare("mayor", domain.OpEq, "x")}}),
			domain.EINVALID, []string{"where.partners.some.node", "mayor"}},
		{"a field of another kind", domain.KindCountry, domain.Compare("population", domain.OpGt, int64(1)), domain.EINVALID, []string{"CountryWhere", "population"}},
		{"an operator of another type", domain.KindCity, domain.Compare("isCapital", domain.OpLt, true), domain.EINVALID, []string{"lt", "Boolean"}},
		{"a date of the wrong form", domain.KindForum, domain.Compare("startDate", domain.OpGte, "2015-02-30"), domain.EINVALID, []string{"2015-02-30"}},
		{"a number given as text", domain.KindCity, domain.Compare("population", domain.OpGt, "1000"), domain.EINVALID, []string{"number"}},
		{"an unknown enum value", domain.KindProject, domain.Compare("sector", domain.OpEq, "mining"), domain.EINVALID, []string{"mining"}},
		{"node outside a relation", domain.KindCity, domain.Filter{Op: domain.OpNode, Args: []domain.Filter{domain.Compare("name", domain.OpEq, "x")}}, domain.EINVALID, []string{"node"}},
		{"quantifiers nested too deep", domain.KindCity, deep, domain.ELIMIT, []string{"deeper than"}},
		{"too many operators", domain.KindCity, wide, domain.ELIMIT, []string{"operators"}},
		{"too many values", domain.KindCity, domain.Compare("id", domain.OpIn, many...), domain.ELIMIT, []string{"values"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.f.Normalize(domain.NodeScope(tc.kind))
			if domain.ErrorCode(err) != tc.code {
				t.Fatalf("got %v (%s), want %s", err, domain.ErrorCode(err), tc.code)
			}
			for _, m := range tc.mentions {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("message %q does not mention %q", err.Error(), m)
				}
			}
		})
	}
}

// TestScopesCoverEveryRelationField checks that every relation a node
// scope quantifies over has a relation scope, and every relation scope's
// far end a node scope: a filter can reach everywhere it names.
func TestScopesCoverEveryRelationField(t *testing.T) {
	names := map[string]bool{}
	for _, s := range domain.Scopes() {
		if names[s.Name] {
			t.Errorf("two scopes are named %s", s.Name)
		}
		names[s.Name] = true
		for _, r := range s.Relations {
			if domain.EdgeScope(r.Kind, r.Direction) == nil {
				t.Errorf("%s.%s: no scope for %s %s", s.Name, r.Name, r.Kind, r.Direction)
			}
		}
		if s.Edge != "" && domain.NodesScope(s.Far) == nil {
			t.Errorf("%s: no scope for its far end %v", s.Name, s.Far)
		}
	}
}
