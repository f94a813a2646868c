package graph_test

import (
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql/introspection"
	"github.com/citygraph/citygraph/graph"
	"github.com/citygraph/citygraph/graph/examples"
	"github.com/citygraph/citygraph/internal/telemetry"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// TestNestedPagesAreMultipliedOut checks the price of a legitimate nested
// query: a field costs 1 plus its page size times what it selects, and
// writing the same selection through duplicates, inline fragments or a
// fragment prices it the same, as the executor runs it the same.
func TestNestedPagesAreMultipliedOut(t *testing.T) {
	// partners(5) { edges { node { name } } } = 1 + 5 × (1 + (1 + 1)) = 16;
	// cities(10) { edges { node { partners } } } = 1 + 10 × (1 + (1 + 16)) = 181.
	const want = 181
	for name, q := range map[string]string{
		"plain":                   `{ cities(first: 10) { edges { node { partners(first: 5) { edges { node { name } } } } } } }`,
		"through a variable":      `query($n: Int = 5) { cities(first: 10) { edges { node { partners(first: $n) { edges { node { name } } } } } } }`,
		"duplicated fields":       `{ cities(first: 10) { edges { node { partners(first: 5) { edges { node { name } } } } } edges { node { partners(first: 5) { edges { node { name name } } } } } } }`,
		"inline fragments":        `{ ... on Query { cities(first: 10) { edges { ... { node { ... on City { partners(first: 5) { edges { node { name } } } } } } } } } }`,
		"a fragment spread twice": `{ cities(first: 10) { edges { node { ...P ...P } } } } fragment P on City { partners(first: 5) { edges { node { name } } } }`,
	} {
		t.Run(name, func(t *testing.T) {
			if got := analyse(t, q, nil).Cost; got != want {
				t.Errorf("cost = %d, want %d", got, want)
			}
		})
	}
	t.Run("the handler records the cost it accepted", func(t *testing.T) {
		got := post(t, graph.NewHandler(projectStore(t), quietLog(), graph.DefaultLimits, graph.DefaultExposure),
			`{ cities(first: 10) { edges { node { partners(first: 5) { edges { node { name } } } } } } }`, nil)
		if got.code != nil || got.cost != want {
			t.Errorf("code %v (%s), cost recorded %d; want no error and cost %d", got.code, got.message, got.cost, want)
		}
	})
}

// TestAnalyticsArePricedByTheirArguments checks that each analytic costs
// more when its arguments allow more work.
func TestAnalyticsArePricedByTheirArguments(t *testing.T) {
	tests := []struct{ name, cheaper, dearer string }{
		{"paths by hops", `{ paths(from: "a", to: "b", maxHops: 2) { length } }`, `{ paths(from: "a", to: "b", maxHops: 8) { length } }`},
		{"paths by k", `{ paths(from: "a", to: "b") { length } }`, `{ paths(from: "a", to: "b", k: 10) { length } }`},
		{"paths by link kinds", `{ paths(from: "a", to: "b", via: [PARTNERSHIP]) { length } }`, `{ paths(from: "a", to: "b") { length } }`},
		{"near by distance", `{ near(city: "a", withinKm: 100) { distanceKm } }`, `{ near(city: "a", withinKm: 20000) { distanceKm } }`},
		{"near by page", `{ near(city: "a", withinKm: 100, first: 5) { distanceKm } }`, `{ near(city: "a", withinKm: 100, first: 100) { distanceKm } }`},
		{"near by a variable distance", `query($km: Float!) { near(city: "a", withinKm: $km) { distanceKm } }`, `{ near(city: "a", withinKm: 20000) { distanceKm } }`},
		{"neighbourhood by depth", `{ neighbourhood(id: "City:a", depth: 1) { truncated } }`, `{ neighbourhood(id: "City:a", depth: 3) { truncated } }`},
		{"neighbourhood by limit", `{ neighbourhood(id: "City:a", limit: 10) { truncated } }`, `{ neighbourhood(id: "City:a", limit: 500) { truncated } }`},
		{"search by page", `{ search(text: "a", first: 1) { score } }`, `{ search(text: "a", first: 100) { score } }`},
		{"search costs a scan", `{ cities(first: 100) { totalCount } }`, `{ search(text: "a", first: 1) { score } }`},
		{"ranking costs a scan", `{ cities(first: 100) { totalCount } }`, `{ cityRanking(by: PARTNERS, first: 1) { rank } }`},
		{"suggestions by page", `{ suggestedPartners(city: "a", first: 1) { score } }`, `{ suggestedPartners(city: "a", first: 100) { score } }`},
		{"funding totals by grouping", `{ fundingTotals(groupBy: SECTOR) { group } }`, `{ fundingTotals(groupBy: CITY) { group } }`},
		{"part loads by page", `{ partLoads(first: 1) { digest } }`, `{ partLoads(first: 100) { digest } }`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lo, hi := analyse(t, tc.cheaper, map[string]any{"km": 100}).Cost, analyse(t, tc.dearer, nil).Cost
			if lo >= hi {
				t.Errorf("cost of %s = %d, of %s = %d; want the first cheaper", tc.cheaper, lo, tc.dearer, hi)
			}
		})
	}
	t.Run("a thousand near-everything calls are over the default limit", func(t *testing.T) {
		if got := analyse(t, aliases(1_000, nearEverything), nil).Cost; got <= graph.DefaultLimits.MaxCost {
			t.Errorf("cost = %d; want over %d", got, graph.DefaultLimits.MaxCost)
		}
	})
	t.Run("every example is within the default limits", func(t *testing.T) {
		queries := map[string]string{"the introspection query GraphiQL sends": introspection.Query}
		for _, ex := range examples.All() {
			queries[ex.Name] = ex.Query
		}
		for name, q := range queries {
			an, lim := analyse(t, q, nil), graph.DefaultLimits
			if an.Cost > lim.MaxCost || an.Depth > lim.MaxDepth || an.Aliases > lim.MaxAliases ||
				an.Directives > lim.MaxDirectives || an.Selections > lim.MaxSelections {
				t.Errorf("%s: %+v is over the default limits", name, an)
			}
		}
	})
}

