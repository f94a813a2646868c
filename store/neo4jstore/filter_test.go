package neo4jstore

import (
	"strings"
	"testing"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/synth"
)

// TestFilterPlans checks that a list whose where names an indexed property,
// or pins its nodes through a relation to nodes named by id, starts from
// an index and scans no label; and that a filter's values reach the
// server as parameters, never in the text.
func TestFilterPlans(t *testing.T) {
	s := loadPlanGraph(t)
	keySeek := planOp{"NodeUniqueIndexSeek", ":Entity(key)"}
	where := func(f domain.Filter) *domain.Filter { return &f }
	inCountry := domain.Quantify(domain.OpSome, "country", &domain.Filter{Op: domain.OpNode,
		Args: []domain.Filter{domain.Compare("id", domain.OpEq, synth.Country(1))}})
	partnerSince := domain.Filter{Op: domain.OpAnd, Args: []domain.Filter{domain.Compare("since", domain.OpLt, "2000")}}
	cases := []struct {
		name  string
		q     domain.NodeQuery
		seeks []planOp
	}{
		{"cities of a country named by id", domain.NodeQuery{Kind: domain.KindCity, Where: where(inCountry)}, []planOp{keySeek}},
		{"cities of a country, with partners since before 2000", domain.NodeQuery{Kind: domain.KindCity, Where: where(domain.And(inCountry,
			domain.Quantify(domain.OpSome, "partners", &partnerSince)))}, []planOp{keySeek}},
		{"cities by slug", domain.NodeQuery{Kind: domain.KindCity, Where: where(domain.Compare("id", domain.OpIn, "city-00001", "city-00002"))},
			[]planOp{{"NodeUniqueIndexSeek", ":City(id)"}}},
		{"cities by the start of their name", domain.NodeQuery{Kind: domain.KindCity, Where: where(domain.Compare("name", domain.OpStartsWith, "City 001"))},
			[]planOp{{"NodeIndexSeekByRange", ":City(name)"}}},
		{"cities by the start of their Chinese name", domain.NodeQuery{Kind: domain.KindCity, Where: where(domain.Compare("nameZh", domain.OpStartsWith, "城市001"))},
			[]planOp{{"NodeIndexSeekByRange", ":City(nameZh)"}}},
		{"cities by population", domain.NodeQuery{Kind: domain.KindCity, Where: where(domain.Compare("population", domain.OpGt, int64(9_000_000)))},
			[]planOp{{"NodeIndexSeekByRange", ":City(population)"}}},
		{"organisations of a kind", domain.NodeQuery{Kind: domain.KindOrganization, Where: where(domain.Compare("kind", domain.OpEq, string(domain.OrgKinds[0])))},
			[]planOp{{"NodeIndexSeek", ":Organization(orgKind)"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q := mustNormalize(t, &tc.q)
			q.Page.NoTotal = true
			cypher, params, err := listNodesStatement(*q)
			if err != nil {
				t.Fatal(err)
			}
			ops := explain(t, s, cypher, params)
			checkPlanOps(t, ops, nil, tc.seeks)
			for _, v := range []string{synth.Country(1), "city-00001", "City 001", "城市001", "9000000", "2000"} {
				if strings.Contains(cypher, v) {
					t.Errorf("the statement holds the value %q in its text; values must be parameters\n%s", v, cypher)
				}
			}
			if testing.Verbose() {
				t.Logf("plan: %v", ops)
			}
		})
	}
}
