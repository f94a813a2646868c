package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/citygraph/citygraph/bench/peer"
	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/graph"
	"github.com/citygraph/citygraph/graph/examples"
	"github.com/citygraph/citygraph/internal/telemetry"
	"github.com/citygraph/citygraph/seed"
	"github.com/citygraph/citygraph/store/embedded"
	"github.com/citygraph/citygraph/store/neo4jstore"
	"github.com/citygraph/citygraph/synth"
	"github.com/vektah/gqlparser/v2/ast"
)

// parity serves one store twice: through the plan writer and through
// gqlgen alone. It counts the writer's answers and the fields gqlgen
// resolves on the writer's side.
type parity struct {
	writer, gqlgen http.Handler
	written        atomic.Int64
	fields         atomic.Int64
}

func newParity(st domain.Store, lim graph.Limits) *parity {
	p := &parity{}
	p.writer = graph.NewHandler(st, quietLog(), lim, graph.DefaultExposure,
		graph.WithPlanWritten(func() { p.written.Add(1) }), graph.WithExtension(fieldCounter{&p.fields}))
	p.gqlgen = graph.NewHandler(st, quietLog(), lim, graph.DefaultExposure, graph.WithoutPlanWriter())
	return p
}

// fieldCounter counts the fields gqlgen executes.
type fieldCounter struct{ n *atomic.Int64 }

func (fieldCounter) ExtensionName() string                   { return "FieldCounter" }
func (fieldCounter) Validate(graphql.ExecutableSchema) error { return nil }
func (c fieldCounter) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	c.n.Add(1)
	return next(ctx)
}

func answerBytes(t testing.TB, h http.Handler, q string, vars map[string]any) []byte {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": q, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Body.Bytes()
}

// same posts q to both sides and fails unless the bodies are identical,
// or unless gqlgen resolved no field where the writer answered; it
// returns whether the writer answered.
func (p *parity) same(t *testing.T, q string, vars map[string]any) (written bool) {
	t.Helper()
	before, fields := p.written.Load(), p.fields.Load()
	got := answerBytes(t, p.writer, q, vars)
	want := answerBytes(t, p.gqlgen, q, vars)
	if !bytes.Equal(got, want) {
		t.Errorf("the plan writer's response differs from gqlgen's\n got: %.2000s\nwant: %.2000s", got, want)
	}
	written = p.written.Load() > before
	if n := p.fields.Load() - fields; written && n != 0 {
		t.Errorf("the plan writer answered, and gqlgen resolved %d fields too; want none", n)
	}
	return written
}

// writtenExamples are the examples whose every field the plan answers;
// the others read an analytic and run through gqlgen.
var writtenExamples = map[string]bool{
	"Who organised the 2015 forum, in which role, and where each organiser sits":                                                    true,
	"The Nanning Consensus: who adopted it, what it says, who signed it":                                                            true,
	"A city's partners with kind and year, filtered and paginated":                                                                  true,
	"The sources that state a node and each of its relations":                                                                       true,
	"Chinese cities that attended a forum in Nanning, with partners in early AIIB members":                                          true,
	"Ordering: the latest forum editions first; Nanning's newest partnerships first, ties by name; funding bodies by founding date": true,
	"Aggregates: the forums' reported attendance; funding bodies' capital and financings, per currency, never across":               true,
	"Which cities and organisations attended, grouped by country":                                                                   true,
	"The funding bodies the forum called on, their headquarters, and attending member countries":                                    true,
}

func TestPlanWriterAnswersTheExamplesAsGqlgen(t *testing.T) {
	for _, s := range parityStores(t) {
		p := newParity(s.st, graph.DefaultLimits)
		for _, ex := range examples.All() {
			t.Run(s.name+"/"+ex.Name, func(t *testing.T) {
				if got, want := p.same(t, ex.Query, nil), writtenExamples[ex.Name]; got != want {
					t.Errorf("written by the plan writer: %v, want %v", got, want)
				}
			})
		}
	}
}

