package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/99designs/gqlgen/client"
	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/graph"
	"github.com/citygraph/citygraph/graph/examples"
	"github.com/citygraph/citygraph/seed"
	"github.com/citygraph/citygraph/store/embedded"
	"github.com/citygraph/citygraph/synth"
)

// countingStore counts every call to the store it wraps, whatever the
// method. It does not run plans, so a handler built on it reads field by
// field through the loaders.
type countingStore struct {
	st    domain.Store
	calls atomic.Int64
}

var _ domain.Store = (*countingStore)(nil)

func (s *countingStore) Nodes(ctx context.Context, k []domain.NodeKey) ([]domain.Node, error) {
	s.calls.Add(1)
	return s.st.Nodes(ctx, k)
}
func (s *countingStore) ListNodes(ctx context.Context, q domain.NodeQuery) (domain.NodePage, error) {
	s.calls.Add(1)
	return s.st.ListNodes(ctx, q)
}
func (s *countingStore) Edges(ctx context.Context, q domain.EdgeQuery, a []domain.NodeKey) ([]domain.EdgePage, error) {
	s.calls.Add(1)
	return s.st.Edges(ctx, q, a)
}
func (s *countingStore) Neighbourhood(ctx context.Context, q domain.NeighbourhoodQuery) (domain.Subgraph, error) {
	s.calls.Add(1)
	return s.st.Neighbourhood(ctx, q)
}
func (s *countingStore) Apply(ctx context.Context, b *domain.Batch, o domain.ApplyOptions) (domain.Report, error) {
	s.calls.Add(1)
	return s.st.Apply(ctx, b, o)
}
func (s *countingStore) Paths(ctx context.Context, q domain.PathQuery) ([]domain.Path, error) {
	s.calls.Add(1)
	return s.st.Paths(ctx, q)
}
func (s *countingStore) FundingTotals(ctx context.Context, q domain.FundingQuery) ([]domain.FundingTotal, error) {
	s.calls.Add(1)
	return s.st.FundingTotals(ctx, q)
}
func (s *countingStore) RankCities(ctx context.Context, q domain.RankQuery) ([]domain.RankedCity, error) {
	s.calls.Add(1)
	return s.st.RankCities(ctx, q)
}
func (s *countingStore) SuggestPartners(ctx context.Context, q domain.SuggestQuery) ([]domain.Suggestion, error) {
	s.calls.Add(1)
	return s.st.SuggestPartners(ctx, q)
}
func (s *countingStore) Near(ctx context.Context, q domain.NearQuery) ([]domain.NearCity, error) {
	s.calls.Add(1)
	return s.st.Near(ctx, q)
}
func (s *countingStore) Search(ctx context.Context, q domain.SearchQuery) ([]domain.SearchHit, error) {
	s.calls.Add(1)
	return s.st.Search(ctx, q)
}
func (s *countingStore) Ping(ctx context.Context) error {
	s.calls.Add(1)
	return s.st.Ping(ctx)
}
func (s *countingStore) Close() error { return s.st.Close() }

// countingPlanStore is a countingStore that runs plans: Run is one call,
// answered by runner (which reads the wrapped store without counting).
type countingPlanStore struct {
	*countingStore
	runner domain.PlanRunner
}

// countedStore wraps st so that every call a request makes of it, plans
// included, is counted.
func countedStore(st domain.Store) *countingPlanStore {
	return &countingPlanStore{countingStore: &countingStore{st: st}, runner: runnerOf(st)}
}

func (s *countingPlanStore) Run(ctx context.Context, p *domain.Plan) (*domain.Answers, error) {
	s.calls.Add(1)
	return s.runner.Run(ctx, p)
}

// singleReads is a test double of a store's PlanRunner: it answers a plan
// with the store's single-read methods, as the contract says a plan's
// answers must be, so the GraphQL side can be tested before the stores
// implement Run. It is never shipped.
type singleReads struct{ st domain.Store }

