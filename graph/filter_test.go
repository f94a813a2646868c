package graph_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/client"
	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/graph"
	"github.com/citygraph/citygraph/graph/filterschema"
	"github.com/citygraph/citygraph/internal/telemetry"
)

// cityIDs lists the ids of a cities connection's nodes.
func cityIDs(t *testing.T, data map[string]any, path ...any) []string {
	t.Helper()
	var ids []string
	for _, e := range at(t, data, append(path, "edges")...).([]any) {
		ids = append(ids, at(t, e, "node", "id").(string))
	}
	return ids
}

func TestWhereFilters(t *testing.T) {
	c := newClient(projectStore(t))
	tests := []struct {
		name  string
		query string
		vars  map[string]any
		want  []string // city IDs, in name order
	}{
		{"a Chinese name contains Chinese text", `{ cities(first: 100, where: {nameZh: {contains: "宁"}}) { edges { node { id } } } }`, nil,
			[]string{"City:bac-ninh", "City:nanning"}},
		{"a relation to a node named by id", `{ cities(first: 100, where: {country: {some: {node: {id: {eq: "BN"}}}}}) { edges { node { id } } } }`, nil,
			[]string{"City:bandar-seri-begawan"}},
		{"AND, OR and NOT over fields", `{ cities(first: 100, where: {AND: [{country: {some: {node: {id: {in: ["BN", "LA"]}}}}}], NOT: {isCapital: {eq: true}}, OR: [{name: {startsWith: "K"}}, {name: {startsWith: "B"}}]}) { edges { node { id } } } }`, nil,
			[]string{"City:kaysone-phomvihane"}},
		{"none: cities with no partner", `{ cities(first: 100, where: {country: {some: {node: {id: {in: ["BN", "LA"]}}}}, partners: {none: {}}}) { edges { node { id } } } }`, nil,
			[]string{"City:bandar-seri-begawan"}},
		{"all: cities whose every partnership began in 2012", `{ cities(first: 100, where: {country: {some: {node: {id: {in: ["BN", "LA"]}}}}, partners: {all: {since: {eq: "2012"}}}}) { edges { node { id } } } }`, nil,
			[]string{"City:bandar-seri-begawan", "City:vientiane"}},
		{"a filter in variables reads as one written out", `query($w: CityWhere) { cities(first: 100, where: $w) { edges { node { id } } } }`,
			map[string]any{"w": map[string]any{"nameZh": map[string]any{"contains": "宁"}}}, []string{"City:bac-ninh", "City:nanning"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := cityIDs(t, postQuery(t, c, tc.query, tc.vars), "cities")
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}

	t.Run("a connection's where keeps the relations it holds for", func(t *testing.T) {
		data := query(t, c, `{ city(slug: "nanning") {
			all: partners(first: 1000) { totalCount edges { since } }
			before: partners(first: 1000, where: {since: {lt: "2008"}}) { totalCount edges { since } }
			unknown: partners(first: 1000, where: {since: {isNull: true}}) { totalCount }
		} }`)
		all := int(at(t, data, "city", "all", "totalCount").(float64))
		before := int(at(t, data, "city", "before", "totalCount").(float64))
		unknown := int(at(t, data, "city", "unknown", "totalCount").(float64))
		want := 0
		for _, e := range at(t, data, "city", "all", "edges").([]any) {
			if s, _ := at(t, e, "since").(string); s != "" && s < "2008" {
				want++
			}
		}
		if before != want || before == 0 || before+unknown > all {
			t.Errorf("partners since before 2008 = %d of %d (%d unknown), want %d counted from the whole list", before, all, unknown, want)
		}
	})

	t.Run("the example's compound question", func(t *testing.T) {
		q, err := os.ReadFile("examples/14_filters.graphql")
		if err != nil {
			t.Fatal(err)
		}
		data := query(t, c, string(q))
		if got := at(t, data, "cities", "edges", 0, "node", "name"); got != "Nanning" || at(t, data, "cities", "totalCount") != 1.0 {
			t.Errorf("cities: first %v of %v, want Nanning alone", got, at(t, data, "cities", "totalCount"))
		}
		for _, e := range at(t, data, "cities", "edges", 0, "node", "partners", "edges").([]any) {
			if k := at(t, e, "kind"); k != "SISTER_CITY" && k != "FRIENDSHIP_CITY" {
				t.Errorf("a partnership of kind %v passed the filter kind in [SISTER_CITY, FRIENDSHIP_CITY]", k)
			}
		}
	})
}

// postQuery runs a query with variables and returns its data.
func postQuery(t *testing.T, c *client.Client, q string, vars map[string]any) map[string]any {
	t.Helper()
	var opts []client.Option
	for k, v := range vars {
		opts = append(opts, client.Var(k, v))
	}
	return query(t, c, q, opts...)
}

func TestWhereBadInput(t *testing.T) {
	st := countedStore(projectStore(t))
	h := graph.NewHandler(st, quietLog(), graph.DefaultLimits, graph.DefaultExposure)
	// partnersOf nests partner quantifiers n deep.
	partnersOf := func(n int) string {
		return strings.Repeat(`partners: {some: {node: {`, n) + `name: {eq: "x"}` + strings.Repeat(`}}}`, n)
	}
	tests := []struct {
		name     string
		query    string
		vars     map[string]any
		code     string
		mentions []string
	}{
		{"an unknown field", `{ cities(where: {mayor: {eq: "x"}}) { totalCount } }`, nil, "GRAPHQL_VALIDATION_FAILED", []string{"mayor"}},
		{"an unknown operator", `{ cities(where: {name: {like: "x"}}) { totalCount } }`, nil, "GRAPHQL_VALIDATION_FAILED", []string{"like"}},
		{"an operator of another type", `{ cities(where: {population: {contains: "x"}}) { totalCount } }`, nil, "GRAPHQL_VALIDATION_FAILED", []string{"contains"}},
		{"a date of the wrong form", `{ city(slug: "nanning") { partners(where: {since: {lt: "2016-13"}}) { totalCount } } }`, nil,
			string(domain.EINVALID), []string{"2016-13"}},
		{"a date of the wrong form in variables", `query($w: PartnershipWhere) { city(slug: "nanning") { partners(where: $w) { totalCount } } }`,
			map[string]any{"w": map[string]any{"since": map[string]any{"gte": "last year"}}}, string(domain.EINVALID), []string{"last year"}},
		{"an amount of the wrong form", `{ fundingBody(slug: "aiib") { financings(where: {amount: {gt: "1.234"}}) { totalCount } } }`, nil,
			string(domain.EINVALID), []string{"1.234"}},
		{"a hostile filter is refused with its cost", `{ cities(where: {` + partnersOf(4) + `}) { totalCount } }`, nil,
			string(domain.ELIMIT), []string{"max cost", "where"}},
		{"a hostile filter in variables is refused with its cost", `query($w: CityWhere) { cities(where: $w) { totalCount } }`,
			map[string]any{"w": hostileVariable(4)}, string(domain.ELIMIT), []string{"max cost"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st.calls.Store(0)
			got := post(t, h, tc.query, tc.vars)
			if got.code != tc.code {
				t.Fatalf("code = %v (%q), want %s", got.code, got.message, tc.code)
			}
			for _, m := range tc.mentions {
				if !strings.Contains(got.message, m) {
					t.Errorf("message %q does not mention %q", got.message, m)
				}
			}
			// A field with a bad argument is left out of the plan; the
			// rest of the query (the city) is still read.
			if n := st.calls.Load(); tc.code != string(domain.EINVALID) && n != 0 {
				t.Errorf("store calls = %d, want 0: an invalid or refused filter must do no work", n)
			}
			if tc.code == string(domain.ELIMIT) && got.refusal != telemetry.RefusedCost {
				t.Errorf("refusal recorded = %q, want %q", got.refusal, telemetry.RefusedCost)
			}
		})
	}
}

// hostileVariable is partnersOf as a variable's JSON value.
func hostileVariable(n int) map[string]any {
	w := map[string]any{"name": map[string]any{"eq": "x"}}
	for range n {
		w = map[string]any{"partners": map[string]any{"some": map[string]any{"node": w}}}
	}
	return w
}

// TestWhereUnknownFieldInVariables checks that validation names an
// unknown field given in variables by its path.
func TestWhereUnknownFieldInVariables(t *testing.T) {
	h := graph.NewHandler(projectStore(t), quietLog(), graph.DefaultLimits, graph.DefaultExposure)
	body := mustJSON(t, map[string]any{"query": `query($w: CityWhere) { cities(where: $w) { totalCount } }`,
		"variables": map[string]any{"w": map[string]any{"mayor": map[string]any{"eq": "x"}}}})
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if got := w.Body.String(); !strings.Contains(got, `"path":["variable","w","mayor"]`) || !strings.Contains(got, "GRAPHQL_VALIDATION_FAILED") {
		t.Errorf("response %s; want a validation error with the path variable.w.mayor", got)
	}
}

// TestWherePrice checks that a filter's price grows with the work it may
// cause: a quantifier by its relation's fan-out, and a list pinned by id
// by the few nodes it starts from.
func TestWherePrice(t *testing.T) {
	cost := func(where string) int {
		return analyse(t, `{ cities(first: 1, where: {`+where+`}) { totalCount } }`, nil).Cost
	}
	plain := cost(`name: {eq: "x"}`)
	one := cost(`partners: {some: {node: {name: {eq: "x"}}}}`)
	two := cost(`partners: {some: {node: {partners: {some: {node: {name: {eq: "x"}}}}}}}`)
	pinned := cost(`country: {some: {node: {id: {eq: "CN"}}}}, partners: {some: {node: {partners: {some: {node: {name: {eq: "x"}}}}}}}`)
	if !(plain < one && one < two) {
		t.Errorf("costs: plain %d, one quantifier %d, two nested %d; want each more than the one before", plain, one, two)
	}
	if two < 5*one {
		t.Errorf("two nested quantifiers cost %d, one %d: want the fan-out to multiply", two, one)
	}
	if pinned >= two {
		t.Errorf("pinned to a country, the filter costs %d, unpinned %d; want less", pinned, two)
	}
}

// TestFilterSchemaIsCurrent checks that schema/filter.graphqls is what
// the domain's scopes generate (go generate ./graph rewrites it).
func TestFilterSchemaIsCurrent(t *testing.T) {
	b, err := os.ReadFile("../schema/filter.graphqls")
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != filterschema.Text() {
		t.Error("schema/filter.graphqls differs from what domain/filterfields.go generates; run go generate ./graph")
	}
}
