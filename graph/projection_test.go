package graph_test

import (
	"bytes"
	"context"
	"reflect"
	"slices"
	"testing"

	"github.com/99designs/gqlgen/client"
	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/graph"
	"github.com/citygraph/citygraph/graph/examples"
	"github.com/citygraph/citygraph/seed"
	"github.com/citygraph/citygraph/store/embedded"
	"github.com/citygraph/citygraph/synth"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// strictProjection runs plans on a store and then zeroes every field the
// plan's projection does not list, the least a store may answer (see
// domain.Projection): a field the planner forgets to list comes back
// empty, and the answer differs from one read field by field.
type strictProjection struct {
	*countingStore
	run domain.PlanRunner
}

func (s *strictProjection) Run(ctx context.Context, p *domain.Plan) (*domain.Answers, error) {
	s.calls.Add(1)
	a, err := s.run.Run(ctx, p)
	if err != nil || p.Fields == nil {
		return a, err
	}
	out := domain.NewAnswers()
	node := func(n domain.Node) domain.Node {
		if n == nil {
			return nil
		}
		if fields, ok := p.Fields.NodeFieldsOf(n.Key().Kind); ok {
			return domain.ProjectNode(n, fields)
		}
		return n
	}
	for k, n := range a.Nodes {
		out.Nodes[k] = node(n)
	}
	for sig, l := range a.Lists {
		items := l.Items
		l.Items = nil
		for _, n := range items {
			l.Items = append(l.Items, node(n))
		}
		out.Lists[sig] = l
	}
	for sig, m := range a.Edges {
		for anchor, page := range m {
			items := page.Items
			page.Items = nil
			for _, e := range items {
				if fields, ok := p.Fields.EdgeFieldsOf(e.Kind); ok {
					e = domain.ProjectEdge(e, fields)
				}
				page.Items = append(page.Items, e)
			}
			out.SetPage(sig, anchor, page)
		}
	}
	return out, nil
}

func TestProjectedAnswersAreTheSame(t *testing.T) {
	st, err := embedded.Open("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ctx := context.Background()
	if _, err := seed.LoadProject(ctx, st); err != nil {
		t.Fatalf("loading the project seed: %v", err)
	}
	b := synth.Generate(7, 400)
	if _, err := st.Apply(ctx, b, domain.ApplyOptions{}); err != nil {
		t.Fatalf("loading synthetic cities: %v", err)
	}
	strict := &strictProjection{countingStore: &countingStore{st: st}, run: runnerOf(st)}
	projected := client.New(graph.NewHandler(strict, quietLog(), graph.DefaultLimits, graph.DefaultExposure))
	plain := client.New(graph.NewHandler(&countingStore{st: st}, quietLog(), graph.DefaultLimits, graph.DefaultExposure))
	city, forum, body := firstOf(t, b, domain.KindCity), firstOf(t, b, domain.KindForum), firstOf(t, b, domain.KindFundingBody)
	vars := map[string]any{"city": city, "country": firstOf(t, b, domain.KindCountry), "forum": forum, "body": body,
		"id": "City:" + city, "ids": []string{"City:" + city, "Forum:" + forum, "FundingBody:" + body, "City:no-such-city"},
		"n": 100, "yes": true,
		"before": domain.Cursor{Key: "M", ID: "m"}.Encode(), "after": domain.Cursor{Key: "C", ID: "c"}.Encode()}
	queries := map[string]string{
		"every field of a city and its partnerships": `query($city: String!) { city(slug: $city) { id slug name nameZh aliases description
			division region regionZh location { lat lon } population populationYear isCapital sources { name url }
			partners(first: 5) { totalCount edges { kind status since note through { id name } sources { name } node { name population } } } } }`,
		"interfaces and unions": `query($ids: [ID!]!) { nodes(ids: $ids) { id name ... on Forum { theme attendees { edges { delegationSize level
			node { ... on City { region } ... on Organization { kind } } } } } ... on FundingBody { acronym capital { amount currency } } } }`,
		"a connection's total alone": `query($city: String!) { city(slug: $city) { partners { totalCount } organizations { totalCount } } }`,
	}
	for _, s := range plannedShapes {
		queries[s.name] = s.query
	}
	for _, ex := range examples.All() {
		queries["example "+ex.Name] = ex.Query
	}
	names := make([]string, 0, len(queries))
	for name := range queries {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			got, want := rawAnswer(t, projected, queries[name], vars), rawAnswer(t, plain, queries[name], vars)
			if !bytes.Equal(got, want) {
				t.Errorf("answer from projected plans differs from the answer read field by field:\n got %s\nwant %s", truncate(string(got)), truncate(string(want)))
			}
		})
	}
}

// TestProjectionIsRememberedPerOperation: the handler's query cache gives
// every request with one text the same parsed operation, and its
// projection is walked once: the same value each time, equal to a fresh
// walk, and distinct operations keep their own.
func TestProjectionIsRememberedPerOperation(t *testing.T) {
	s := graph.NewExecutableSchema(graph.Config{}).Schema()
	parse := func(q string) *ast.OperationDefinition {
		t.Helper()
		doc, err := gqlparser.LoadQuery(s, q)
		if err != nil {
			t.Fatalf("parsing %q: %v", q, err)
		}
		return doc.Operations[0]
	}
	cities := parse(`{ city(slug: "nanning") { name population partners { edges { since node { nameZh } } } } }`)
	forum := parse(`{ forum(slug: "cam-2015") { name nameZh } }`)
	first, again := graph.OperationFields(s, cities), graph.OperationFields(s, cities)
	if first != again {
		t.Errorf("the second request with the same operation walked it again: got a new projection")
	}
	if fresh := graph.WalkOperationFields(s, cities); !reflect.DeepEqual(first, fresh) {
		t.Errorf("remembered projection %+v differs from a fresh walk %+v", first, fresh)
	}
	if got := graph.OperationFields(s, forum); got == first || !reflect.DeepEqual(got, graph.WalkOperationFields(s, forum)) {
		t.Errorf("a second operation got %+v; want its own projection", got)
	}
	if got := first.Nodes[domain.KindCity]; !slices.Contains(got, "population") || !slices.Contains(got, "nameZh") {
		t.Errorf("city fields %v; want population and nameZh", got)
	}
}
