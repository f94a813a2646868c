package neo4jstore

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/db"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/synth"
)

// This file is an internal test (package neo4jstore) so that it can
// EXPLAIN the very statements the methods send, through their builders
// (nodesStatement, nearStatement, ...), instead of copies that could drift.
// The external tests' helpers (serverConfig, openEmpty) live in package
// neo4jstore_test and are invisible here, hence planServer.

// planServer returns the test server's configuration, gated like the
// external tests: skip without NEO4J_URI, fail if CI demands Neo4j.
func planServer(t testing.TB) Config {
	t.Helper()
	cfg, ok := ConfigFromEnv(os.Getenv)
	if !ok {
		if os.Getenv("CITYGRAPH_REQUIRE_NEO4J") == "1" {
			t.Fatal("CITYGRAPH_REQUIRE_NEO4J=1 but NEO4J_URI is unset: start a server with scripts/neo4j start and eval \"$(scripts/neo4j env)\"")
		}
		t.Skip(`Neo4j tests skipped: start a server with scripts/neo4j start and set NEO4J_URI (eval "$(scripts/neo4j env)")`)
	}
	return cfg
}

// planOp is one operator of a plan: its name without the runtime suffix
// ("NodeByLabelScan", not "NodeByLabelScan@neo4j") and its Details text,
// which names the variable, label, index and predicate it works on.
type planOp struct{ op, details string }

func (p planOp) String() string { return p.op + "(" + p.details + ")" }

// checkPlanOps fails t unless the plan's operators scan only the labels in
// mayScan and hold every seek (operator prefix, details substring).
func checkPlanOps(t *testing.T, ops []planOp, mayScan []string, seeks []planOp) {
	t.Helper()
	for _, l := range scannedLabels(ops) {
		if !slices.Contains(mayScan, l) {
			t.Errorf("the plan scans %s; want only %v\nplan: %v", l, mayScan, ops)
		}
	}
	for _, w := range seeks {
		if !slices.ContainsFunc(ops, func(o planOp) bool {
			return strings.HasPrefix(o.op, w.op) && strings.Contains(o.details, w.details)
		}) {
			t.Errorf("the plan has no %s on %q\nplan: %v", w.op, w.details, ops)
		}
	}
}

// explain returns every operator of the plan the server makes for the
// statement, depth first. EXPLAIN plans without running, so the answer
// reflects the planner's choice for these parameters and statistics.
func explain(t *testing.T, s *Store, cypher string, params map[string]any) []planOp {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := neo4j.ExecuteQuery(ctx, s.driver, "EXPLAIN "+cypher, params, neo4j.EagerResultTransformer, s.queryOpts(true, 30*time.Second)...)
	if err != nil {
		t.Fatalf("EXPLAIN failed: %v\n%s", err, cypher)
	}
	if res.Summary.Plan() == nil {
		t.Fatal("EXPLAIN returned no plan")
	}
	return planOps(res.Summary.Plan())
}

// planOps flattens a plan, depth first. The driver's Plan.Children (v5.28)
// returns the last child in every slot: its loop takes the address of the
// range variable, and the driver's module predates per-iteration loop
// variables. So the left side of every Apply, join and union, where the
// anchor lookups are, would go unseen. planOps therefore reads the
// driver's own tree (the public db.Plan behind the interface) by
// reflection, and falls back to the interface if that layout changes;
// TestPlanReaderSeesEveryChild fails if either path loses a child.
func planOps(p neo4j.Plan) []planOp {
	v := reflect.ValueOf(p)
	if v.Kind() == reflect.Pointer && v.Elem().Kind() == reflect.Struct {
		if f := v.Elem().FieldByName("plan"); f.IsValid() && f.Type() == reflect.TypeFor[*db.Plan]() && !f.IsNil() {
			var ops []planOp
			walkPlanValue(f.Elem(), &ops)
			return ops
		}
	}
	var ops []planOp
	var walk func(p neo4j.Plan)
	walk = func(p neo4j.Plan) {
		d, _ := p.Arguments()["Details"].(string)
		ops = append(ops, newPlanOp(p.Operator(), d))
		for _, c := range p.Children() {
			walk(c)
		}
	}
	walk(p)
	return ops
}

// walkPlanValue walks a db.Plan reached through an unexported field:
// reflection may read such values (String, Len, Index) but not turn them
// back into interfaces, hence no plain type assertion.
func walkPlanValue(v reflect.Value, ops *[]planOp) {
	var d string
	if a := v.FieldByName("Arguments").MapIndex(reflect.ValueOf("Details")); a.IsValid() && a.Elem().Kind() == reflect.String {
		d = a.Elem().String()
	}
	*ops = append(*ops, newPlanOp(v.FieldByName("Operator").String(), d))
	cs := v.FieldByName("Children")
	for i := range cs.Len() {
		walkPlanValue(cs.Index(i), ops)
	}
}