// parityStores are the stores the parity tests run on, holding the
// project's seed data: the embedded store, and Neo4j when NEO4J_URI is set.
func parityStores(t *testing.T) []namedStore {
	t.Helper()
	stores := []namedStore{{"embedded", projectStore(t)}}
	if os.Getenv("NEO4J_URI") == "" {
		return stores
	}
	ctx := context.Background()
	cfg, _ := neo4jstore.ConfigFromEnv(os.Getenv)
	st, err := neo4jstore.Open(ctx, cfg, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Wipe(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := seed.LoadProject(ctx, st); err != nil {
		t.Fatal(err)
	}
	return append(stores, namedStore{"neo4j", st})
}

type namedStore struct {
	name string
	st   domain.Store
}

func TestPlanWriterAnswersThePeerQueries(t *testing.T) {
	synthetic, err := embedded.Open("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { synthetic.Close() })
	if err := peer.Load(context.Background(), synthetic, 300); err != nil {
		t.Fatal(err)
	}
	type anchored struct {
		name    string
		st      domain.Store
		anchors peer.Anchors
	}
	var stores []anchored
	for _, s := range parityStores(t) {
		stores = append(stores, anchored{s.name + " seed data", s.st, peer.SeedAnchors})
	}
	stores = append(stores, anchored{"embedded synthetic data", synthetic,
		peer.Anchors{City: busiestCity(t, synthetic), Forum: "forum-0001", Country: synth.Country(1), FundingBody: synth.FundingBodies[0]}})
	for _, s := range stores {
		counted := countedStore(s.st)
		p := newParity(counted, graph.DefaultLimits)
		for _, q := range peer.Queries(s.anchors) {
			t.Run(s.name+"/"+q.Name, func(t *testing.T) {
				before := counted.calls.Load()
				answerBytes(t, p.writer, q.Citygraph, q.Params)
				if n := counted.calls.Load() - before; n != 1 && q.Name != "totals-by-country" {
					t.Errorf("the writer's side made %d store calls for %s; want 1", n, q.Name)
				}
				// same checks that no gqlgen field ran when the writer answered.
				written := p.same(t, q.Citygraph, q.Params)
				if q.Name == "totals-by-country" {
					return // an analytic: its answers are not in the plan
				}
				if !written {
					t.Errorf("gqlgen answered %s; want the plan writer to", q.Name)
				}
			})
		}
	}
}

// busiestCity is the city with the most partners, so that the two-level
// query has pages to write.
func busiestCity(t *testing.T, st domain.Store) string {
	t.Helper()
	c := newClient(st)
	d := query(t, c, `{ cities(first: 300) { edges { node { slug partners(first: 1) { totalCount } } } } }`)
	best, most := "", -1.0
	for _, e := range at(t, d, "cities", "edges").([]any) {
		if n := at(t, e, "node", "partners", "totalCount").(float64); n > most {
			best, most = at(t, e, "node", "slug").(string), n
		}
	}
	return best
}

func TestPlanWriterKeepsTheResponseSizeCap(t *testing.T) {
	lim := graph.DefaultLimits
	lim.MaxResponseBytes = 300
	p := newParity(projectStore(t), lim)
	q := `{ cities(first: 50) { edges { node { id name nameZh } } } }`
	p.same(t, q, nil)
	if got := answerBytes(t, p.writer, q, nil); !bytes.Contains(got, []byte(`"LIMIT_EXCEEDED"`)) {
		t.Errorf("got %s; want LIMIT_EXCEEDED", got)
	}
	p.same(t, `{ city(slug: "nanning") { id } }`, nil)
}

func TestPlanWriterAllocations(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 2,000 synthetic cities")
	}
	st, err := embedded.Open("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := peer.Load(context.Background(), st, 2000); err != nil {
		t.Fatal(err)
	}
	q := peer.Queries(peer.Anchors{City: busiestCity(t, st)})[0]
	p := newParity(st, graph.DefaultLimits)
	if !p.same(t, q.Citygraph, q.Params) {
		t.Fatalf("the writer did not answer partners-2")
	}
	allocs := testing.AllocsPerRun(20, func() { answerBytes(t, p.writer, q.Citygraph, q.Params) })
	// gqlgen's per-field execution took about 20,000 for this query; the
	// writer, with the store's walk, about 420 (compiled selections, enums
	// and dates written without allocating); the bound leaves room for the
	// store's side.
	if allocs > 650 {
		t.Errorf("partners-2 took %.0f allocations per request; want at most 650", allocs)
	}
	t.Logf("partners-2: %.0f allocations per request", allocs)
}

// TestPlanWriterAnswersEveryFieldAsGqlgen selects every field the writer
// claims, on every node type (through nodes(ids:), a missing ID among
// them) and every top-level list, and checks the writer answers each
// query with gqlgen's bytes.
func TestPlanWriterAnswersEveryFieldAsGqlgen(t *testing.T) {
	schema := graph.NewExecutableSchema(graph.Config{Resolvers: &graph.Resolver{}}).Schema()
	for _, s := range parityStores(t) {
		p := newParity(s.st, graph.DefaultLimits)
		for _, k := range domain.Kinds {
			page, err := s.st.ListNodes(context.Background(), domain.NodeQuery{Kind: k, Page: domain.Page{First: 6}})
			if err != nil {
				t.Fatal(err)
			}
			ids := []string{strconv.Quote(string(k) + ":no-such-" + strings.ToLower(string(k)))}
			for _, n := range page.Items {
				ids = append(ids, strconv.Quote(n.Key().String()))
			}
			q := fmt.Sprintf("{ nodes(ids: [%s]) { __typename ... on %s { %s } } }", strings.Join(ids, ", "), k, everyField(schema, string(k), 0))
			t.Run(s.name+"/"+string(k), func(t *testing.T) {
				if !p.same(t, q, nil) {
					t.Errorf("gqlgen answered %s; want the plan writer to", q)
				}
			})
		}
		for _, f := range schema.Query.Fields {
			if !strings.HasSuffix(f.Type.Name(), "Connection") {
				continue
			}
			node := schema.Types[f.Type.Name()].Fields.ForName("edges").Type.Name()
			node = schema.Types[node].Fields.ForName("node").Type.Name()
			q := fmt.Sprintf("{ %s(first: 4) { __typename totalCount %s edges { __typename cursor node { %s } } %s } }", f.Name, pageInfoFields, everyField(schema, node, 0),
				everyAggregate(schema, schema.Types[f.Type.Name()]))
			t.Run(s.name+"/"+f.Name, func(t *testing.T) {
				if !p.same(t, q, nil) {
					t.Errorf("gqlgen answered %s; want the plan writer to", q)
				}
			})
		}
	}
}

const pageInfoFields = "pageInfo { __typename hasNextPage hasPreviousPage startCursor endCursor }"

// declinedFields are fields the writer leaves to gqlgen: a node's
// history, read by its own store method.
var declinedFields = map[string]bool{"history": true}

// everyField selects every field of object type typ that the writer
// claims; connections below the first level ask only their total.
func everyField(schema *ast.Schema, typ string, depth int) string {
	var b strings.Builder
	b.WriteString("__typename")
	for _, f := range schema.Types[typ].Fields {
		if declinedFields[f.Name] || strings.HasPrefix(f.Name, "__") {
			continue
		}
		def := schema.Types[f.Type.Name()]
		b.WriteString(" ")
		switch {
		case def.Kind == ast.Scalar || def.Kind == ast.Enum:
			b.WriteString(f.Name)
		case def.Name == "GeoPoint":
			b.WriteString(f.Name + " { __typename lat lon }")
		case def.Name == "Money":
			b.WriteString(f.Name + " { __typename amount currency }")
		case f.Name == "sources":
			b.WriteString("sources { id name url }")
		case strings.HasSuffix(def.Name, "Connection") && depth > 0:
			b.WriteString(f.Name + "(first: 2) { totalCount }")
		case strings.HasSuffix(def.Name, "Connection"):
			edge := def.Fields.ForName("edges").Type.Name()
			fmt.Fprintf(&b, "%s(first: 3) { __typename totalCount %s edges { %s } %s }", f.Name, pageInfoFields, everyEdgeField(schema, edge), everyAggregate(schema, def))
		case def.Name == "CountryAttendance":
			b.WriteString(f.Name + " { __typename country { id name } cities { id name } organizations { id name } }")
		default: // a node, a union or the Node interface
			fmt.Fprintf(&b, "%s { __typename ... on Node { id name } }", f.Name)
		}
	}
	return b.String()
}

// everyAggregate selects every statistic of a connection's aggregate.
func everyAggregate(schema *ast.Schema, conn *ast.Definition) string {
	var b strings.Builder
	b.WriteString("aggregate { __typename")
	for _, f := range schema.Types[conn.Fields.ForName("aggregate").Type.Name()].Fields {
		switch f.Type.Name() {
		case "IntStats":
			b.WriteString(" " + f.Name + " { __typename count min max sum average }")
		case "MoneyStats":
			b.WriteString(" " + f.Name + " { __typename currency count min max sum average }")
		default:
			b.WriteString(" " + f.Name)
		}
	}
	b.WriteString(" }")
	return b.String()
}

func everyEdgeField(schema *ast.Schema, edge string) string {
	var b strings.Builder
	b.WriteString("__typename")
	for _, f := range schema.Types[edge].Fields {
		if declinedFields[f.Name] {
			continue
		}
		b.WriteString(" ")
		switch f.Name {
		case "node":
			b.WriteString("node { __typename ... on Node { id name slug } }")
		case "sources":
			b.WriteString("sources { id name }")
		case "amount":
			b.WriteString("amount { amount currency }")
		case "attendingMemberCountries":
			b.WriteString("attendingMemberCountries { id name }")
		case "through":
			b.WriteString("through { __typename ... on Node { id name } }")
		default:
			b.WriteString(f.Name)
		}
	}
	return b.String()
}

// TestPlanWriterAnswersEveryShapeAsGqlgen runs the shapes of selection
// the writer must get right, and those it must leave to gqlgen, through
// both sides.
func TestPlanWriterAnswersEveryShapeAsGqlgen(t *testing.T) {
	for _, s := range parityStores(t) {
		// A partnership that came about through the 2015 forum, which the
		// seed data has none of.
		through := domain.NodeKey{Kind: domain.KindForum, ID: "cam-2015"}
		if _, err := s.st.Apply(context.Background(), &domain.Batch{Edges: []domain.Edge{{Kind: domain.EdgePartnerOf,
			From: domain.NodeKey{Kind: domain.KindCity, ID: "ipoh"}, To: domain.NodeKey{Kind: domain.KindCity, ID: "nanning"},
			PartnershipKind: domain.PartnershipFriendshipCity, Through: &through, Sources: []string{"article-2015"}}}}, domain.ApplyOptions{}); err != nil {
			t.Fatal(err)
		}
		p := newParity(s.st, graph.DefaultLimits)
		// Cursors to page from, read through gqlgen.
		var page struct {
			Data struct {
				City struct {
					Partners struct {
						Edges []struct{ Cursor string }
					}
				}
			}
		}
		if err := json.Unmarshal(answerBytes(t, p.gqlgen, `{ city(slug: "nanning") { partners(first: 4) { edges { cursor } } } }`, nil), &page); err != nil || len(page.Data.City.Partners.Edges) < 4 {
			t.Fatalf("reading cursors: %v %+v", err, page)
		}
		cursor := page.Data.City.Partners.Edges[1].Cursor
		conn := `totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor since kind node { id name } }`
		shapes := []struct {
			name    string
			query   string
			vars    map[string]any
			written bool
		}{
			{"first and after", `query($c: String) { city(slug: "nanning") { partners(first: 2, after: $c) { ` + conn + ` } } }`, map[string]any{"c": cursor}, true},
			{"last and before", `query($c: String) { city(slug: "nanning") { partners(last: 2, before: $c) { ` + conn + ` } } }`, map[string]any{"c": cursor}, true},
			{"last alone", `{ city(slug: "nanning") { partners(last: 3) { ` + conn + ` } } }`, nil, true},
			{"an empty page", `{ city(slug: "nanning") { partners(first: 2, country: "ZZ") { ` + conn + ` } } }`, nil, true},
			{"only the total", `{ city(slug: "nanning") { partners { totalCount } forumsAttended { totalCount } } }`, nil, true},
			{"orderBy", `{ cities(first: 5, orderBy: [{field: REGION, direction: DESC}, {field: NAME}]) { edges { cursor node { name region } } } }`, nil, true},
			{"sortBy", `{ city(slug: "nanning") { partners(first: 5, sortBy: [{field: SINCE, direction: DESC}]) { edges { since node { name } } } } }`, nil, true},
			{"where", `{ cities(first: 5, where: {name: {startsWith: "N"}}) { totalCount edges { node { name partners(where: {kind: {eq: FRIENDSHIP_CITY}}) { totalCount edges { kind } } } } } }`, nil, true},
			{"aliases", `{ a: city(slug: "nanning") { n: name p: partners(first: 2) { t: totalCount e: edges { k: kind } } } b: city(slug: "nanning") { n: nameZh } }`, nil, true},
			{"one field twice, merged", `{ city(slug: "nanning") { partners(first: 2) { totalCount } partners(first: 2) { edges { node { name country { name } } } } } }`, nil, true},
			{"one field twice with other arguments", `{ city(slug: "nanning") { few: partners(first: 1) { edges { node { name } } } more: partners(first: 3) { edges { node { id } } } } }`, nil, true},
			{"fragments", `query { city(slug: "nanning") { ...C partners(first: 3) { edges { node { ...C } } } } } fragment C on City { id name country { ...K } } fragment K on Country { code name }`, nil, true},
			{"a fragment on the Node interface", `{ node(id: "City:nanning") { ...N ... on City { region } } } fragment N on Node { id slug __typename }`, nil, true},
			{"inline fragments on a union", `{ forum(slug: "cam-2015") { attendees(first: 20) { edges { node { __typename ... on City { name country { code } } ... on Organization { name kind } } } } } }`, nil, true},
			{"a union list", `{ projects(first: 5) { edges { node { name locations { __typename ... on City { name } ... on Country { code } } } } } }`, nil, true},
			{"@skip and @include with variables", `query($yes: Boolean!, $no: Boolean!) { city(slug: "nanning") { name @include(if: $yes) nameZh @skip(if: $yes) partners(first: 2) @include(if: $no) { totalCount } country @skip(if: $no) { name } } }`, map[string]any{"yes": true, "no": false}, true},
			{"nodes with a missing one", `{ nodes(ids: ["City:nanning", "City:no-such-city", "Country:CN"]) { id ... on City { name } } }`, nil, true},
			{"__typename at the root", `{ __typename city(slug: "nanning") { __typename } }`, nil, true},
			// Left to gqlgen: errors, and what the plan does not answer.
			{"a lookup of a missing node", `{ city(slug: "no-such-city") { name } }`, nil, false},
			{"node of a missing ID", `{ node(id: "City:no-such-city") { id } }`, nil, false},
			{"an ill-formed ID", `{ node(id: "nanning") { id } }`, nil, false},
			{"a page too large", `{ city(slug: "nanning") { partners(first: 5000) { totalCount } } }`, nil, false},
			{"first and last together", `{ city(slug: "nanning") { partners(first: 2, last: 2) { totalCount } } }`, nil, false},
			{"an unknown cursor", `{ city(slug: "nanning") { partners(after: "nonsense") { totalCount } } }`, nil, false},
			{"a partnership's through", `{ city(slug: "nanning") { partners(first: 10) { edges { node { id } through { __typename id ... on Forum { startDate } } } } } }`, nil, true},
			{"an aggregate alone", `{ cities(first: 2) { aggregate { count population { min max average } } } }`, nil, true},
			{"an aggregate of an empty list", `{ city(slug: "nanning") { partners(country: "ZZ") { aggregate { count } } } fundingBody(slug: "aiib") { financings(where: {instrument: {eq: "no such instrument"}}) { aggregate { amount { currency sum average } } } } }`, nil, true},
			{"history", `{ city(slug: "nanning") { history { seq } } }`, nil, false},
			{"introspection", `{ __schema { queryType { name } } }`, nil, false},
			{"an analytic", `{ paths(from: "nanning", to: "ipoh") { length } }`, nil, false},
		}
		for _, c := range shapes {
			t.Run(s.name+"/"+c.name, func(t *testing.T) {
				if got := p.same(t, c.query, c.vars); got != c.written {
					t.Errorf("written by the plan writer: %v, want %v", got, c.written)
				}
			})
		}
	}
}

func TestPlanWriterQuotesStringsAsGqlgen(t *testing.T) {
	for _, s := range []string{"", "Nanning", "南宁", `say "hi"`, `back\\slash`, "tab\tnew\nline\rret", "\x00\x01\x1f\x7f", "<&>", "\u2028\u2029", "bad \xff\xfe utf-8", "emoji 🏙"} {
		var b bytes.Buffer
		graphql.MarshalString(s).MarshalGQL(&b)
		if got := graph.QuoteLikeGqlgen(s); got != b.String() {
			t.Errorf("quoting %q: got %s, want %s", s, got, b.String())
		}
	}
}

// TestPlanWriterSendsWhatJSONWouldEscapeAsGqlgen writes names that
// json.Marshal rewrites (<, >, &, U+2028) or that hold escapes: the
// transport must not send the writer's buffer as it is for them.
func TestPlanWriterSendsWhatJSONWouldEscapeAsGqlgen(t *testing.T) {
	st := projectStore(t)
	names := []string{"Plain", "Trade & <Investment>", "line\u2028separator", `quote " and back\\slash`, "tab\tand\nline"}
	var batch domain.Batch
	for i, name := range names {
		batch.Nodes = append(batch.Nodes, &domain.City{Meta: domain.Meta{ID: fmt.Sprintf("odd-%d", i), Name: name, Sources: []string{"article-2015"}}, Division: domain.Division("city")})
	}
	if _, err := st.Apply(context.Background(), &batch, domain.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	p := newParity(st, graph.DefaultLimits)
	for i, name := range names {
		t.Run(fmt.Sprintf("%q", name), func(t *testing.T) {
			q := fmt.Sprintf(`{ city(slug: "odd-%d") { id name } }`, i)
			if !p.same(t, q, nil) {
				t.Errorf("gqlgen answered %s; want the plan writer to", q)
			}
		})
	}
}

// TestPlanWriterServesConcurrentRequestsFromItsPool sends requests for
// different cities at once: each must get its own answer, never a pooled
// buffer another request is still writing or sending.
func TestPlanWriterServesConcurrentRequestsFromItsPool(t *testing.T) {
	p := newParity(projectStore(t), graph.DefaultLimits)
	q := `query($c: String!) { city(slug: $c) { id name partners(first: 20) { totalCount edges { kind since node { id name } } } } }`
	cities := []string{"nanning", "ipoh", "beijing", "guilin", "liuzhou", "kunming"}
	want := map[string][]byte{}
	for _, c := range cities {
		want[c] = answerBytes(t, p.gqlgen, q, map[string]any{"c": c})
	}
	before := p.written.Load()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				c := cities[(g+i)%len(cities)]
				if got := answerBytes(t, p.writer, q, map[string]any{"c": c}); !bytes.Equal(got, want[c]) {
					t.Errorf("%s: got %.300s, want %.300s", c, got, want[c])
				}
			}
		}()
	}
	wg.Wait()
	if n := p.written.Load() - before; n != 8*20 {
		t.Errorf("the writer answered %d of %d requests; want all", n, 8*20)
	}
}