// FuzzCost checks that the analysis never panics and that its work stays
// proportional to the document, whatever the document.
func FuzzCost(f *testing.F) {
	for _, ex := range examples.All() {
		f.Add(ex.Query)
	}
	for _, q := range []string{
		fanOut(12),
		inlineWrapped(50, `city(slug: "nanning") { `+nestedPartners(12)+" }"),
		aliases(20, nearEverything),
		`{ city(slug: "nanning") { ` + strings.Repeat("name ", 100) + "} }",
		`{ city(slug: "nanning") { name @include(if: true) @skip(if: false) } }`,
		`query($n: Int = 3) { cities(first: $n) { edges { node { ...A } } } } fragment A on City { ...B partners { totalCount } } fragment B on City { ...A }`,
		`query A { ...F } query B { ...F } fragment F on Query { __typename } fragment F on Query { nodes(ids: ["City:a"]) { id } }`,
		introspection.Query,
	} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		doc, err := parser.ParseQuery(&ast.Source{Input: q})
		if err != nil {
			return
		}
		var op *ast.OperationDefinition
		if len(doc.Operations) > 0 {
			op = doc.Operations[0]
		}
		an := graph.Analyze(schema, doc, op, map[string]any{"n": 100})
		if size := tokens(t, q); an.Nodes > size {
			t.Errorf("visited %d nodes for %d tokens: %q", an.Nodes, size, q)
		}
		if an.Cost < 0 || an.Selections < 0 || an.Depth < 0 {
			t.Errorf("negative measure %+v for %q", an, q)
		}
	})
}

// TestRepeatedOperationsArePricedByTheirVariables sends each query text
// several times, so that its parsed document comes from the query cache:
// the price recorded and the refusal follow each request's variables (and
// the operation's defaults where a variable is left out), and a query
// without variables costs the same each time, what a fresh analysis says.
func TestRepeatedOperationsArePricedByTheirVariables(t *testing.T) {
	lim := graph.DefaultLimits
	lim.MaxCost = 200
	h := graph.NewHandler(projectStore(t), quietLog(), lim, graph.DefaultExposure)
	const byVariable = `query($n: Int = 3) { cities(first: $n) { edges { node { name } } } }`
	const fixed = `{ cities(first: 10) { edges { node { name } } } }`
	for i, tc := range []struct {
		query       string
		vars        map[string]any
		wantCost    int
		wantRefusal telemetry.Reason
	}{
		{byVariable, map[string]any{"n": 10}, 31, ""},
		{byVariable, map[string]any{"n": 100}, 301, telemetry.RefusedCost},
		{byVariable, nil, 10, ""},
		{byVariable, map[string]any{"n": 10}, 31, ""},
		{byVariable, map[string]any{"n": 100}, 301, telemetry.RefusedCost},
		{fixed, nil, 31, ""},
		{fixed, nil, 31, ""},
		{fixed, map[string]any{"n": 100}, 31, ""},
	} {
		got := post(t, h, tc.query, tc.vars)
		if got.refusal != tc.wantRefusal || (tc.wantRefusal == "" && got.cost != tc.wantCost) {
			t.Errorf("request %d (%v): got cost %d, refusal %q (%s); want cost %d, refusal %q", i, tc.vars, got.cost, got.refusal, got.message, tc.wantCost, tc.wantRefusal)
		}
		if tc.wantRefusal != "" && !strings.Contains(got.message, "about 301 items") {
			t.Errorf("request %d: message %q, want it to give the cost, 301", i, got.message)
		}
		if fresh := analyse(t, tc.query, tc.vars).Cost; fresh != tc.wantCost {
			t.Errorf("request %d: a fresh analysis costs %d, want %d", i, fresh, tc.wantCost)
		}
	}
}
