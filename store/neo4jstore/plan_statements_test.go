package neo4jstore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/synth"
)

// statementCounter is a Bolt logger that keeps the text of every RUN
// message the driver sends: the statements, as the server receives them.
type statementCounter struct {
	mu    sync.Mutex
	sent  []string
	other int // every other client message, to show the logger sees traffic
}

func (c *statementCounter) LogClientMessage(_ string, msg string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if strings.HasPrefix(msg, "RUN ") && len(args) > 0 {
		c.sent = append(c.sent, fmt.Sprint(args[0]))
		return
	}
	c.other++
}

func (c *statementCounter) LogServerMessage(string, string, ...any) {}

// take returns the statements sent since the last take.
func (c *statementCounter) take() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.sent
	c.sent = nil
	return s
}

// countingDriver gives every session the store opens the counter as its
// Bolt logger, so every statement of every path (ExecuteQuery, sessions)
// is seen on its way to the wire.
type countingDriver struct {
	neo4j.DriverWithContext
	c *statementCounter
}

func (d countingDriver) NewSession(ctx context.Context, cfg neo4j.SessionConfig) neo4j.SessionWithContext {
	cfg.BoltLogger = d.c
	return d.DriverWithContext.NewSession(ctx, cfg)
}

// countStatements makes s count the statements it sends from now on.
func countStatements(s *Store) *statementCounter {
	c := &statementCounter{}
	s.driver = countingDriver{DriverWithContext: s.driver, c: c}
	return c
}

// reached counts what answers hold: nodes and relations.
func reached(a *domain.Answers) (nodes, relations int) {
	for _, m := range a.Edges {
		for _, p := range m {
			relations += len(p.Items)
		}
	}
	return len(a.Nodes), relations
}

// TestRunSendsOneStatement counts the statements a plan costs on the
// wire, for a small plan and for one that reaches over ten thousand
// items, three levels deep: one each, whatever the size.
func TestRunSendsOneStatement(t *testing.T) {
	s := loadPlanGraph(t)
	c := countStatements(s)
	ctx := context.Background()

	// The counter sees statements: a single read is one.
	if _, err := s.Nodes(ctx, []domain.NodeKey{{Kind: domain.KindCity, ID: "city-00001"}}); err != nil {
		t.Fatal(err)
	}
	if got := len(c.take()); got != 1 {
		t.Fatalf("Nodes sent %d statements by the counter's count, want 1: the counter does not see the wire", got)
	}

	partners := func(first int, ends *domain.Reach) domain.Follow {
		return domain.Follow{Query: domain.EdgeQuery{Kind: domain.EdgePartnerOf, Page: domain.Page{First: first}}, Ends: ends}
	}
	country := domain.Follow{Query: domain.EdgeQuery{Kind: domain.EdgeInCountry, Direction: domain.Out, Page: domain.Page{First: 1}},
		Ends: &domain.Reach{Sources: true}}
	cases := []struct {
		name     string
		plan     domain.Plan
		min, max int // reached items (nodes + relations)
	}{
		{"about ten items", domain.Plan{Roots: []domain.Root{{Keys: []domain.NodeKey{{Kind: domain.KindCity, ID: "city-00042"}},
			Reach: domain.Reach{Follow: []domain.Follow{partners(4, &domain.Reach{}), country}}}}}, 8, 14},
		{"over ten thousand items, three levels", domain.Plan{Roots: []domain.Root{
			// Pages of 100, not the maximum of 1,000: three levels of pages
			// of 1,000 outgrow a default Neo4j's transaction memory.
			{List: &domain.NodeQuery{Kind: domain.KindCity, Page: domain.Page{First: 100}},
				Reach: domain.Reach{Sources: true, Follow: []domain.Follow{partners(100, &domain.Reach{
					Follow: []domain.Follow{partners(100, &domain.Reach{Follow: []domain.Follow{country, partners(2, nil)}})}})}}},
			{Keys: []domain.NodeKey{{Kind: domain.KindCountry, ID: synth.Country(1)}}, Reach: domain.Reach{Follow: []domain.Follow{
				{Query: domain.EdgeQuery{Kind: domain.EdgeInCountry, Direction: domain.In}, All: true}}}},
		}}, 10_000, 1 << 30},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, err := s.Run(ctx, &tc.plan)
			if err != nil {
				t.Fatal(err)
			}
			sent := c.take()
			nodes, rels := reached(a)
			if n := nodes + rels; n < tc.min || n > tc.max {
				t.Fatalf("the plan reached %d nodes and %d relations, want %d to %d items in all", nodes, rels, tc.min, tc.max)
			}
			if len(sent) != 1 {
				t.Errorf("Run sent %d statements for %d nodes and %d relations, want 1", len(sent), nodes, rels)
			}
			t.Logf("%d nodes, %d relations, %d statement(s) of %d bytes", nodes, rels, len(sent), len(strings.Join(sent, "")))
		})
	}
}