func (r singleReads) Run(ctx context.Context, p *domain.Plan) (*domain.Answers, error) {
	if err := p.Normalize(); err != nil {
		return nil, err
	}
	a := domain.NewAnswers()
	for _, root := range p.Roots {
		var found []domain.Node
		if root.List != nil {
			page, err := r.st.ListNodes(ctx, *root.List)
			if err != nil {
				return nil, err
			}
			a.Lists[root.List.Signature()] = page
			for _, n := range page.Items {
				a.Nodes[n.Key()] = n
			}
			found = page.Items
		} else {
			var err error
			if found, err = r.nodes(ctx, a, root.Keys); err != nil {
				return nil, err
			}
		}
		if err := r.reach(ctx, a, found, &root.Reach); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// nodes reads keys into a and returns the nodes that exist.
func (r singleReads) nodes(ctx context.Context, a *domain.Answers, keys []domain.NodeKey) ([]domain.Node, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	ns, err := r.st.Nodes(ctx, keys)
	if err != nil {
		return nil, err
	}
	var out []domain.Node
	for i, n := range ns {
		a.Nodes[keys[i]] = n
		if n != nil {
			out = append(out, n)
		}
	}
	return out, nil
}

func sourceKeys(slugs []string) []domain.NodeKey {
	keys := make([]domain.NodeKey, len(slugs))
	for i, s := range slugs {
		keys[i] = domain.NodeKey{Kind: domain.KindSource, ID: s}
	}
	return keys
}

func (r singleReads) reach(ctx context.Context, a *domain.Answers, from []domain.Node, re *domain.Reach) error {
	if re.Sources {
		for _, n := range from {
			if _, err := r.nodes(ctx, a, sourceKeys(n.Base().Sources)); err != nil {
				return err
			}
		}
	}
	for _, f := range re.Follow {
		var ends []domain.NodeKey
		for _, n := range from {
			if f.From != "" && n.Key().Kind != f.From {
				continue
			}
			anchor := n.Key()
			var page domain.EdgePage
			if f.All {
				q := f.Query
				for {
					ps, err := r.st.Edges(ctx, q, []domain.NodeKey{anchor})
					if err != nil {
						return err
					}
					if q.Page.After == "" {
						page.TotalCount = ps[0].TotalCount
					}
					page.Items, page.Cursors = append(page.Items, ps[0].Items...), append(page.Cursors, ps[0].Cursors...)
					if !ps[0].HasNextPage || len(ps[0].Cursors) == 0 {
						break
					}
					q.Page.After = ps[0].Cursors[len(ps[0].Cursors)-1]
				}
				a.SetPage(f.Query.AllSignature(), anchor, page)
			} else {
				ps, err := r.st.Edges(ctx, f.Query, []domain.NodeKey{anchor})
				if err != nil {
					return err
				}
				page = ps[0]
				a.SetPage(f.Query.Signature(), anchor, page)
			}
			for _, e := range page.Items {
				ends = append(ends, e.Other(anchor))
				if f.EdgeSources {
					if _, err := r.nodes(ctx, a, sourceKeys(e.Sources)); err != nil {
						return err
					}
				}
			}
		}
		if f.Ends != nil {
			found, err := r.nodes(ctx, a, ends)
			if err != nil {
				return err
			}
			if err := r.reach(ctx, a, found, f.Ends); err != nil {
				return err
			}
		}
	}
	return nil
}

// runnerOf is st's own Run when it has one, else the test double.
func runnerOf(st domain.Store) domain.PlanRunner {
	if r, ok := st.(domain.PlanRunner); ok {
		return r
	}
	return singleReads{st: st}
}

// planStores returns an embedded store holding the project's seed data and
// a synthetic graph of n cities, and two handlers' clients on it: one whose
// store runs plans (counted), one whose store does not (the loaders read
// field by field).
func planStores(t *testing.T, n int) (planned *client.Client, calls *atomic.Int64, plain *client.Client, b *domain.Batch) {
	t.Helper()
	st, err := embedded.Open("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ctx := context.Background()
	if _, err := seed.LoadProject(ctx, st); err != nil {
		t.Fatalf("loading the project seed: %v", err)
	}
	b = synth.Generate(7, n)
	if _, err := st.Apply(ctx, b, domain.ApplyOptions{}); err != nil {
		t.Fatalf("loading %d synthetic cities: %v", n, err)
	}
	counted := countedStore(st)
	planned = client.New(graph.NewHandler(counted, quietLog(), graph.DefaultLimits, graph.DefaultExposure))
	plain = client.New(graph.NewHandler(&countingStore{st: st}, quietLog(), graph.DefaultLimits, graph.DefaultExposure))
	return planned, &counted.calls, plain, b
}

// firstOf returns the ID of the first node of kind k in b.
func firstOf(t *testing.T, b *domain.Batch, k domain.Kind) string {
	t.Helper()
	for _, n := range b.Nodes {
		if n.Key().Kind == k {
			return n.Key().ID
		}
	}
	t.Fatalf("the synthetic graph has no %s", k)
	return ""
}

// rawAnswer runs q and returns the whole response (data and errors) as JSON.
func rawAnswer(t *testing.T, c *client.Client, q string, vars map[string]any) []byte {
	t.Helper()
	var opts []client.Option
	for k, v := range vars {
		opts = append(opts, client.Var(k, v))
	}
	resp, err := c.RawPost(q, opts...)
	if err != nil {
		t.Fatalf("post: %v", err)
	}
	// Top-level fields resolve concurrently, so their errors come in any
	// order: compare them sorted.
	var errs []json.RawMessage
	if len(resp.Errors) > 0 {
		if err := json.Unmarshal(resp.Errors, &errs); err != nil {
			t.Fatalf("errors %s: %v", resp.Errors, err)
		}
	}
	slices.SortFunc(errs, func(a, b json.RawMessage) int { return bytes.Compare(a, b) })
	out, err := json.Marshal(struct {
		Data   any
		Errors []json.RawMessage
	}{resp.Data, errs})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// plannedShapes are the query shapes apps use, each plannable whole.
var plannedShapes = []struct{ name, query string }{
	{"lists and relations ordered by several keys, with their aggregates", `query($country: String!) {
		cities(first: 20, orderBy: [{field: POPULATION, direction: DESC}, {field: NAME}]) { aggregate { count population { min max sum average } }
			edges { node { name partners(first: 5, sortBy: [{field: SINCE, direction: DESC}]) { aggregate { count populationYear { max } } edges { since node { name } } } } } }
		country(code: $country) { cities(first: 10, orderBy: [{field: POPULATION_YEAR}]) { aggregate { count population { sum } } edges { node { name } } } }
		fundingBodies(first: 5) { aggregate { capital { currency sum } } edges { node { financings(first: 3, orderBy: [{field: AMOUNT, direction: DESC}]) {
			aggregate { count amount { currency count sum min max average } } edges { amount { amount currency } node { name } } } } } } }`},
	{"a city and its partners two levels deep", `query($city: String!) { city(slug: $city) { name country { code name }
		partners(first: 30) { totalCount pageInfo { hasNextPage endCursor } edges { kind since node { name country { code }
			partners(first: 10) { totalCount edges { node { name } } } } } } } }`},
	{"country, 20 cities, 10 partners each, their country", `query($country: String!) { country(code: $country) { name
		cities(first: 20) { totalCount edges { cursor node { name partners(first: 10) { edges { node { name country { code name } } } } } } } } }`},
	{"the cities of a country with their partner count", `query($country: String!) { country(code: $country) {
		cities(first: 100) { edges { node { slug partners { totalCount } } } } } }`},
	{"a forum with organisers, attendees and the bodies it called on", `query($forum: String!) { forum(slug: $forum) { name hostCity { name } series { name }
		organisers { totalCount edges { role node { name seat { name country { code } } } sources { name } } }
		attendees(first: 50) { totalCount edges { delegationSize node { __typename ... on City { name country { code } } ... on Organization { name kind } } } }
		calledOn { edges { request node { acronym headquarters { name } members(first: 5) { totalCount edges { node { code } } } } attendingMemberCountries { code name } } }
		attendanceByCountry { country { code name } cities { name } organizations { name seat { name } } }
		agreements { name signatories(first: 5) { totalCount } } topics { edges { node { name } } } } }`},
	{"a funding body's 100 financings with each project's places", `query($body: String!) { fundingBody(slug: $body) { name
		financings(first: 100) { totalCount edges { amount { amount currency } approved node { name
			locations { __typename ... on City { name country { code } } ... on Country { code name } } } } } } }`},
	{"node(id:) with inline fragments", `query($id: ID!) { node(id: $id) { id __typename ... on Node { sources { name } }
		... on City { name partners(first: 5) { edges { node { name } } } projects(first: 5) { edges { node { name financings { totalCount } } } } }
		... on Forum { name } } }`},
	{"nodes(ids:) of several kinds", `query($ids: [ID!]!) { nodes(ids: $ids) { id
		... on City { name country { code } organizations(first: 5) { totalCount edges { node { name forumsOrganised { totalCount } } } } }
		... on Forum { name partOf { name heldIn { name } } hostCity { name } initiatives { name } }
		... on FundingBody { name calledOnBy { edges { node { name } } } } } }`},
	{"fragments spread several times", `query($city: String!) { city(slug: $city) { ...C partners(first: 5) { edges { node { ...C more: partners(first: 2) { edges { node { ...C } } } } } } }
		cities(first: 5) { edges { node { ...C } } } }
		fragment C on City { name country { ...K } top: partners(first: 3) { totalCount edges { sources { name } node { slug } } } }
		fragment K on Country { code memberships { edges { node { __typename ... on Grouping { name members(first: 3) { totalCount } } ... on FundingBody { name } } } } }`},
	{"top-level lists, nested", `query($n: Int) { cities(first: $n) { totalCount edges { node { name country { name }
		partners(first: 5) { totalCount edges { kind node { name country { code } } sources { name } } }
		forumsAttended(first: 3) { edges { node { name hostCity { name } } } } agreementsSigned { edges { node { name adoptedBy { name } } } } } } }
		forums(first: 3) { edges { node { name series { name editions(first: 3) { edges { node { name } } } } } } }
		projects(first: 5, orderBy: {field: SLUG, direction: DESC}) { edges { node { name financings { edges { node { name } } } } } }
		organizations(first: 5) { edges { node { name seat { name } forumsAttended { totalCount } } } }
		agreements(first: 3) { edges { node { name signatories(first: 3) { edges { date node { name } } } } } }
		fundingBodies { edges { node { acronym members(first: 3) { edges { node { code } } } } } }
		countries(first: 3, grouping: "asean") { edges { node { code } } } sources(first: 2) { edges { node { name } } } }`},
	{"@skip and @include", `query($city: String!, $yes: Boolean!) { city(slug: $city) { name
		country @include(if: $yes) { code } partners(first: 3) @skip(if: $yes) { totalCount } forumsAttended @skip(if: false) { totalCount } } }`},
	{"aliases of one relation with other arguments", `query($city: String!) { city(slug: $city) {
		a: partners(first: 2) { edges { node { name } } } b: partners(first: 4, orderBy: SINCE) { edges { since node { slug } } }
		c: partners(first: 2) { totalCount } } }`},
	{"paging back with last and before, totals asked and not", `query($city: String!, $before: String) { city(slug: $city) { name
		partners(last: 5) { totalCount pageInfo { hasPreviousPage hasNextPage startCursor endCursor } edges { cursor node { name
			partners(last: 2, before: $before) { pageInfo { hasPreviousPage hasNextPage } edges { node { slug country { code } } } } } } }
		forumsAttended(last: 2) { edges { node { name } } } }
		cities(last: 4, before: $before) { pageInfo { hasPreviousPage hasNextPage } edges { cursor node { name country { name } } } }
		countries(last: 3) { totalCount edges { node { code cities(last: 2) { totalCount edges { node { name } } } } } } }`},
	{"pages forward and back with after and before together", `query($city: String!, $before: String, $after: String) { city(slug: $city) {
		partners(first: 3, after: $after, before: $before) { pageInfo { hasPreviousPage hasNextPage } edges { node { name } } }
		back: partners(last: 3, after: $after, before: $before) { totalCount pageInfo { hasPreviousPage hasNextPage } edges { node { name } } } } }`},
	{"totalCount asked in one spread of a fragment and not in another", `query($city: String!, $yes: Boolean!) { city(slug: $city) { ...P
		partners(first: 3) { edges { node { ...P } } } }
		cities(first: 3) { edges { node { ...P p: partners(first: 2) @include(if: $yes) { totalCount } } } }
		more: cities(last: 2) { ...T edges { node { p: partners(first: 2) { totalCount @skip(if: $yes) edges { node { name } } } } } } }
		fragment P on City { name p: partners(first: 2) { edges { node { slug } } } }
		fragment T on CityConnection { totalCount }`},
}

// exampleCalls are the store calls each example query makes with a store
// that runs plans: one for those the planner answers whole; one per
// fundingTotals field, whose answer brings the nodes its groups name; for
// those that call the other analytics (neighbourhood, paths, rankings,
// suggestions, near, search), two per analytic field: its own store
// method, then one plan for the nodes its answer names.
// They are named by operation name. The seed data suggests no partner for
// Nanning, so Suggestions names no node; analyticShapes asks a synthetic city.
var exampleCalls = map[string]int64{"Organisers": 1, "Attendance": 1, "Agreement": 1, "Partners": 1, "Appeals": 1,
	"Neighbourhood": 2, "Sources": 1, "Paths": 2, "Funding": 2, "Rankings": 4, "Suggestions": 1, "Near": 2, "Search": 4,
	"Ordering": 1, "Aggregates": 1, "FundingByDimensions": 1, "ChineseCitiesWithEarlyAIIBPartners": 1}

var operationName = regexp.MustCompile(`(?m)^query (\w+)`)

// TestOneStoreCallPerRequest counts the store calls of each plannable
// query, at two sizes of graph: exactly one (the plan's Run), whatever the
// width and depth of the answer; and of each example, analytics included
// (exampleCalls). It also checks that the answers are the same with the
// plan and without it.
func TestOneStoreCallPerRequest(t *testing.T) {
	for _, n := range []int{10, 10_000} {
		planned, calls, plain, b := planStores(t, n)
		city, forum, body := firstOf(t, b, domain.KindCity), firstOf(t, b, domain.KindForum), firstOf(t, b, domain.KindFundingBody)
		vars := map[string]any{"city": city, "country": firstOf(t, b, domain.KindCountry), "forum": forum, "body": body,
			"id": "City:" + city, "ids": []string{"City:" + city, "Forum:" + forum, "FundingBody:" + body, "City:no-such-city"},
			"n": 100, "yes": true,
			// Cursors mark a place whether or not an item is there: these
			// fall inside every list ordered by name.
			"before": domain.Cursor{Key: "M", ID: "m"}.Encode(), "after": domain.Cursor{Key: "C", ID: "c"}.Encode()}
		type shape struct {
			name, query string
			calls       int64
		}
		var shapes []shape
		for _, s := range plannedShapes {
			shapes = append(shapes, shape{s.name, s.query, 1})
		}
		shapes = append(shapes, shape{"a funding body's totals per country, with the countries' names", `query($body: String!) {
			fundingTotals(groupBy: COUNTRY, fundingBody: $body) { group groupName total { amount currency } projects financings } }`, 1},
			shape{"totals by body and city, named in their groups", `query($body: String!) {
			fundingTotals(groupBy: [FUNDING_BODY, CITY], fundingBody: $body) { group groups { by group groupName } total { amount } } }`, 1})
		if n >= 1000 { // in a graph of 10 cities, every city is a partner of the first
			shapes = append(shapes, shape{"suggestions naming cities, forums, agreements and funders", `query($city: String!) {
				suggestedPartners(city: $city, first: 10) { score city { name country { code } partners(first: 3) { totalCount } }
				sharedForums { name hostCity { name } } sharedAgreements { name } sharedFunders { acronym } } }`, 2})
		}
		for _, ex := range examples.All() {
			m := operationName.FindStringSubmatch(ex.Query)
			if m == nil {
				t.Fatalf("example %q has no named query", ex.Name)
			}
			want, ok := exampleCalls[m[1]]
			if !ok {
				t.Fatalf("example %s: how many store calls should it make? Add it to exampleCalls", ex.Name)
			}
			shapes = append(shapes, shape{"example " + m[1], ex.Query, want})
		}
		for _, s := range shapes {
			t.Run(fmt.Sprintf("%d cities/%s", n, s.name), func(t *testing.T) {
				calls.Store(0)
				got := rawAnswer(t, planned, s.query, vars)
				if c := calls.Load(); c != s.calls {
					t.Errorf("store calls = %d, want %d", c, s.calls)
				}
				if !bytes.Contains(got, []byte(`"Errors":null`)) {
					t.Errorf("answer has errors: %s", truncate(string(got)))
				}
				if want := rawAnswer(t, plain, s.query, vars); !bytes.Equal(got, want) {
					t.Errorf("answer with the plan differs from the answer without:\n got %s\nwant %s", truncate(string(got)), truncate(string(want)))
				}
			})
		}
	}
}

// TestAnswersAreTheSameWithAndWithoutPlan runs the queries the planner does
// not answer whole (analytics) and bad requests through both handlers.
func TestAnswersAreTheSameWithAndWithoutPlan(t *testing.T) {
	planned, _, plain, _ := planStores(t, 10)
	queries := map[string]string{
		"a bad cursor":         `{ city(slug: "nanning") { name partners(after: "nonsense") { totalCount } } }`,
		"a page too large":     `{ cities(first: 5000) { totalCount } city(slug: "nanning") { partners(first: 1000) { totalCount } } }`,
		"an ill-formed ID":     `{ node(id: "nonsense") { id } }`,
		"an unknown node":      `{ node(id: "City:no-such-city") { id } city(slug: "no-such-city") { name } }`,
		"an ill-formed slug":   `{ city(slug: "Not A Slug!") { name } }`,
		"a bad date":           `{ fundingBody(slug: "aiib") { members(asOf: "yesterday") { totalCount } } }`,
		"introspection":        `{ __schema { queryType { name } } }`,
		"typename only":        `{ __typename }`,
		"a connection's total": `{ city(slug: "nanning") { partners { totalCount } organizations { totalCount } } }`,
	}
	for _, ex := range examples.All() {
		queries["example "+ex.Name] = ex.Query
	}
	for name, q := range queries {
		t.Run(name, func(t *testing.T) {
			got, want := rawAnswer(t, planned, q, nil), rawAnswer(t, plain, q, nil)
			if !bytes.Equal(got, want) {
				t.Errorf("answer with the plan differs from the answer without:\n got %s\nwant %s", truncate(string(got)), truncate(string(want)))
			}
		})
	}
}

// failingRunner is a store whose plans fail as an unreachable backend's do.
type failingRunner struct{ *countingStore }

func (s failingRunner) Run(context.Context, *domain.Plan) (*domain.Answers, error) {
	s.calls.Add(1)
	return nil, domain.Unavailable(fmt.Errorf("connection refused"), "the database cannot be reached")
}

func TestAFailedPlanIsOneError(t *testing.T) {
	cs := &countingStore{st: projectStore(t)}
	c := client.New(graph.NewHandler(failingRunner{cs}, quietLog(), graph.DefaultLimits, graph.DefaultExposure))
	resp, err := c.RawPost(`{ city(slug: "nanning") { name partners { totalCount } } }`)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(resp.Errors); !bytes.Contains([]byte(got), []byte(`"UNAVAILABLE"`)) {
		t.Errorf("errors = %s, want one UNAVAILABLE", got)
	}
	if n := cs.calls.Load(); n != 1 {
		t.Errorf("store calls = %d, want 1 (the plan; no field read after it failed)", n)
	}
}

// recordingRunner keeps the plans it is given and answers them with run.
type recordingRunner struct {
	run   domain.PlanRunner
	plans []*domain.Plan
}

func (r *recordingRunner) Run(ctx context.Context, p *domain.Plan) (*domain.Answers, error) {
	r.plans = append(r.plans, p)
	return r.run.Run(ctx, p)
}

// follows returns a reach's follows by relation kind, failing on a kind
// followed twice.
func follows(t *testing.T, r domain.Reach) map[domain.EdgeKind]domain.Follow {
	t.Helper()
	out := map[domain.EdgeKind]domain.Follow{}
	for _, f := range r.Follow {
		if _, dup := out[f.Query.Kind]; dup {
			t.Errorf("%s is followed twice: %+v", f.Query.Kind, r.Follow)
		}
		out[f.Query.Kind] = f
	}
	return out
}

func TestThePlanReadsWhatTheSelectionAsks(t *testing.T) {
	st := projectStore(t)
	rec := &recordingRunner{run: runnerOf(st)}
	c := client.New(graph.NewHandler(&countingPlanStore{countingStore: &countingStore{st: st}, runner: rec}, quietLog(), graph.DefaultLimits, graph.DefaultExposure))
	plan := func(t *testing.T, q string) *domain.Plan {
		t.Helper()
		rec.plans = nil
		query(t, c, q)
		if len(rec.plans) != 1 {
			t.Fatalf("plans run = %d, want 1", len(rec.plans))
		}
		return rec.plans[0]
	}

	t.Run("only totalCount reads no far ends", func(t *testing.T) {
		p := plan(t, `{ city(slug: "nanning") { partners { totalCount } } }`)
		f := follows(t, p.Roots[0].Reach)[domain.EdgePartnerOf]
		if f.Ends != nil || f.EdgeSources {
			t.Errorf("partners follow = %+v; want no far ends and no sources", f)
		}
	})
	t.Run("edges' nodes and sources are read", func(t *testing.T) {
		p := plan(t, `{ city(slug: "nanning") { sources { name } partners(first: 7, country: "VN") { edges { node { name } sources { name } } } } }`)
		r := p.Roots[0]
		if len(r.Keys) != 1 || r.Keys[0] != (domain.NodeKey{Kind: domain.KindCity, ID: "nanning"}) || !r.Reach.Sources {
			t.Errorf("root = %+v; want City:nanning with its sources", r)
		}
		f := follows(t, r.Reach)[domain.EdgePartnerOf]
		if f.Ends == nil || !f.EdgeSources || f.Query.Page.First != 7 || f.Query.OtherCountry != "VN" {
			t.Errorf("partners follow = %+v; want far ends, sources, first 7, country VN", f)
		}
	})
	t.Run("a one-to-one link reads one relation and its end", func(t *testing.T) {
		p := plan(t, `{ city(slug: "nanning") { country { code } } }`)
		f := follows(t, p.Roots[0].Reach)[domain.EdgeInCountry]
		if f.Query.Page.First != 1 || f.Ends == nil || f.All {
			t.Errorf("country follow = %+v; want first 1 with its end", f)
		}
	})
	t.Run("a plain list reads every relation", func(t *testing.T) {
		p := plan(t, `{ forum(slug: "cam-2015") { agreements { name } } }`)
		if f := follows(t, p.Roots[0].Reach)[domain.EdgeAdopted]; !f.All || f.Ends == nil {
			t.Errorf("agreements follow = %+v; want all, with their ends", f)
		}
	})
	t.Run("type conditions on several kinds set From", func(t *testing.T) {
		p := plan(t, `{ nodes(ids: ["City:nanning", "Forum:cam-2015"]) { ... on City { country { code } } ... on Forum { hostCity { name } } } }`)
		fs := follows(t, p.Roots[0].Reach)
		if fs[domain.EdgeInCountry].From != domain.KindCity || fs[domain.EdgeHeldIn].From != domain.KindForum {
			t.Errorf("follows = %+v; want IN_COUNTRY from City and HELD_IN from Forum", p.Roots[0].Reach.Follow)
		}
	})
	t.Run("one kind needs no From", func(t *testing.T) {
		p := plan(t, `{ node(id: "City:nanning") { ... on City { country { code } } ... on Forum { hostCity { name } } } }`)
		fs := follows(t, p.Roots[0].Reach)
		if len(fs) != 1 || fs[domain.EdgeInCountry].From != "" {
			t.Errorf("follows = %+v; want only IN_COUNTRY, from every node", p.Roots[0].Reach.Follow)
		}
	})
	t.Run("a fragment spread twice is read once", func(t *testing.T) {
		p := plan(t, `{ city(slug: "nanning") { ...C ... on City { ...C } } } fragment C on City { partners(first: 3) { edges { node { name } } } }`)
		if fs := follows(t, p.Roots[0].Reach); len(fs) != 1 {
			t.Errorf("follows = %+v; want one", p.Roots[0].Reach.Follow)
		}
	})
	t.Run("skipped fields are not read", func(t *testing.T) {
		p := plan(t, `{ city(slug: "nanning") { name country @skip(if: true) { code } partners @include(if: false) { totalCount } } }`)
		if len(p.Roots[0].Reach.Follow) != 0 {
			t.Errorf("follows = %+v; want none", p.Roots[0].Reach.Follow)
		}
	})
	t.Run("a page counts its total only when totalCount is selected", func(t *testing.T) {
		p := plan(t, `{ city(slug: "nanning") { partners(last: 4) { edges { node { name } } } forumsAttended { ...T } agreementsSigned { totalCount @skip(if: true) } }
			cities { t: totalCount } countries(last: 2, before: "`+domain.Cursor{Key: "M", ID: "m"}.Encode()+`") { edges { cursor } } }
			fragment T on AttendedForumConnection { totalCount }`)
		for _, r := range p.Roots {
			switch {
			case r.List == nil:
				fs := follows(t, r.Reach)
				if q := fs[domain.EdgePartnerOf].Query.Page; !q.NoTotal || q.Last != 4 || q.First != 0 {
					t.Errorf("partners page = %+v; want last 4, first 0, no total", q)
				}
				if q := fs[domain.EdgeAttended].Query.Page; q.NoTotal {
					t.Errorf("forumsAttended page = %+v; want its total (asked through a fragment)", q)
				}
				if q := fs[domain.EdgeSigned].Query.Page; !q.NoTotal {
					t.Errorf("agreementsSigned page = %+v; want no total (its totalCount is skipped)", q)
				}
			case r.List.Kind == domain.KindCity:
				if q := r.List.Page; q.NoTotal || q.First != domain.DefaultPageSize {
					t.Errorf("cities page = %+v; want the default first with its total (asked under an alias)", q)
				}
			default:
				if q := r.List.Page; !q.NoTotal || q.Last != 2 || q.Before == "" {
					t.Errorf("countries page = %+v; want last 2 before a cursor, no total", q)
				}
			}
		}
	})
	t.Run("a page builds cursors only when the selection reads one", func(t *testing.T) {
		for _, tc := range []struct {
			name, sel, frag string
			want            bool // NoCursors
		}{
			{"nodes only", `edges { node { name } }`, "", true},
			{"an edge's cursor", `edges { cursor }`, "", false},
			{"pageInfo's flags", `pageInfo { hasNextPage hasPreviousPage } totalCount`, "", true},
			{"pageInfo's startCursor", `pageInfo { startCursor }`, "", false},
			{"pageInfo's endCursor", `pageInfo { endCursor }`, "", false},
			{"a cursor through a fragment", `...E`, `fragment E on PartnershipConnection { edges { node { name } cursor } }`, false},
			{"a cursor through an inline fragment", `... on PartnershipConnection { pageInfo { endCursor } }`, "", false},
			{"a skipped cursor", `edges { cursor @skip(if: true) node { name } }`, "", true},
			{"an included cursor", `edges { cursor @include(if: true) }`, "", false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				p := plan(t, `{ city(slug: "nanning") { partners(first: 2) { `+tc.sel+` } } } `+tc.frag)
				if got := follows(t, p.Roots[0].Reach)[domain.EdgePartnerOf].Query.Page.NoCursors; got != tc.want {
					t.Errorf("partners page NoCursors = %v, want %v", got, tc.want)
				}
				onCities := strings.NewReplacer("PartnershipConnection", "CityConnection")
				p = plan(t, onCities.Replace(`{ city(slug: "nanning") { name } cities(first: 2) { `+tc.sel+` } } `+tc.frag))
				for _, r := range p.Roots {
					if r.List != nil && r.List.Page.NoCursors != tc.want {
						t.Errorf("cities page NoCursors = %v, want %v", r.List.Page.NoCursors, tc.want)
					}
				}
			})
		}
	})
	t.Run("a list root carries its query", func(t *testing.T) {
		p := plan(t, `{ cities(first: 3, country: "CN", orderBy: {field: SLUG, direction: DESC}) { edges { node { name } } } }`)
		l := p.Roots[0].List
		if l == nil || l.Kind != domain.KindCity || l.Filter.Country != "CN" || l.Order != domain.OrderByID || !l.Desc || l.Page.First != 3 {
			t.Errorf("list root = %+v; want cities in CN by slug, descending, first 3", l)
		}
	})
	t.Run("analytics alone run no plan", func(t *testing.T) {
		rec.plans = nil
		query(t, c, `{ paths(from: "beijing", to: "nanning", k: 1) { length } }`)
		if len(rec.plans) != 0 {
			t.Errorf("plans run = %d, want none: nothing below the analytic reads a node", len(rec.plans))
		}
	})
}

// expiringPlanStore runs plans and passes the request's deadline as its
// Run returns, as a slow store would.
type expiringPlanStore struct {
	*expiringStore
	run domain.PlanRunner
}

func (s *expiringPlanStore) Run(ctx context.Context, p *domain.Plan) (*domain.Answers, error) {
	defer s.call()
	return s.run.Run(ctx, p)
}

func TestAPlanPastTheDeadlineIsATimeout(t *testing.T) {
	st := synthStore(t, 400)
	dl := newSteppedDeadline(context.Background())
	es := &expiringPlanStore{expiringStore: &expiringStore{Store: st, deadline: dl, expireAt: 1}, run: runnerOf(st)}
	r := serve(t, graph.NewHandler(es, quietLog(), graph.DefaultLimits, graph.DefaultExposure), dl, chainQuery)
	oneError(t, r, domain.ETIMEOUT)
	if got := es.calls.Load(); got != 1 {
		t.Errorf("store calls = %d; want 1 (the plan), none after the deadline", got)
	}
}
