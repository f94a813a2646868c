package graph_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/graph"
	"github.com/citygraph/citygraph/internal/telemetry"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/lexer"
	"github.com/vektah/gqlparser/v2/parser"
)

// answer is what the client got and what the request recorded.
type answer struct {
	status  int
	code    any
	message string
	cost    int
	refusal telemetry.Reason
}

// ask sends req through h with a telemetry record in its context.
func ask(t *testing.T, h http.Handler, req *http.Request) answer {
	t.Helper()
	rec := &telemetry.Request{}
	req = req.WithContext(telemetry.WithRequest(req.Context(), rec))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	var resp struct {
		Errors []struct {
			Message    string         `json:"message"`
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
		t.Fatalf("response is not JSON: %v: %s", err, truncate(w.Body.String()))
	}
	a := answer{status: w.Code}
	if len(resp.Errors) > 0 {
		a.code, a.message = resp.Errors[0].Extensions["code"], resp.Errors[0].Message
	}
	_, a.cost, a.refusal, _ = rec.Snapshot()
	return a
}

func post(t *testing.T, h http.Handler, query string, vars map[string]any) answer {
	t.Helper()
	body := mustJSON(t, map[string]any{"query": query, "variables": vars})
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	return ask(t, h, req)
}

func get(t *testing.T, h http.Handler, query string) answer {
	t.Helper()
	return ask(t, h, httptest.NewRequest(http.MethodGet, "/graphql?query="+url.QueryEscape(query), nil))
}

// tokens counts the lexical tokens of a document: the measure the
// analysis's work is bounded by.
func tokens(t testing.TB, query string) int {
	t.Helper()
	lx := lexer.New(&ast.Source{Input: query})
	n := 0
	for {
		tok, err := lx.ReadToken()
		if err != nil || tok.Kind == lexer.EOF {
			return n
		}
		n++
	}
}

var schema = graph.NewExecutableSchema(graph.Config{}).Schema()

// analyse runs the analysis on query as the handler does.
func analyse(t testing.TB, query string, vars map[string]any) graph.Analysis {
	t.Helper()
	doc, err := parser.ParseQuery(&ast.Source{Input: query})
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	var op *ast.OperationDefinition
	if len(doc.Operations) > 0 {
		op = doc.Operations[0]
	}
	return graph.Analyze(schema, doc, op, vars)
}

// fanOut is the fragment fan-out: each fragment spreads the one before it
// twice, so expanding the spreads naively visits 2^n copies of F0.
func fanOut(n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `{ city(slug: "nanning") { ...F%d } }`+"\n", n)
	b.WriteString("fragment F0 on City { partners(first: 100) { totalCount } }\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "fragment F%d on City { ...F%d ...F%d }\n", i, i-1, i-1)
	}
	return b.String()
}

// nestedPartners is levels of partners(first: 100) around name.
func nestedPartners(levels int) string {
	return strings.Repeat("partners(first: 100) { edges { node { ", levels) + "name" + strings.Repeat(" } } }", levels)
}

// inlineWrapped wraps sel in n inline fragments on Query.
func inlineWrapped(n int, sel string) string {
	return "{ " + strings.Repeat("... on Query { ", n) + sel + strings.Repeat(" }", n) + " }"
}

// nearEverything asks for cities within a radius that covers the earth.
const nearEverything = `near(city:"nanning",withinKm:20000,first:49){distanceKm}`

func aliases(n int, field string) string {
	var b strings.Builder
	b.WriteString("{ ")
	for i := range n {
		fmt.Fprintf(&b, "a%d:%s ", i, field)
	}
	b.WriteString("}")
	return b.String()
}