func newPlanOp(operator, details string) planOp {
	op, _, _ := strings.Cut(operator, "@")
	return planOp{op, details}
}

// scanOps are the operators that read every node (or relationship) of a
// label or type, or every entry of an index, instead of seeking.
var scanOps = []string{"AllNodesScan", "NodeByLabelScan", "UnionNodeByLabelsScan", "IntersectionNodeByLabelsScan",
	"SubtractionNodeByLabelsScan", "NodeIndexScan", "NodeIndexContainsScan", "NodeIndexEndsWithScan",
	"DirectedRelationshipTypeScan", "UndirectedRelationshipTypeScan", "DirectedAllRelationshipsScan",
	"UndirectedAllRelationshipsScan", "DirectedUnionRelationshipTypesScan", "UndirectedUnionRelationshipTypesScan"}

// labelInDetails finds "var:Label" (or "[r:TYPE]") in an operator's details.
var labelInDetails = regexp.MustCompile(`\w+:(\w+)`)

// scannedLabels returns the labels or types the plan scans; AllNodesScan
// and the all-relationships scans report "*".
func scannedLabels(ops []planOp) []string {
	var out []string
	for _, o := range ops {
		if !slices.Contains(scanOps, o.op) {
			continue
		}
		if strings.HasPrefix(o.op, "All") || strings.Contains(o.op, "AllRelationships") {
			out = append(out, "*")
			continue
		}
		for _, m := range labelInDetails.FindAllStringSubmatch(o.details, -1) {
			out = append(out, m[1])
		}
	}
	return out
}

// openPlanStore opens a store on the test server, schema in place.
func openPlanStore(t testing.TB) *Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s, err := Open(ctx, planServer(t), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("the Neo4j server does not answer: %v", err)
	}
	return s
}

// loadPlanGraph wipes the server and loads a synthetic graph big enough
// that a scan and a seek differ in the planner's estimates: a thousand
// cities, ten times as many relationships.
func loadPlanGraph(t *testing.T) *Store {
	t.Helper()
	s := openPlanStore(t)
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	if err := s.Wipe(ctx); err != nil {
		t.Fatalf("Wipe: %v", err)
	}
	if _, err := s.Apply(ctx, synth.Generate(11, 1000), domain.ApplyOptions{}); err != nil {
		t.Fatalf("loading the synthetic graph: %v", err)
	}
	// A statement planned while the database held another test's graph (or
	// none) stays cached until the server decides to replan; clearing the
	// cache makes every EXPLAIN below plan against this graph's statistics.
	if _, err := neo4j.ExecuteQuery(ctx, s.driver, "CALL db.clearQueryCaches()", nil, neo4j.EagerResultTransformer, s.queryOpts(false, 30*time.Second)...); err != nil {
		t.Fatalf("clearing the query caches: %v", err)
	}
	return s
}

// mustNormalize normalizes a query value in place and returns it, so that
// the cases below read as the queries the GraphQL layer sends.
func mustNormalize[Q interface{ Normalize() error }](t *testing.T, q Q) Q {
	t.Helper()
	if err := q.Normalize(); err != nil {
		t.Fatalf("query %+v: %v", q, err)
	}
	return q
}