func TestPlanWriterWritesEnumsAndDatesAsGqlgen(t *testing.T) {
	odd := []string{"", "friendship_city", "SISTER_CITY", "Mixed_Case", "with space", `say "hi"`, `back\\slash`, "tab\tnew\nline", "\x00\x1f\x7f", "<&>", "南宁", "ß", "bad \xff utf-8"}
	for _, s := range odd {
		t.Run(fmt.Sprintf("%q", s), func(t *testing.T) {
			var want bytes.Buffer
			domain.PartnershipKind(s).MarshalGQL(&want)
			if got := graph.EnumLikeGqlgen(domain.PartnershipKind(s)); got != want.String() {
				t.Errorf("enum %q: got %s, want %s", s, got, want.String())
			}
			want.Reset()
			domain.Date(s).MarshalGQL(&want)
			if got := graph.DateLikeGqlgen(domain.Date(s)); got != want.String() {
				t.Errorf("date %q: got %s, want %s", s, got, want.String())
			}
		})
	}
}

// lateStore answers a plan only once the request's deadline has passed.
type lateStore struct{ domain.Store }

func (s lateStore) Run(ctx context.Context, p *domain.Plan) (*domain.Answers, error) {
	<-ctx.Done()
	return s.Store.(domain.PlanRunner).Run(context.WithoutCancel(ctx), p)
}