// TestHostileQueriesAreRefused sends one query per attack class and checks
// that each is refused with LIMIT_EXCEEDED naming the limit, that the
// refusal is recorded, that the store was never called, and that the
// analysis that refused it did work proportional to the query's size.
func TestHostileQueriesAreRefused(t *testing.T) {
	st := countedStore(synthStore(t, 2_000))
	manyTokens := graph.DefaultLimits
	manyTokens.MaxTokens = 100_000
	roomy := manyTokens // every limit but cost out of the way
	roomy.MaxDepth, roomy.MaxAliases, roomy.MaxSelections = 1_000, 10_000, 1<<40

	tests := []struct {
		name    string
		query   string
		get     bool
		limits  graph.Limits
		wantMsg string
		reason  telemetry.Reason
	}{
		{"fragment fan-out by POST", fanOut(59), false, graph.DefaultLimits, "max selections", telemetry.RefusedCost},
		{"fragment fan-out by GET", fanOut(59), true, graph.DefaultLimits, "max selections", telemetry.RefusedCost},
		{"50 inline fragments around 12 levels of pages", inlineWrapped(50, `city(slug: "nanning") { `+nestedPartners(12)+" }"), false, graph.DefaultLimits, "max depth", telemetry.RefusedDepth},
		{"inline fragments and nesting priced at every depth", inlineWrapped(50, `city(slug: "nanning") { `+nestedPartners(12)+" }"), false, roomy, "max cost", telemetry.RefusedCost},
		{"1,000 aliases of near", aliases(1_000, nearEverything), false, graph.DefaultLimits, "max tokens", telemetry.RefusedTokens},
		{"1,000 aliases of near within the token limit", aliases(1_000, nearEverything), false, manyTokens, "max aliases", telemetry.RefusedAliases},
		{"1,000 aliases of near priced by their reach", aliases(1_000, nearEverything), false, roomy, "max cost", telemetry.RefusedCost},
		{"10,000 copies of one field", `{ city(slug: "nanning") { ` + strings.Repeat("name ", 10_000) + "} }", false, graph.DefaultLimits, "max tokens", telemetry.RefusedTokens},
		{"10,000 copies of one field within the token limit", `{ city(slug: "nanning") { ` + strings.Repeat("name ", 10_000) + "} }", false, manyTokens, "max selections", telemetry.RefusedCost},
		{"copies of a field merged from many places", `{ city(slug: "nanning") { ` + strings.Repeat("partners(first: 1) { edges { node { "+strings.Repeat("name ", 30)+"} } } ", 100) + "} }", false, graph.DefaultLimits, "max selections", telemetry.RefusedCost},
		{"deep nesting of small pages", `{ city(slug: "nanning") { ` + strings.Replace(nestedPartners(8), "first: 100", "first: 1", -1) + " } }", false, graph.DefaultLimits, "max depth", telemetry.RefusedDepth},
		{"many aliases of a cheap field", aliases(51, `city(slug: "nanning") { name }`), false, graph.DefaultLimits, "max aliases", telemetry.RefusedAliases},
		{"many directives on one field", `{ city(slug: "nanning") { name` + strings.Repeat(" @include(if: true)", 11) + " } }", false, graph.DefaultLimits, "max directives", telemetry.RefusedAliases},
		{"too many tokens", `{ nodes(ids: [` + strings.Repeat(`"a" `, 10_001) + `]) { id } }`, false, graph.DefaultLimits, "max tokens", telemetry.RefusedTokens},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if len(tc.query) > graph.DefaultLimits.MaxQueryBytes {
				t.Fatalf("the attack is %d bytes; it must fit the %d-byte query limit to test the analysis", len(tc.query), graph.DefaultLimits.MaxQueryBytes)
			}
			h := graph.NewHandler(st, quietLog(), tc.limits, graph.DefaultExposure)
			st.calls.Store(0)
			var got answer
			if tc.get {
				got = get(t, h, tc.query)
			} else {
				got = post(t, h, tc.query, nil)
			}
			if got.code != string(domain.ELIMIT) || !strings.Contains(got.message, tc.wantMsg) {
				t.Errorf("got code %v, message %q; want %s naming %q", got.code, got.message, domain.ELIMIT, tc.wantMsg)
			}
			if got.refusal != tc.reason {
				t.Errorf("refusal recorded = %q, want %q", got.refusal, tc.reason)
			}
			if n := st.calls.Load(); n != 0 {
				t.Errorf("store calls = %d, want 0: a refused query must do no work", n)
			}
			if tc.reason == telemetry.RefusedTokens {
				return // refused by the parser, before any analysis
			}
			an, size := analyse(t, tc.query, nil), tokens(t, tc.query)
			if an.Nodes > size {
				t.Errorf("the analysis visited %d nodes for a query of %d tokens; want at most one a token", an.Nodes, size)
			}
		})
	}
}

// TestCostIsCheckedOnEveryRequest checks that the query cache cannot carry
// a document past the analysis: the same text is priced anew with each
// request's variables.
func TestCostIsCheckedOnEveryRequest(t *testing.T) {
	st := countedStore(projectStore(t))
	h := graph.NewHandler(st, quietLog(), graph.DefaultLimits, graph.DefaultExposure)
	const q = `query($n: Int) { cities(first: $n) { edges { node { partners(first: $n) { edges { node { partners(first: $n) { totalCount } } } } } } } }`
	if got := post(t, h, q, map[string]any{"n": 2}); got.code != nil || got.cost != 27 {
		t.Fatalf("with n = 2: code %v, cost %d (%s); want it answered at cost 27", got.code, got.cost, got.message)
	}
	st.calls.Store(0)
	got := post(t, h, q, map[string]any{"n": 100})
	if got.code != string(domain.ELIMIT) || !strings.Contains(got.message, "max cost") {
		t.Errorf("with n = 100 after the document was cached: code %v, message %q; want LIMIT_EXCEEDED naming max cost", got.code, got.message)
	}
	if n := st.calls.Load(); n != 0 {
		t.Errorf("store calls = %d, want 0", n)
	}
}