// TestPlanStatementPlans checks that the plan statement finds its roots
// and other countries by index and reaches the rest by expansion from
// them: no label or relationship scan where a keyed root starts it.
func TestPlanStatementPlans(t *testing.T) {
	s := loadPlanGraph(t)
	keySeek := planOp{"NodeUniqueIndexSeek", ":Entity(key)"}
	countrySeek := planOp{"NodeUniqueIndexSeek", ":Country(id)"}
	sourceSeek := planOp{"NodeUniqueIndexSeek", ":Source(id)"}
	city := []domain.NodeKey{{Kind: domain.KindCity, ID: "city-00042"}, {Kind: domain.KindCity, ID: "city-00007"}}
	partners := domain.EdgeQuery{Kind: domain.EdgePartnerOf, Page: domain.Page{First: 10}}
	inAB := domain.EdgeQuery{Kind: domain.EdgePartnerOf, OtherCountry: synth.Country(1), AsOf: "2015", Order: domain.OrderBySince,
		Page: domain.Page{First: 5, After: domain.Cursor{Key: "2001", ID: "City:city-00100"}.Encode()}}
	country := domain.Follow{Query: domain.EdgeQuery{Kind: domain.EdgeInCountry, Direction: domain.Out}, Ends: &domain.Reach{}}
	cases := []struct {
		name    string
		plan    domain.Plan
		seeks   []planOp
		mayScan []string
	}{
		{"a city and its partners (two levels)", domain.Plan{Roots: []domain.Root{{Keys: city,
			Reach: domain.Reach{Sources: true, Follow: []domain.Follow{{Query: partners, EdgeSources: true, Ends: &domain.Reach{}}}}}}},
			[]planOp{keySeek, sourceSeek}, nil},
		{"country, cities, partners, their country (three levels)", domain.Plan{Roots: []domain.Root{{
			Keys: []domain.NodeKey{{Kind: domain.KindCountry, ID: synth.Country(1)}},
			Reach: domain.Reach{Follow: []domain.Follow{{Query: domain.EdgeQuery{Kind: domain.EdgeInCountry, Direction: domain.In, Page: domain.Page{First: 20}},
				Ends: &domain.Reach{Follow: []domain.Follow{{Query: partners, Ends: &domain.Reach{Follow: []domain.Follow{country}}}}}}}}}}},
			[]planOp{keySeek}, nil},
		{"partners in a country after a cursor, and every relation of a kind", domain.Plan{Roots: []domain.Root{{Keys: city,
			Reach: domain.Reach{Follow: []domain.Follow{{Query: inAB, Ends: &domain.Reach{}}, {From: domain.KindCity, Query: domain.EdgeQuery{Kind: domain.EdgeAttended}, All: true}}}}}},
			[]planOp{keySeek, countrySeek}, nil},
		{"the cities of a country with their partner counts", domain.Plan{Roots: []domain.Root{{
			List:  &domain.NodeQuery{Kind: domain.KindCity, Filter: domain.NodeFilter{Country: synth.Country(1)}},
			Reach: domain.Reach{Follow: []domain.Follow{{Query: partners}}}}}},
			[]planOp{countrySeek}, nil},
		// Pages back are read in the reverse order and cut there too; the
		// tests of rows beyond a cursor start from the same anchors.
		{"pages back before a cursor, without a total", domain.Plan{Roots: []domain.Root{{Keys: city,
			Reach: domain.Reach{Follow: []domain.Follow{{Query: domain.EdgeQuery{Kind: domain.EdgePartnerOf, Order: domain.OrderBySince,
				Page: domain.Page{Last: 5, Before: domain.Cursor{Key: "2001", ID: "City:city-00100"}.Encode(), NoTotal: true}}, Ends: &domain.Reach{}}}}}}},
			[]planOp{keySeek}, nil},
		{"the last cities of a country between two cursors", domain.Plan{Roots: []domain.Root{{
			List: &domain.NodeQuery{Kind: domain.KindCity, Filter: domain.NodeFilter{Country: synth.Country(1)}, Page: domain.Page{Last: 3,
				After: domain.Cursor{Key: "A", ID: "a"}.Encode(), Before: domain.Cursor{Key: "T", ID: "t"}.Encode()}},
			Reach: domain.Reach{Follow: []domain.Follow{{Query: partners}}}}}},
			[]planOp{countrySeek}, nil},
		// orderBy and aggregates (issue 12) keep the plan's shape: roots
		// by index, the rest by expansion, every page cut where it is read.
		{"partners by population then date after a cursor, with their aggregates", domain.Plan{Roots: []domain.Root{{Keys: city,
			Reach: domain.Reach{Follow: []domain.Follow{{Query: domain.EdgeQuery{Kind: domain.EdgePartnerOf,
				OrderBy:   []domain.OrderKey{{Field: domain.FieldRef{Name: "population"}, Desc: true}, {Field: domain.FieldRef{Name: "since", Edge: true}}},
				Aggregate: domain.Aggregation{Count: true, Fields: []domain.FieldRef{{Name: "population"}, {Name: "populationYear"}}},
				Page:      domain.Page{First: 5, After: domain.Cursor{Key: domain.EncodeSortValues([]any{int64(1_000_000), "2001"}), ID: "City:city-00100"}.Encode()}},
				Ends: &domain.Reach{}}}}}}},
			[]planOp{keySeek}, nil},
		{"the cities of a country by population, with their aggregate", domain.Plan{Roots: []domain.Root{{
			List: &domain.NodeQuery{Kind: domain.KindCity, Filter: domain.NodeFilter{Country: synth.Country(1)},
				OrderBy:   []domain.OrderKey{{Field: domain.FieldRef{Name: "population"}, Desc: true}},
				Aggregate: domain.Aggregation{Count: true, Fields: []domain.FieldRef{{Name: "population"}}}, Page: domain.Page{First: 10}}}}},
			[]planOp{countrySeek}, nil},
		{"a funding body's financings by amount, aggregated per currency", domain.Plan{Roots: []domain.Root{{
			Keys: []domain.NodeKey{{Kind: domain.KindFundingBody, ID: synth.FundingBodies[0]}},
			Reach: domain.Reach{Follow: []domain.Follow{{Query: domain.EdgeQuery{Kind: domain.EdgeFinanced, Direction: domain.Out,
				OrderBy:   []domain.OrderKey{{Field: domain.FieldRef{Name: "amount", Edge: true}, Desc: true}},
				Aggregate: domain.Aggregation{Count: true, Fields: []domain.FieldRef{{Name: "amount", Edge: true}}}, Page: domain.Page{First: 10}}}}}}}},
			[]planOp{keySeek}, nil},
		// A list without a filter reads its kind's nodes in name order
		// (the name index may serve the order); what it reaches is
		// expansion from them.
		{"a page of cities with their partners", domain.Plan{Roots: []domain.Root{{
			List:  &domain.NodeQuery{Kind: domain.KindCity, Page: domain.Page{First: 20}},
			Reach: domain.Reach{Follow: []domain.Follow{{Query: partners, Ends: &domain.Reach{Follow: []domain.Follow{country}}}}}}}},
			nil, []string{"City"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.plan.Normalize(); err != nil {
				t.Fatal(err)
			}
			cypher, params, err := planStatement(&tc.plan)
			if err != nil {
				t.Fatal(err)
			}
			ops := explain(t, s, cypher, params)
			checkPlanOps(t, ops, tc.mayScan, tc.seeks)
			// Every page is cut where it is read (Top or Limit on its
			// own limit), before its rows are collected or followed.
			pages := 0
			for name := range params {
				if !strings.HasSuffix(name, "_limit") {
					continue
				}
				pages++
				if !slices.ContainsFunc(ops, func(o planOp) bool {
					return (o.op == "Top" || o.op == "Limit" || o.op == "PartialTop") && strings.Contains(o.details, "$"+name)
				}) {
					t.Errorf("no Top or Limit cuts the page at $%s\nplan: %v", name, ops)
				}
			}
			if pages == 0 {
				t.Error("the statement has no page limit to check; every case reads pages")
			}
			if testing.Verbose() {
				t.Logf("plan: %v", ops)
			}
		})
	}
}