func TestPlanWriterLeavesALateRequestToTheDeadline(t *testing.T) {
	lim := graph.DefaultLimits
	lim.Timeout = 20 * time.Millisecond
	p := newParity(lateStore{projectStore(t)}, lim)
	q := `{ city(slug: "nanning") { name partners(first: 3) { edges { node { name } } } } }`
	if p.same(t, q, nil) {
		t.Errorf("the writer answered a request past its deadline")
	}
	if got := answerBytes(t, p.writer, q, nil); !bytes.Contains(got, []byte(`"TIMEOUT"`)) {
		t.Errorf("got %s; want TIMEOUT", got)
	}
}

func TestPlanWriterKeepsTheRequestsTelemetry(t *testing.T) {
	p := newParity(projectStore(t), graph.DefaultLimits)
	for _, h := range []http.Handler{p.writer, p.gqlgen} {
		rec := &telemetry.Request{}
		body := `{"query": "query Named { city(slug: \"nanning\") { name partners(first: 3) { edges { node { name } } } } }"}`
		r := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		h.ServeHTTP(httptest.NewRecorder(), r.WithContext(telemetry.WithRequest(r.Context(), rec)))
		if op, cost, _, _ := rec.Snapshot(); op != "Named" || cost == 0 {
			t.Errorf("telemetry saw operation %q and cost %d; want Named and a cost", op, cost)
		}
	}
	if p.written.Load() != 1 {
		t.Errorf("the writer answered %d requests; want 1", p.written.Load())
	}
}