// TestPlans checks, for each read that answers from an anchor (a key, a
// slug, a point, a text), that the server's plan finds the anchor by an
// index and reaches everything else by expansion from it: no scan of a
// label where an index serves. Each answer is one statement, so one
// EXPLAIN covers it.
func TestPlans(t *testing.T) {
	s := loadPlanGraph(t)
	city := "city-00042"
	type want = planOp
	uniqueCity := want{"NodeUniqueIndexSeek", ":City(id)"}
	cases := []struct {
		name  string
		build func(t *testing.T) (string, map[string]any, error)
		// seeks must all appear: the anchor's index lookups.
		seeks []want
		// mayScan are the labels and types a scan may cover; empty means
		// no scan at all.
		mayScan []string
	}{
		{name: "Nodes by key", build: func(t *testing.T) (string, map[string]any, error) {
			c, p := nodesStatement([]string{"City:" + city, "Country:AB", "Project:project-00003"})
			return c, p, nil
		}, seeks: []want{{"NodeUniqueIndexSeek", ":Entity(key)"}}},
		{name: "ListNodes of a country's cities", build: func(t *testing.T) (string, map[string]any, error) {
			return listNodesStatement(*mustNormalize(t, &domain.NodeQuery{Kind: domain.KindCity, Filter: domain.NodeFilter{Country: synth.Country(1)}}))
		}, seeks: []want{{"NodeUniqueIndexSeek", ":Country(id)"}}},
		{name: "ListNodes of a country's organisations of a kind", build: func(t *testing.T) (string, map[string]any, error) {
			return listNodesStatement(*mustNormalize(t, &domain.NodeQuery{Kind: domain.KindOrganization,
				Filter: domain.NodeFilter{Country: synth.Country(1), OrgKind: domain.OrgKinds[0]}}))
		}, seeks: []want{{"NodeUniqueIndexSeek", ":Country(id)"}}},
		{name: "ListNodes of a country's projects, second page", build: func(t *testing.T) (string, map[string]any, error) {
			after := domain.Cursor{Key: "Project 00100", ID: "project-00100"}.Encode()
			return listNodesStatement(*mustNormalize(t, &domain.NodeQuery{Kind: domain.KindProject,
				Filter: domain.NodeFilter{Country: synth.Country(1), Grouping: synth.Grouping}, Page: domain.Page{First: 5, After: after}}))
		}, seeks: []want{{"NodeUniqueIndexSeek", ":Country(id)"}}},
		{name: "ListNodes of a grouping's cities", build: func(t *testing.T) (string, map[string]any, error) {
			return listNodesStatement(*mustNormalize(t, &domain.NodeQuery{Kind: domain.KindCity, Filter: domain.NodeFilter{Grouping: synth.Grouping}}))
		}, seeks: []want{{"NodeUniqueIndexSeek", ":Grouping(id)"}}},
		{name: "Edges of several anchors", build: func(t *testing.T) (string, map[string]any, error) {
			q := mustNormalize(t, &domain.EdgeQuery{Kind: domain.EdgePartnerOf, OtherCountry: synth.Country(1), AsOf: "2015"})
			return edgesStatement(*q, []string{"City:" + city, "City:city-00007"})
		}, seeks: []want{{"NodeUniqueIndexSeek", ":Entity(key)"}, {"NodeUniqueIndexSeek", ":Country(id)"}}},
		{name: "Near a city", build: func(t *testing.T) (string, map[string]any, error) {
			c, p := nearStatement(*mustNormalize(t, &domain.NearQuery{City: city, RadiusKm: 300}))
			return c, p, nil
		}, seeks: []want{uniqueCity, {"NodeIndexSeekByRange", "POINT INDEX o:City(location)"}}},
		{name: "Near a point", build: func(t *testing.T) (string, map[string]any, error) {
			c, p := nearStatement(*mustNormalize(t, &domain.NearQuery{Point: &domain.GeoPoint{Lat: 22.8, Lon: 108.3}, RadiusKm: 300}))
			return c, p, nil
		}, seeks: []want{{"NodeIndexSeekByRange", "POINT INDEX o:City(location)"}}},
		{name: "Search", build: func(t *testing.T) (string, map[string]any, error) {
			c, p := searchStatement(*mustNormalize(t, &domain.SearchQuery{Text: "城市 port", Kinds: []domain.Kind{domain.KindCity}}))
			return c, p, nil
		}, seeks: []want{{"ProcedureCall", "db.index.fulltext.queryNodes"}}},
		{name: "Paths", build: func(t *testing.T) (string, map[string]any, error) {
			c, p := pathsStatement(*mustNormalize(t, &domain.PathQuery{From: city, To: "city-00900", K: 3, AsOf: "2020"}))
			return c, p, nil
		}, seeks: []want{uniqueCity}},
		{name: "SuggestPartners", build: func(t *testing.T) (string, map[string]any, error) {
			c, p := suggestStatement(*mustNormalize(t, &domain.SuggestQuery{City: city, AsOf: "2020"}))
			return c, p, nil
		}, seeks: []want{uniqueCity}},

		// A ranking needs every city's value, so it reads every city; the
		// values are expansions from each city, never a second scan.
		{name: "RankCities by partners", build: func(t *testing.T) (string, map[string]any, error) {
			c, p := rankStatement(*mustNormalize(t, &domain.RankQuery{Metric: domain.RankByPartners}))
			return c, p, nil
		}, mayScan: []string{"City"}},
		// A filtered ranking reaches its cities from the country or grouping.
		{name: "RankCities by funding in a grouping", build: func(t *testing.T) (string, map[string]any, error) {
			c, p := rankStatement(*mustNormalize(t, &domain.RankQuery{Metric: domain.RankByFunding, Currency: "USD", Grouping: synth.Grouping}))
			return c, p, nil
		}, seeks: []want{{"NodeUniqueIndexSeek", ":Grouping(id)"}}},
		{name: "RankCities of a country by partners as of a date", build: func(t *testing.T) (string, map[string]any, error) {
			c, p := rankStatement(*mustNormalize(t, &domain.RankQuery{Metric: domain.RankByPartners, Country: synth.Country(1), AsOf: "2015"}))
			return c, p, nil
		}, seeks: []want{{"NodeUniqueIndexSeek", ":Country(id)"}}},
		{name: "RankCities of a country in a grouping", build: func(t *testing.T) (string, map[string]any, error) {
			c, p := rankStatement(*mustNormalize(t, &domain.RankQuery{Metric: domain.RankByForums, Country: synth.Country(1), Grouping: synth.Grouping}))
			return c, p, nil
		}, seeks: []want{{"NodeUniqueIndexSeek", ":Country(id)"}}},
		// Totals aggregate over every financing: the planner starts from
		// the funding bodies, the projects or the FINANCED relationships,
		// and reaches cities and countries by expansion.
		{name: "FundingTotals by country", build: func(t *testing.T) (string, map[string]any, error) {
			c, p := fundingStatement(*mustNormalize(t, &domain.FundingQuery{GroupBy: domain.GroupByCountry, Currency: "USD"}))
			return c, p, nil
		}, mayScan: []string{"FundingBody", "Project", "FINANCED"}},
		// The nodes the groups name are read after the totals, by key.
		{name: "FundingTotals by country with the countries", build: func(t *testing.T) (string, map[string]any, error) {
			c, p := fundingStatement(*mustNormalize(t, &domain.FundingQuery{GroupBy: domain.GroupByCountry, FundingBody: synth.FundingBodies[0],
				GroupNodes: true, GroupFields: &domain.Projection{Nodes: map[domain.Kind][]string{domain.KindCountry: {"name"}}}}))
			return c, p, nil
		}, mayScan: []string{"FundingBody", "Project", "FINANCED"}, seeks: []want{{"NodeUniqueIndexSeek", ":Country(id)"}}},
		{name: "FundingTotals by body, year and city with their nodes", build: func(t *testing.T) (string, map[string]any, error) {
			c, p := fundingStatement(*mustNormalize(t, &domain.FundingQuery{GroupNodes: true,
				Dimensions: []domain.FundingGroup{domain.GroupByFundingBody, domain.GroupByYear, domain.GroupByCity}}))
			return c, p, nil
		}, mayScan: []string{"FundingBody", "Project", "FINANCED"},
			seeks: []want{{"NodeUniqueIndexSeek", ":FundingBody(id)"}, {"NodeUniqueIndexSeek", ":City(id)"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cypher, params, err := tc.build(t)
			if err != nil {
				t.Fatal(err)
			}
			ops := explain(t, s, cypher, params)
			checkPlanOps(t, ops, tc.mayScan, tc.seeks)
			if testing.Verbose() {
				t.Logf("plan: %v", ops)
			}
		})
	}
}

// TestScannedLabels checks the plan reader on plans of known shape, so
// that a change in the server's operator names or details cannot make
// TestPlans pass by seeing nothing.
func TestScannedLabels(t *testing.T) {
	ops := []planOp{{"ProduceResults", "n"}, {"NodeByLabelScan", "c:City"}, {"AllNodesScan", "n"},
		{"NodeIndexScan", "RANGE INDEX v:Project(sector) WHERE sector IS NOT NULL"},
		{"DirectedRelationshipTypeScan", "(fb)-[f:FINANCED]->(p)"}, {"NodeUniqueIndexSeek", "UNIQUE me:City(id) WHERE id = $city"}}
	got := fmt.Sprint(scannedLabels(ops))
	if want := "[City * Project FINANCED]"; got != want {
		t.Errorf("scannedLabels = %s, want %s", got, want)
	}
}

// TestPlanReaderSeesEveryChild plans a statement whose root has two
// children, each an index seek, and checks that the reader sees both:
// the driver bug planOps works around hides the first one.
func TestPlanReaderSeesEveryChild(t *testing.T) {
	s := openPlanStore(t) // unique lookups are planned as seeks on any data
	ops := explain(t, s, "MATCH (a:City {id: $a}) MATCH (b:Country {id: $b}) RETURN a, b", map[string]any{"a": "city-00001", "b": "AA"})
	for _, want := range []string{":City(id)", ":Country(id)"} {
		if !slices.ContainsFunc(ops, func(o planOp) bool { return o.op == "NodeUniqueIndexSeek" && strings.Contains(o.details, want) }) {
			t.Errorf("the plan reader missed the seek on %s; it saw %v", want, ops)
		}
	}
}
