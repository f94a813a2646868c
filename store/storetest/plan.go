package storetest

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/synth"
)

// The Plan group checks domain.PlanRunner.Run on every plan shape, on the
// fixture, the project seed and a synthetic graph, twice over: against a
// brute-force walk of the batch (planOracle) and against the store's own
// single reads (Nodes, ListNodes, Edges), whose answers Run must equal.
//
// Conventions the group pins down beyond domain/plan.go:
//   - A node is reached when it exists: a looked-up key that names no node
//     has a nil entry in Answers.Nodes and no relations.
//   - The far ends of a Follow are read (in Answers.Nodes) only when its
//     Ends is set; Sources and EdgeSources add the cited Source nodes.
//   - A Follow with From set answers only the reached nodes of that kind;
//     without it, every reached node, an empty page where it has none.

// planSynthCities is the size of the synthetic graph the group loads.
const planSynthCities = 2_000

// planRunner returns s as a PlanRunner: every store answers plans, so
// that a GraphQL request costs one store call.
func planRunner(t *testing.T, s domain.Store) domain.PlanRunner {
	t.Helper()
	r, ok := s.(domain.PlanRunner)
	if !ok {
		t.Fatalf("%T does not implement domain.PlanRunner; every store must answer plans", s)
	}
	return r
}

// planGraph is a loaded store, its runner and the oracle for its batch.
type planGraph struct {
	s   domain.Store
	run domain.PlanRunner
	o   *planOracle
}

// openPlanGraph opens a store, skips unless it runs plans, and loads b.
func openPlanGraph(t *testing.T, open func(*testing.T) domain.Store, b *domain.Batch) *planGraph {
	t.Helper()
	s := open(t)
	r := planRunner(t, s)
	mustApply(t, s, b)
	return &planGraph{s: s, run: r, o: newPlanOracle(b)}
}

var planTests = []test{
	{"every plan shape on the fixture", func(t *testing.T, open func(*testing.T) domain.Store) {
		g := openPlanGraph(t, open, Forum2015(t))
		for _, c := range planShapes(g.o) {
			t.Run(c.name, func(t *testing.T) { g.check(t, c.plan) })
		}
	}},
	{"every plan shape on the project seed", func(t *testing.T, open func(*testing.T) domain.Store) {
		g := openPlanGraph(t, open, ProjectSeed(t))
		for _, c := range planShapes(g.o) {
			t.Run(c.name, func(t *testing.T) { g.check(t, c.plan) })
		}
	}},
	{"every plan shape on a synthetic graph", func(t *testing.T, open func(*testing.T) domain.Store) {
		g := openPlanGraph(t, open, synth.Generate(5, planSynthCities))
		for _, c := range planShapes(g.o) {
			t.Run(c.name, func(t *testing.T) { g.check(t, c.plan) })
		}
		t.Run("a plan with thousands of anchors", func(t *testing.T) {
			cities := g.o.keysOf(domain.KindCity)
			p := domain.Plan{Roots: []domain.Root{{Keys: cities, Reach: domain.Reach{Follow: []domain.Follow{
				{Query: domain.EdgeQuery{Kind: domain.EdgePartnerOf, Page: domain.Page{First: 3}}},
			}}}}}
			got := g.check(t, p)
			if n := anchorCount(got); n < 1_000 {
				t.Errorf("the plan answered %d anchors, want at least 1,000 for the check to mean anything", n)
			}
		})
		t.Run("three levels from a list reach a thousand anchors", func(t *testing.T) {
			// 100 cities are enough: their partners and theirs make thousands of
			// anchors, and a page of 1,000 made the statement run close to the
			// server's query timeout on a loaded machine.
			p := domain.Plan{Roots: []domain.Root{{List: &domain.NodeQuery{Kind: domain.KindCity, Page: domain.Page{First: 100}},
				Reach: domain.Reach{Follow: []domain.Follow{{Query: domain.EdgeQuery{Kind: domain.EdgePartnerOf, Page: domain.Page{First: 20}},
					Ends: &domain.Reach{Follow: []domain.Follow{{Query: domain.EdgeQuery{Kind: domain.EdgePartnerOf, Order: domain.OrderBySince, Page: domain.Page{First: 5}},
						Ends: &domain.Reach{Sources: true, Follow: []domain.Follow{{Query: domain.EdgeQuery{Kind: domain.EdgeInCountry}, Ends: &domain.Reach{}}}}}}}}}}}}}
			got := g.check(t, p)
			if n := anchorCount(got); n < 1_000 {
				t.Errorf("the plan answered %d anchors, want at least 1,000", n)
			}
		})
	}},
	{"cursors from Run page through every relation and node", func(t *testing.T, open func(*testing.T) domain.Store) {
		g := openPlanGraph(t, open, synth.Generate(5, planSynthCities))
		city := g.o.busiest(domain.KindCity, domain.EdgePartnerOf, 1)[0]
		forum := g.o.busiest(domain.KindForum, domain.EdgeAttended, 1)[0]
		for _, c := range []struct {
			anchor domain.NodeKey
			q      domain.EdgeQuery
		}{
			{city, domain.EdgeQuery{Kind: domain.EdgePartnerOf, Page: domain.Page{First: 2}}},
			{city, domain.EdgeQuery{Kind: domain.EdgePartnerOf, Order: domain.OrderBySince, Desc: true, Page: domain.Page{First: 3}}},
			{forum, domain.EdgeQuery{Kind: domain.EdgeAttended, Direction: domain.In, Order: domain.OrderBySince, Page: domain.Page{First: 4}}},
			{forum, domain.EdgeQuery{Kind: domain.EdgeAttended, Direction: domain.In, Desc: true, Page: domain.Page{First: 1}}},
		} {
			t.Run(fmt.Sprintf("%s %s %s desc=%v by %d", c.anchor, c.q.Kind, c.q.Order, c.q.Desc, c.q.Page.First), func(t *testing.T) {
				g.pageThroughEdges(t, c.anchor, c.q)
			})
		}
		for _, q := range []domain.NodeQuery{
			{Kind: domain.KindCity, Filter: domain.NodeFilter{Grouping: g.o.largestGrouping()}, Page: domain.Page{First: 100}},
			{Kind: domain.KindProject, Order: domain.OrderByID, Desc: true, Page: domain.Page{First: 7}},
		} {
			t.Run(fmt.Sprintf("list %s %+v by %d", q.Kind, q.Filter, q.Page.First), func(t *testing.T) {
				g.pageThroughList(t, q)
			})
		}
	}},
	{"random plans agree with the oracle and the single reads", func(t *testing.T, open func(*testing.T) domain.Store) {
		g := openPlanGraph(t, open, synth.Generate(9, planSynthCities))
		r := rand.New(rand.NewPCG(10, 10))
		const plans = 60
		read := 0 // plans that read at least one relation
		for i := range plans {
			p := g.o.randomPlan(r)
			t.Run(fmt.Sprint("plan ", i), func(t *testing.T) {
				for _, m := range g.check(t, p).Edges {
					for _, page := range m {
						if len(page.Items) > 0 {
							read++
							return
						}
					}
				}
			})
		}
		if read < plans/2 {
			t.Errorf("only %d of %d random plans read a relation; the draw tests too little", read, plans)
		}
	}},
	{"an empty plan has empty answers", func(t *testing.T, open func(*testing.T) domain.Store) {
		g := openPlanGraph(t, open, Forum2015(t))
		a, err := g.run.Run(context.Background(), &domain.Plan{})
		if err != nil {
			t.Fatal(err)
		}
		if a == nil || len(a.Nodes)+len(a.Lists)+len(a.Edges) != 0 {
			t.Errorf("got %+v, want empty answers", a)
		}
	}},
	{"rejects bad plans", func(t *testing.T, open func(*testing.T) domain.Store) {
		g := openPlanGraph(t, open, Forum2015(t))
		nanning := []domain.NodeKey{cityKey("nanning")}
		follow := func(q domain.EdgeQuery) domain.Reach { return domain.Reach{Follow: []domain.Follow{{Query: q}}} }
		for name, p := range map[string]domain.Plan{
			"a root with neither keys nor a list":      {Roots: []domain.Root{{}}},
			"a root with both keys and a list":         {Roots: []domain.Root{{Keys: nanning, List: &domain.NodeQuery{Kind: domain.KindCity}}}},
			"a list of an unknown kind":                {Roots: []domain.Root{{List: &domain.NodeQuery{Kind: "Planet"}}}},
			"a list page over the maximum":             {Roots: []domain.Root{{List: &domain.NodeQuery{Kind: domain.KindCity, Page: domain.Page{First: domain.MaxPageSize + 1}}}}},
			"a list cursor it never gave":              {Roots: []domain.Root{{List: &domain.NodeQuery{Kind: domain.KindCity, Page: domain.Page{After: "not-a-cursor"}}}}},
			"a list with first and last":               {Roots: []domain.Root{{List: &domain.NodeQuery{Kind: domain.KindCity, Page: domain.Page{First: 1, Last: 1}}}}},
			"a list before a cursor it never gave":     {Roots: []domain.Root{{List: &domain.NodeQuery{Kind: domain.KindCity, Page: domain.Page{Last: 1, Before: "not-a-cursor"}}}}},
			"a relation page past the maximum back":    {Roots: []domain.Root{{Keys: nanning, Reach: follow(domain.EdgeQuery{Kind: domain.EdgePartnerOf, Page: domain.Page{Last: domain.MaxPageSize + 1}})}}},
			"a relation page with first and last":      {Roots: []domain.Root{{Keys: nanning, Reach: follow(domain.EdgeQuery{Kind: domain.EdgePartnerOf, Page: domain.Page{First: 3, Last: 3}})}}},
			"a relation before a cursor it never gave": {Roots: []domain.Root{{Keys: nanning, Reach: follow(domain.EdgeQuery{Kind: domain.EdgePartnerOf, Page: domain.Page{Before: "bm9wZQ"}})}}},
			"an unknown relation":                      {Roots: []domain.Root{{Keys: nanning, Reach: follow(domain.EdgeQuery{Kind: "LIKES"})}}},
			"an unknown direction":                     {Roots: []domain.Root{{Keys: nanning, Reach: follow(domain.EdgeQuery{Kind: domain.EdgeHeldIn, Direction: "sideways"})}}},
			"a relation cursor it never gave":          {Roots: []domain.Root{{Keys: nanning, Reach: follow(domain.EdgeQuery{Kind: domain.EdgePartnerOf, Page: domain.Page{After: "bm9wZQ"}})}}},
			"a bad date":                               {Roots: []domain.Root{{Keys: nanning, Reach: follow(domain.EdgeQuery{Kind: domain.EdgePartnerOf, AsOf: "yesterday"})}}},
			"a bad query three levels down": {Roots: []domain.Root{{Keys: nanning, Reach: domain.Reach{Follow: []domain.Follow{{
				Query: domain.EdgeQuery{Kind: domain.EdgePartnerOf}, Ends: &domain.Reach{Follow: []domain.Follow{{
					Query: domain.EdgeQuery{Kind: domain.EdgePartnerOf}, Ends: &domain.Reach{Follow: []domain.Follow{{
						Query: domain.EdgeQuery{Kind: domain.EdgeInCountry, Order: "population"}}}}}}}}}}}}},
		} {
			t.Run(name, func(t *testing.T) {
				_, err := g.run.Run(context.Background(), &p)
				wantCode(t, err, domain.EINVALID)
			})
		}
	}},
	{"a passed deadline is ETIMEOUT", func(t *testing.T, open func(*testing.T) domain.Store) {
		g := openPlanGraph(t, open, Forum2015(t))
		ctx, cancel := context.WithDeadline(context.Background(), time.Unix(1, 0))
		defer cancel()
		p := domain.Plan{Roots: []domain.Root{{Keys: []domain.NodeKey{cityKey("nanning")}, Reach: domain.Reach{Follow: []domain.Follow{
			{Query: domain.EdgeQuery{Kind: domain.EdgePartnerOf}}}}}}}
		_, err := g.run.Run(ctx, &p)
		wantCode(t, err, domain.ETIMEOUT)
	}},
}

// planCase is one plan shape.
type planCase struct {
	name string
	plan domain.Plan
}

// planShapes builds every plan shape from what the graph holds: anchors
// are the nodes with the most relations of the kind followed, so that the
// same shapes test something on every graph.
func planShapes(o *planOracle) []planCase {
	var cases []planCase
	add := func(name string, roots ...domain.Root) {
		cases = append(cases, planCase{name, domain.Plan{Roots: roots}})
	}
	keys := func(ks ...domain.NodeKey) domain.Root { return domain.Root{Keys: ks} }
	follow := func(r domain.Root, fs ...domain.Follow) domain.Root {
		r.Reach.Follow = append(r.Reach.Follow, fs...)
		return r
	}
	q := func(k domain.EdgeKind, d domain.Direction) domain.EdgeQuery {
		return domain.EdgeQuery{Kind: k, Direction: d}
	}
	ends := &domain.Reach{}

	cities := o.busiest(domain.KindCity, domain.EdgePartnerOf, 3)
	forums := o.busiest(domain.KindForum, domain.EdgeAttended, 2)
	bodies := o.busiest(domain.KindFundingBody, domain.EdgeFinanced, 2)
	countries := o.busiest(domain.KindCountry, domain.EdgeInCountry, 2)
	projects := o.busiest(domain.KindProject, domain.EdgeLocatedIn, 2)
	orgs := o.busiest(domain.KindOrganization, domain.EdgeOrganised, 2)
	mixed := []domain.NodeKey{cities[0], forums[0], bodies[0], countries[0], projects[0]}
	missing := []domain.NodeKey{cityKey("no-such-city"), {Kind: domain.KindForum, ID: "no-such-forum"}}
	country := countries[0].ID
	grouping := o.largestGrouping()

	// Roots by key.
	add("existing and missing keys of several kinds", keys(append(slices.Clone(mixed), missing...)...))
	add("a key asked twice", keys(cities[0], cities[0], missing[0], missing[0]))
	add("the sources of nodes found by key", domain.Root{Keys: append(slices.Clone(mixed), missing...), Reach: domain.Reach{Sources: true}})
	add("relations of a missing key", follow(keys(missing...), domain.Follow{Query: q(domain.EdgePartnerOf, ""), Ends: ends}))

	// Root lists.
	list := func(nq domain.NodeQuery) domain.Root { return domain.Root{List: &nq} }
	lists := map[string]domain.NodeQuery{
		"cities by name":                   {Kind: domain.KindCity},
		"cities by slug, descending":       {Kind: domain.KindCity, Order: domain.OrderByID, Desc: true},
		"cities by name, descending":       {Kind: domain.KindCity, Desc: true, Page: domain.Page{First: 7}},
		"cities in a country":              {Kind: domain.KindCity, Filter: domain.NodeFilter{Country: country}},
		"cities in a grouping":             {Kind: domain.KindCity, Filter: domain.NodeFilter{Grouping: grouping}, Page: domain.Page{First: 50}},
		"countries in a grouping":          {Kind: domain.KindCountry, Filter: domain.NodeFilter{Grouping: grouping}},
		"organisations of a kind":          {Kind: domain.KindOrganization, Filter: domain.NodeFilter{OrgKind: o.someOrgKind()}},
		"organisations in a country":       {Kind: domain.KindOrganization, Filter: domain.NodeFilter{Country: country}},
		"funding bodies in a country":      {Kind: domain.KindFundingBody, Filter: domain.NodeFilter{Country: country}},
		"projects of a sector":             {Kind: domain.KindProject, Filter: domain.NodeFilter{Sector: o.someSector()}, Order: domain.OrderByID},
		"projects in a country":            {Kind: domain.KindProject, Filter: domain.NodeFilter{Country: country}},
		"projects in a grouping":           {Kind: domain.KindProject, Filter: domain.NodeFilter{Grouping: grouping, Country: country}},
		"a sector no city has":             {Kind: domain.KindCity, Filter: domain.NodeFilter{Sector: domain.Sectors[0]}},
		"three cities":                     {Kind: domain.KindCity, Page: domain.Page{First: 3}},
		"three cities after the first 3":   {Kind: domain.KindCity, Page: domain.Page{First: 3, After: o.listCursor(domain.NodeQuery{Kind: domain.KindCity}, 2)}},
		"sources":                          {Kind: domain.KindSource, Order: domain.OrderByID},
		"cities after the last":            {Kind: domain.KindCity, Page: domain.Page{After: domain.Cursor{Key: "\U0010FFFF", ID: "z"}.Encode()}},
		"countries descending after some":  {Kind: domain.KindCountry, Desc: true, Page: domain.Page{First: 2, After: o.listCursor(domain.NodeQuery{Kind: domain.KindCountry, Desc: true}, 1)}},
		"the last three cities":            {Kind: domain.KindCity, Page: domain.Page{Last: 3}},
		"two cities before the fifth":      {Kind: domain.KindCity, Page: domain.Page{Last: 2, Before: o.listCursor(domain.NodeQuery{Kind: domain.KindCity}, 4)}},
		"cities before the first":          {Kind: domain.KindCity, Page: domain.Page{Last: 5, Before: domain.Cursor{Key: "", ID: "-"}.Encode()}},
		"cities by slug, last, descending": {Kind: domain.KindCity, Order: domain.OrderByID, Desc: true, Page: domain.Page{Last: 4}},
		"first cities before the fifth":    {Kind: domain.KindCity, Page: domain.Page{First: 2, Before: o.listCursor(domain.NodeQuery{Kind: domain.KindCity}, 4)}},
		"cities between two cursors":       {Kind: domain.KindCity, Page: domain.Page{First: 10, After: o.listCursor(domain.NodeQuery{Kind: domain.KindCity}, 1), Before: o.listCursor(domain.NodeQuery{Kind: domain.KindCity}, 5)}},
		"cities between crossed cursors":   {Kind: domain.KindCity, Page: domain.Page{Last: 10, After: o.listCursor(domain.NodeQuery{Kind: domain.KindCity}, 5), Before: o.listCursor(domain.NodeQuery{Kind: domain.KindCity}, 1)}},
		"cities without a total":           {Kind: domain.KindCity, Page: domain.Page{First: 3, NoTotal: true}},
		"cities back without a total":      {Kind: domain.KindCity, Page: domain.Page{Last: 3, NoTotal: true}},
		"a thousand cities":                {Kind: domain.KindCity, Page: domain.Page{First: domain.MaxPageSize}},
		"the last thousand cities":         {Kind: domain.KindCity, Desc: true, Page: domain.Page{Last: domain.MaxPageSize}},
	}
	for _, name := range sortedKeys(lists) {
		add("list: "+name, list(lists[name]))
	}
	add("several lists and a key in one plan", list(lists["cities by name"]), list(lists["three cities"]), list(lists["cities by name"]),
		follow(list(lists["projects in a country"]), domain.Follow{Query: q(domain.EdgeFinanced, domain.In), Ends: &domain.Reach{Sources: true}}), keys(cities[0]))

	// Every relation kind in every direction, from nodes of each kind it links.
	for _, ek := range domain.EdgeKinds {
		rule := domain.EdgeRules[ek]
		var anchors []domain.NodeKey
		for _, k := range append(slices.Clone(rule.From), rule.To...) {
			for _, a := range o.busiest(k, ek, 2) {
				if !slices.Contains(anchors, a) {
					anchors = append(anchors, a)
				}
			}
		}
		for _, d := range []domain.Direction{domain.Out, domain.In, domain.Both} {
			add(fmt.Sprintf("%s %s", ek, d), follow(keys(anchors...),
				domain.Follow{Query: domain.EdgeQuery{Kind: ek, Direction: d, Page: domain.Page{First: 5}}, Ends: ends}))
		}
	}

	// Filters.
	filters := []struct {
		name    string
		anchors []domain.NodeKey
		q       domain.EdgeQuery
	}{
		{"forums only, of what is held in a city", o.busiest(domain.KindCity, domain.EdgeHeldIn, 2),
			domain.EdgeQuery{Kind: domain.EdgeHeldIn, Direction: domain.In, OtherKinds: []domain.Kind{domain.KindForum}}},
		{"countries only, of where projects are", projects, domain.EdgeQuery{Kind: domain.EdgeLocatedIn, Direction: domain.Out, OtherKinds: []domain.Kind{domain.KindCountry}}},
		{"cities and organisations that attended", forums, domain.EdgeQuery{Kind: domain.EdgeAttended, Direction: domain.In, OtherKinds: []domain.Kind{domain.KindOrganization, domain.KindCity}}},
		{"partners in a country", cities, domain.EdgeQuery{Kind: domain.EdgePartnerOf, OtherCountry: o.countryOf(cities[0])}},
		{"organisers seated in a country", forums, domain.EdgeQuery{Kind: domain.EdgeOrganised, Direction: domain.In, OtherCountry: country}},
		{"financings of projects in a country", bodies, domain.EdgeQuery{Kind: domain.EdgeFinanced, Direction: domain.Out, OtherCountry: country}},
		{"funding bodies of a country", countries, domain.EdgeQuery{Kind: domain.EdgeMemberOf, OtherCountry: country}},
		{"hosts", forums, domain.EdgeQuery{Kind: domain.EdgeOrganised, Direction: domain.In, Role: domain.RoleHost}},
		{"organisers", forums, domain.EdgeQuery{Kind: domain.EdgeOrganised, Direction: domain.In, Role: domain.RoleOrganiser}},
		{"forums an organisation hosted", orgs, domain.EdgeQuery{Kind: domain.EdgeOrganised, Direction: domain.Out, Role: domain.RoleHost}},
		{"partners as of 2010", cities, domain.EdgeQuery{Kind: domain.EdgePartnerOf, AsOf: "2010"}},
		{"partners as of 2006-05", cities, domain.EdgeQuery{Kind: domain.EdgePartnerOf, AsOf: "2006-05", Order: domain.OrderBySince}},
		{"attendance as of 2012", forums, domain.EdgeQuery{Kind: domain.EdgeAttended, Direction: domain.In, AsOf: "2012"}},
		{"every filter at once", cities, domain.EdgeQuery{Kind: domain.EdgePartnerOf, OtherKinds: []domain.Kind{domain.KindCity},
			OtherCountry: o.countryOf(cities[0]), PartnershipKind: domain.PartnershipSisterCity, AsOf: "2020"}},
	}
	for _, pk := range domain.PartnershipKinds {
		filters = append(filters, struct {
			name    string
			anchors []domain.NodeKey
			q       domain.EdgeQuery
		}{"partnerships of kind " + string(pk), cities, domain.EdgeQuery{Kind: domain.EdgePartnerOf, PartnershipKind: pk}})
	}
	for _, f := range filters {
		add("filter: "+f.name, follow(keys(f.anchors...), domain.Follow{Query: f.q, Ends: ends}))
	}

	// Orders, ascending and descending.
	ordered := []struct {
		anchors []domain.NodeKey
		q       domain.EdgeQuery
	}{
		{cities, q(domain.EdgePartnerOf, "")},
		{forums, q(domain.EdgeDiscussed, domain.Out)},
		{forums, q(domain.EdgeCalledOn, domain.Out)},
		{forums, q(domain.EdgeAttended, domain.In)},
		{bodies, q(domain.EdgeFinanced, domain.Out)},
	}
	for _, c := range ordered {
		for _, ord := range []domain.EdgeOrder{domain.OrderByOtherName, domain.OrderBySince, domain.OrderByPosition} {
			for _, desc := range []bool{false, true} {
				eq := c.q
				eq.Order, eq.Desc, eq.Page.First = ord, desc, 6
				add(fmt.Sprintf("order: %s by %s desc=%v", eq.Kind, ord, desc), follow(keys(c.anchors...), domain.Follow{Query: eq}))
			}
		}
	}

	// Pages.
	for _, first := range []int{1, 2, domain.MaxPageSize} {
		add(fmt.Sprint("page: first ", first), follow(keys(cities...), domain.Follow{Query: domain.EdgeQuery{Kind: domain.EdgePartnerOf, Page: domain.Page{First: first}}}))
	}
	pq := domain.EdgeQuery{Kind: domain.EdgePartnerOf, Order: domain.OrderBySince, Page: domain.Page{First: 2}}
	pq.Page.After = o.edgeCursor(pq, cities[0], 1)
	add("page: after a cursor", follow(keys(cities...), domain.Follow{Query: pq, Ends: ends}))
	pq.Desc = true
	pq.Page.After = o.edgeCursor(pq, cities[0], 0)
	add("page: after a cursor, descending", follow(keys(cities...), domain.Follow{Query: pq}))
	bq := domain.EdgeQuery{Kind: domain.EdgePartnerOf, Order: domain.OrderBySince, Page: domain.Page{Last: 2}}
	add("page: last 2", follow(keys(cities...), domain.Follow{Query: bq, Ends: ends}))
	bq.Page.Before = o.edgeCursor(bq, cities[0], 3)
	add("page: last 2 before a cursor", follow(keys(cities...), domain.Follow{Query: bq, Ends: ends}))
	bq.Desc = true
	bq.Page.Before = o.edgeCursor(bq, cities[0], 2)
	add("page: last 2 before a cursor, descending", follow(keys(cities...), domain.Follow{Query: bq}))
	bq.Page = domain.Page{First: 1, Before: o.edgeCursor(bq, cities[0], 2)}
	add("page: first 1 before a cursor", follow(keys(cities...), domain.Follow{Query: bq}))
	bq.Page = domain.Page{Last: 5, After: o.edgeCursor(bq, cities[0], 0), Before: o.edgeCursor(bq, cities[0], 3)}
	add("page: last 5 between two cursors", follow(keys(cities...), domain.Follow{Query: bq}))
	bq.Page = domain.Page{Last: domain.MaxPageSize}
	add("page: last 1,000", follow(keys(cities...), domain.Follow{Query: bq}))
	for _, p := range []domain.Page{{First: 2, NoTotal: true}, {Last: 2, NoTotal: true}} {
		nq := domain.EdgeQuery{Kind: domain.EdgePartnerOf, Page: p}
		add(fmt.Sprintf("page: no total, first %d last %d", p.First, p.Last), follow(keys(cities...), domain.Follow{Query: nq, Ends: ends}),
			follow(keys(cities...), domain.Follow{Query: domain.EdgeQuery{Kind: domain.EdgePartnerOf, Page: domain.Page{First: 2}}}))
	}

	// All.
	add("all: attendance of forums", follow(keys(forums...), domain.Follow{Query: q(domain.EdgeAttended, domain.In), All: true, Ends: ends}))
	add("all: partners, newest first", follow(keys(cities...), domain.Follow{Query: domain.EdgeQuery{Kind: domain.EdgePartnerOf, Order: domain.OrderBySince, Desc: true}, All: true}))
	add("all: financings", follow(keys(bodies...), domain.Follow{Query: q(domain.EdgeFinanced, domain.Out), All: true, EdgeSources: true, Ends: ends}))
	add("all and a page of the same query", follow(keys(cities...),
		domain.Follow{Query: q(domain.EdgePartnerOf, ""), All: true}, domain.Follow{Query: q(domain.EdgePartnerOf, "")}))

	// From on mixed-kind roots.
	add("from: each kind its own relations", follow(keys(append(slices.Clone(mixed), missing...)...),
		domain.Follow{From: domain.KindCity, Query: q(domain.EdgePartnerOf, ""), Ends: ends},
		domain.Follow{From: domain.KindForum, Query: q(domain.EdgeOrganised, domain.In)},
		domain.Follow{From: domain.KindFundingBody, Query: q(domain.EdgeFinanced, domain.Out)},
		domain.Follow{From: domain.KindCountry, Query: domain.EdgeQuery{Kind: domain.EdgeInCountry, Direction: domain.In, Page: domain.Page{First: 3}}},
		domain.Follow{Query: q(domain.EdgeRefersTo, "")},
		domain.Follow{From: domain.KindTopic, Query: q(domain.EdgeDiscussed, domain.In)}))

	// Sources.
	add("sources of relations and of their ends", follow(keys(cities...),
		domain.Follow{Query: q(domain.EdgePartnerOf, ""), EdgeSources: true, Ends: &domain.Reach{Sources: true}}))
	add("sources of relations whose ends are not read", follow(keys(forums...),
		domain.Follow{Query: q(domain.EdgeOrganised, domain.In), EdgeSources: true}))

	// Ends three levels deep: country → cities → partners → their country.
	add("ends three levels deep", follow(keys(countries[0]),
		domain.Follow{Query: domain.EdgeQuery{Kind: domain.EdgeInCountry, Direction: domain.In, Page: domain.Page{First: 20}},
			Ends: &domain.Reach{Follow: []domain.Follow{{Query: domain.EdgeQuery{Kind: domain.EdgePartnerOf, Page: domain.Page{First: 10}},
				Ends: &domain.Reach{Follow: []domain.Follow{{Query: q(domain.EdgeInCountry, domain.Out), EdgeSources: true,
					Ends: &domain.Reach{Sources: true}}}}}}}}))
	add("a forum's organisers, attendees and the bodies it called on", follow(keys(forums...),
		domain.Follow{Query: q(domain.EdgeOrganised, domain.In), Ends: &domain.Reach{Follow: []domain.Follow{{Query: q(domain.EdgeSeatedIn, domain.Out), Ends: ends}}}},
		domain.Follow{Query: domain.EdgeQuery{Kind: domain.EdgeAttended, Direction: domain.In, Page: domain.Page{First: 10}}, Ends: ends},
		domain.Follow{Query: q(domain.EdgeCalledOn, domain.Out), All: true, Ends: &domain.Reach{Follow: []domain.Follow{
			{Query: domain.EdgeQuery{Kind: domain.EdgeFinanced, Direction: domain.Out, Page: domain.Page{First: 5}}, Ends: &domain.Reach{Follow: []domain.Follow{
				{Query: q(domain.EdgeLocatedIn, domain.Out), All: true, Ends: ends}}}}}}}))

	// The same anchor by two paths: a city is its partners' partner, and a
	// key is also in a list.
	partners := domain.Follow{Query: domain.EdgeQuery{Kind: domain.EdgePartnerOf, Page: domain.Page{First: 10}},
		Ends: &domain.Reach{Follow: []domain.Follow{{Query: domain.EdgeQuery{Kind: domain.EdgePartnerOf, Page: domain.Page{First: 10}}, Ends: &domain.Reach{}}}}}
	add("the same anchor by two paths", follow(keys(cities[0]), partners),
		follow(list(domain.NodeQuery{Kind: domain.KindCity, Page: domain.Page{First: domain.MaxPageSize}}), domain.Follow{Query: domain.EdgeQuery{Kind: domain.EdgePartnerOf, Page: domain.Page{First: 10}}}),
		follow(keys(cities...), partners))
	return cases
}

// check runs p on the store and compares the answers with the oracle's and
// with the store's single reads. It returns the store's answers.
func (g *planGraph) check(t *testing.T, p domain.Plan) *domain.Answers {
	t.Helper()
	want, asked, err := g.o.run(clonePlan(p))
	if err != nil {
		t.Fatalf("the oracle rejects the plan: %v", err)
	}
	got, err := g.run.Run(context.Background(), &p)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if got == nil {
		t.Fatal("Run returned no answers and no error")
	}
	d := &differ{t: t}
	d.answers("against the oracle", projectAnswers(got, p.Fields), projectAnswers(want, p.Fields))
	g.compareSingleReads(d, projectAnswers(got, p.Fields), asked, p.Fields)
	return got
}

// compareSingleReads checks every answer against the store's own single
// reads: Nodes, ListNodes and Edges (paged through for All).
func (g *planGraph) compareSingleReads(d *differ, got *domain.Answers, asked planQueries, proj *domain.Projection) {
	ctx := context.Background()
	t := d.t
	keys := sortedNodeKeys(got.Nodes)
	nodes := must[[]domain.Node](t)(g.s.Nodes(ctx, keys))
	for i, k := range keys {
		d.node("Nodes "+k.String()+" against Store.Nodes", got.Nodes[k], projectNode(nodes[i], proj))
	}
	for sig, q := range asked.lists {
		page := must[domain.NodePage](t)(g.s.ListNodes(ctx, q))
		d.nodePage("list "+sig+" against Store.ListNodes", got.Lists[sig], projectNodePage(page, proj))
	}
	for sig, eq := range asked.edges {
		anchors := sortedNodeKeys(got.Edges[sig])
		if len(anchors) == 0 {
			continue
		}
		q := eq.q
		if eq.all {
			q.Page = domain.Page{First: domain.MaxPageSize}
		}
		pages := must[[]domain.EdgePage](t)(g.s.Edges(ctx, q, anchors))
		for i, a := range anchors {
			want := pages[i]
			for eq.all && want.HasNextPage {
				q := q
				q.Page.After = want.Cursors[len(want.Cursors)-1]
				next := must[[]domain.EdgePage](t)(g.s.Edges(ctx, q, []domain.NodeKey{a}))[0]
				want.Items = append(want.Items, next.Items...)
				want.Cursors = append(want.Cursors, next.Cursors...)
				want.HasNextPage = next.HasNextPage
			}
			d.edgePage(fmt.Sprintf("%s at %s against Store.Edges", sig, a), got.Edges[sig][a], projectEdgePage(want, proj))
		}
	}
}

// pageThroughEdges walks every page of q at anchor with Run, each time
// after the cursor Run returned, and checks the pages against the oracle.
func (g *planGraph) pageThroughEdges(t *testing.T, anchor domain.NodeKey, q domain.EdgeQuery) {
	t.Helper()
	full := g.o.relations(q, anchor)
	var seen []string
	for i := 0; ; i++ {
		p := domain.Plan{Roots: []domain.Root{{Keys: []domain.NodeKey{anchor}, Reach: domain.Reach{Follow: []domain.Follow{{Query: q}}}}}}
		a := g.check(t, p)
		nq := q
		if err := nq.Normalize(); err != nil {
			t.Fatal(err)
		}
		page, ok := a.Page(nq, anchor)
		if !ok {
			t.Fatalf("page %d: no answer for %s", i, anchor)
		}
		for _, e := range page.Items {
			seen = append(seen, e.Key().String())
		}
		if page.TotalCount != len(full) {
			t.Errorf("page %d: got totalCount %d, want %d", i, page.TotalCount, len(full))
		}
		if !page.HasNextPage || i > len(full) {
			break
		}
		q.Page.After = page.Cursors[len(page.Cursors)-1]
	}
	var want []string
	for _, e := range full {
		want = append(want, e.item.Key().String())
	}
	eqStrings(t, "relations paged through", seen, want)
	if len(want) <= q.Page.First {
		t.Errorf("%d relations fit in one page of %d: the walk tests no cursor", len(want), q.Page.First)
	}
}

// pageThroughList walks every page of a node list with Run.
func (g *planGraph) pageThroughList(t *testing.T, q domain.NodeQuery) {
	t.Helper()
	full := g.o.list(q)
	var seen []string
	for i := 0; ; i++ {
		qq := q
		a := g.check(t, domain.Plan{Roots: []domain.Root{{List: &qq}}})
		nq := q
		if err := nq.Normalize(); err != nil {
			t.Fatal(err)
		}
		page := a.Lists[nq.Signature()]
		for _, n := range page.Items {
			seen = append(seen, n.Key().String())
		}
		if !page.HasNextPage || i > len(full) {
			break
		}
		q.Page.After = page.Cursors[len(page.Cursors)-1]
	}
	var want []string
	for _, n := range full {
		want = append(want, n.item.Key().String())
	}
	eqStrings(t, "nodes paged through", seen, want)
	if len(want) <= q.Page.First {
		t.Errorf("%d nodes fit in one page of %d: the walk tests no cursor", len(want), q.Page.First)
	}
}

func anchorCount(a *domain.Answers) int {
	n := 0
	for _, m := range a.Edges {
		n += len(m)
	}
	return n
}

// ---- The oracle -------------------------------------------------------------

// planOracle answers a plan by brute force from a batch: every relation
// list is filtered and sorted whole, then cut.
type planOracle struct {
	*oracle
	byNode map[domain.NodeKey][]*domain.Edge // every edge touching the node
	// seats and hqs: organisation or funding body → its cities; places:
	// project → its cities and countries.
	seats, hqs, places map[string][]domain.NodeKey
}

func newPlanOracle(b *domain.Batch) *planOracle {
	o := &planOracle{oracle: newOracle(b), byNode: map[domain.NodeKey][]*domain.Edge{},
		seats: map[string][]domain.NodeKey{}, hqs: map[string][]domain.NodeKey{}, places: map[string][]domain.NodeKey{}}
	for i := range o.edges {
		e := &o.edges[i]
		o.byNode[e.From] = append(o.byNode[e.From], e)
		if e.To != e.From {
			o.byNode[e.To] = append(o.byNode[e.To], e)
		}
		switch e.Kind {
		case domain.EdgeSeatedIn:
			o.seats[e.From.ID] = append(o.seats[e.From.ID], e.To)
		case domain.EdgeHeadquarteredIn:
			o.hqs[e.From.ID] = append(o.hqs[e.From.ID], e.To)
		case domain.EdgeLocatedIn:
			o.places[e.From.ID] = append(o.places[e.From.ID], e.To)
		}
	}
	return o
}

// countries returns the countries node k is in (see domain.NodeFilter).
func (o *planOracle) countries(k domain.NodeKey) []string {
	var out []string
	var via []domain.NodeKey
	switch k.Kind {
	case domain.KindCountry:
		return []string{k.ID}
	case domain.KindCity:
		return o.cityCountry[k.ID]
	case domain.KindOrganization:
		via = o.seats[k.ID]
	case domain.KindFundingBody:
		via = o.hqs[k.ID]
	case domain.KindProject:
		via = o.places[k.ID]
	}
	for _, p := range via {
		out = append(out, o.countries(p)...)
	}
	return out
}

func (o *planOracle) countryOf(k domain.NodeKey) string {
	if cs := o.countries(k); len(cs) > 0 {
		return cs[0]
	}
	return "ZZ"
}

func (o *planOracle) inPlace(k domain.NodeKey, country, grouping string) bool {
	cs := o.countries(k)
	return (country == "" || slices.Contains(cs, country)) &&
		(grouping == "" || slices.ContainsFunc(cs, func(c string) bool { return o.grouping[grouping][c] }))
}

// ranked is a list item with its keyset position.
type ranked[T any] struct {
	key, id string
	item    T
}

func sortRanked[T any](items []ranked[T], desc bool) {
	slices.SortFunc(items, func(a, b ranked[T]) int {
		c := cmp.Or(cmp.Compare(a.key, b.key), cmp.Compare(a.id, b.id))
		if desc {
			return -c
		}
		return c
	})
}

// cut returns the page p asks of a sorted list, by the rules on
// domain.Page, the obvious way: the range is a slice of the list, the page
// its head or tail. all takes the whole list.
func cut[T any](items []ranked[T], desc bool, p domain.Page, all bool) (page []T, cursors []string, hasPrev, hasNext bool) {
	if all {
		p = domain.Page{First: len(items)}
	}
	// lo: the items at or before After; hi: the items before Before.
	lo, hi := 0, len(items)
	if p.After != "" {
		c, err := domain.DecodeCursor(p.After)
		if err != nil {
			panic(err) // checked by Normalize
		}
		for lo < len(items) && !c.After(items[lo].key, items[lo].id, desc) {
			lo++
		}
	}
	if p.Before != "" {
		c, err := domain.DecodeCursor(p.Before)
		if err != nil {
			panic(err)
		}
		hi = 0
		for hi < len(items) && c.Before(items[hi].key, items[hi].id, desc) {
			hi++
		}
	}
	var rng []ranked[T]
	if lo < hi {
		rng = items[lo:hi]
	}
	hasPrev, hasNext = lo > 0, hi < len(items)
	if p.Last > 0 {
		hasPrev = hasPrev || len(rng) > p.Last
		rng = rng[max(0, len(rng)-p.Last):]
	} else {
		hasNext = hasNext || len(rng) > p.First
		rng = rng[:min(len(rng), p.First)]
	}
	for _, it := range rng {
		page = append(page, it.item)
		cursors = append(cursors, domain.Cursor{Key: it.key, ID: it.id}.Encode())
	}
	return page, cursors, hasPrev, hasNext
}

// totalOf is the TotalCount a page of a list of n answers.
func totalOf(p domain.Page, n int) int {
	if p.NoTotal {
		return 0
	}
	return n
}

// list is every node matching q (normalized here), in q's order.
func (o *planOracle) list(q domain.NodeQuery) []ranked[domain.Node] {
	if err := q.Normalize(); err != nil {
		panic(err)
	}
	var out []ranked[domain.Node]
	for k, n := range o.nodes {
		if k.Kind != q.Kind || !o.inPlace(k, q.Filter.Country, q.Filter.Grouping) {
			continue
		}
		if org, ok := n.(*domain.Organization); q.Filter.OrgKind != "" && (!ok || org.OrgKind != q.Filter.OrgKind) {
			continue
		}
		if p, ok := n.(*domain.Project); q.Filter.Sector != "" && (!ok || p.Sector != q.Filter.Sector) {
			continue
		}
		out = append(out, ranked[domain.Node]{key: q.Order.SortKey(n), id: k.ID, item: n})
	}
	sortRanked(out, q.Desc)
	return out
}

// relations is every relation of anchor matching q (normalized here), in q's order.
func (o *planOracle) relations(q domain.EdgeQuery, anchor domain.NodeKey) []ranked[*domain.Edge] {
	if err := q.Normalize(); err != nil {
		panic(err)
	}
	var out []ranked[*domain.Edge]
	for _, e := range o.byNode[anchor] {
		other := e.Other(anchor)
		switch {
		case e.Kind != q.Kind,
			q.Direction == domain.Out && e.From != anchor,
			q.Direction == domain.In && e.To != anchor,
			len(q.OtherKinds) > 0 && !slices.Contains(q.OtherKinds, other.Kind),
			q.PartnershipKind != "" && e.PartnershipKind != q.PartnershipKind,
			q.Role != "" && e.Role != q.Role,
			!e.ActiveOn(q.AsOf),
			q.OtherCountry != "" && !o.inPlace(other, q.OtherCountry, ""):
			continue
		}
		key, id := q.Order.EdgeSortKey(e, o.nodes[other])
		out = append(out, ranked[*domain.Edge]{key: key, id: id, item: e})
	}
	sortRanked(out, q.Desc)
	return out
}

// planQueries are the queries a plan asked, by signature, for the single
// reads to answer again.
type planQueries struct {
	lists map[string]domain.NodeQuery
	edges map[string]struct {
		q   domain.EdgeQuery
		all bool
	}
}

// run answers the plan the slow, obvious way.
func (o *planOracle) run(p domain.Plan) (*domain.Answers, planQueries, error) {
	asked := planQueries{lists: map[string]domain.NodeQuery{}, edges: map[string]struct {
		q   domain.EdgeQuery
		all bool
	}{}}
	if err := p.Normalize(); err != nil {
		return nil, asked, err
	}
	a := domain.NewAnswers()
	for _, r := range p.Roots {
		var found []domain.NodeKey
		if r.List != nil {
			sig := r.List.Signature()
			asked.lists[sig] = *r.List
			all := o.list(*r.List)
			items, cursors, prev, next := cut(all, r.List.Desc, r.List.Page, false)
			if r.List.Page.NoItems {
				items, cursors, prev, next = nil, nil, false, false
			}
			a.Lists[sig] = domain.NodePage{Items: items, Cursors: cursors, TotalCount: totalOf(r.List.Page, len(all)), HasNextPage: next, HasPreviousPage: prev}
			for _, n := range items {
				a.Nodes[n.Key()] = n
				found = append(found, n.Key())
			}
		}
		for _, k := range r.Keys {
			n, ok := o.nodes[k]
			if !ok {
				a.Nodes[k] = nil
				continue
			}
			a.Nodes[k] = n
			if !slices.Contains(found, k) {
				found = append(found, k)
			}
		}
		o.reach(a, asked, found, r.Reach)
	}
	return a, asked, nil
}

func (o *planOracle) reach(a *domain.Answers, asked planQueries, at []domain.NodeKey, r domain.Reach) {
	if r.Sources {
		for _, k := range at {
			o.addSources(a, o.nodes[k].Base().Sources)
		}
	}
	for _, f := range r.Follow {
		sig := f.Query.Signature()
		if f.All {
			sig = f.Query.AllSignature()
		}
		asked.edges[sig] = struct {
			q   domain.EdgeQuery
			all bool
		}{f.Query, f.All}
		var ends []domain.NodeKey
		seen := map[domain.NodeKey]bool{}
		for _, k := range at {
			if f.From != "" && k.Kind != f.From {
				continue
			}
			all := o.relations(f.Query, k)
			items, cursors, prev, next := cut(all, f.Query.Desc, f.Query.Page, f.All)
			if f.Query.Page.NoItems && !f.All {
				items, cursors, prev, next = nil, nil, false, false
			}
			page := domain.EdgePage{Cursors: cursors, TotalCount: len(all), HasNextPage: next, HasPreviousPage: prev}
			if !f.All {
				page.TotalCount = totalOf(f.Query.Page, len(all))
			}
			for _, e := range items {
				page.Items = append(page.Items, *e)
				if f.EdgeSources {
					o.addSources(a, e.Sources)
				}
				if other := e.Other(k); !seen[other] {
					seen[other] = true
					ends = append(ends, other)
				}
			}
			a.SetPage(sig, k, page)
		}
		if f.Ends != nil {
			for _, k := range ends {
				a.Nodes[k] = o.nodes[k]
			}
			o.reach(a, asked, ends, *f.Ends)
		}
	}
}

func (o *planOracle) addSources(a *domain.Answers, slugs []string) {
	for _, s := range slugs {
		k := domain.NodeKey{Kind: domain.KindSource, ID: s}
		a.Nodes[k] = o.nodes[k]
	}
}

// ---- Choosing anchors --------------------------------------------------------

// busiest returns up to n nodes of the kind with the most relations of ek
// (ties by slug), or any n nodes of the kind if none has one; at least one
// key, made up if the graph has no node of the kind.
func (o *planOracle) busiest(kind domain.Kind, ek domain.EdgeKind, n int) []domain.NodeKey {
	type c struct {
		k domain.NodeKey
		n int
	}
	var cs []c
	for k := range o.nodes {
		if k.Kind != kind {
			continue
		}
		count := 0
		for _, e := range o.byNode[k] {
			if e.Kind == ek {
				count++
			}
		}
		cs = append(cs, c{k, count})
	}
	slices.SortFunc(cs, func(a, b c) int { return cmp.Or(cmp.Compare(b.n, a.n), cmp.Compare(a.k.ID, b.k.ID)) })
	var out []domain.NodeKey
	for _, x := range cs[:min(n, len(cs))] {
		out = append(out, x.k)
	}
	if len(out) == 0 {
		out = []domain.NodeKey{{Kind: kind, ID: "none-of-this-kind"}}
	}
	return out
}

func (o *planOracle) keysOf(kind domain.Kind) []domain.NodeKey {
	var out []domain.NodeKey
	for k := range o.nodes {
		if k.Kind == kind {
			out = append(out, k)
		}
	}
	slices.SortFunc(out, func(a, b domain.NodeKey) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// largestGrouping is the slug of the grouping with the most members (ties
// by slug), so that the suite needs no particular grouping in the graph.
func (o *planOracle) largestGrouping() string {
	best := "no-such-grouping"
	for _, k := range o.keysOf(domain.KindGrouping) {
		if best == "no-such-grouping" || len(o.grouping[k.ID]) > len(o.grouping[best]) {
			best = k.ID
		}
	}
	return best
}

func (o *planOracle) someOrgKind() domain.OrgKind {
	for _, k := range o.keysOf(domain.KindOrganization) {
		return o.nodes[k].(*domain.Organization).OrgKind
	}
	return domain.OrgKinds[0]
}

func (o *planOracle) someSector() domain.Sector {
	for _, k := range o.keysOf(domain.KindProject) {
		return o.nodes[k].(*domain.Project).Sector
	}
	return domain.Sectors[0]
}

// listCursor is the cursor of the i-th node of q's list (the last one if
// the list is shorter), so that a page can start after it.
func (o *planOracle) listCursor(q domain.NodeQuery, i int) string {
	all := o.list(q)
	if len(all) == 0 {
		return domain.Cursor{Key: "", ID: "-"}.Encode()
	}
	it := all[min(i, len(all)-1)]
	return domain.Cursor{Key: it.key, ID: it.id}.Encode()
}

// edgeCursor is the cursor of the i-th relation of q at anchor.
func (o *planOracle) edgeCursor(q domain.EdgeQuery, anchor domain.NodeKey, i int) string {
	all := o.relations(q, anchor)
	if len(all) == 0 {
		return domain.Cursor{Key: "", ID: "-"}.Encode()
	}
	it := all[min(i, len(all)-1)]
	return domain.Cursor{Key: it.key, ID: it.id}.Encode()
}

// randomPlan draws a plan of up to three levels from the graph's nodes,
// with random filters, orders and pages, cursors included. Relations are
// mostly drawn from those the reached nodes have, and filters from their
// values, so that most pages hold something.
func (o *planOracle) randomPlan(r *rand.Rand) domain.Plan {
	var linked []domain.NodeKey // nodes with relations, in a stable order
	for _, k := range domain.Kinds {
		for _, n := range o.keysOf(k) {
			if len(o.byNode[n]) > 0 {
				linked = append(linked, n)
			}
		}
	}
	var p domain.Plan
	for range 1 + r.IntN(3) {
		var root domain.Root
		if r.IntN(3) == 0 {
			nq := domain.NodeQuery{Kind: []domain.Kind{domain.KindCity, domain.KindForum, domain.KindProject, domain.KindFundingBody,
				domain.KindOrganization, domain.KindCountry}[r.IntN(6)], Desc: r.IntN(2) == 0, Page: domain.Page{First: 1 + r.IntN(10)}}
			if r.IntN(2) == 0 {
				nq.Order = domain.OrderByID
			}
			switch r.IntN(4) {
			case 0:
				nq.Filter.Country = o.countryOf(linked[r.IntN(len(linked))])
			case 1:
				nq.Filter.Grouping = o.largestGrouping()
			}
			if r.IntN(3) == 0 {
				nq.Page.After = o.listCursor(nq, r.IntN(20))
			}
			root.List = &nq
			for _, n := range o.list(nq) {
				root.Keys = append(root.Keys, n.item.Key()) // a sample for the reach; cleared below
			}
		} else {
			for range 1 + r.IntN(5) {
				root.Keys = append(root.Keys, linked[r.IntN(len(linked))])
			}
			if r.IntN(8) == 0 {
				root.Keys = append(root.Keys, cityKey("no-such-city"))
			}
		}
		root.Reach = o.randomReach(r, root.Keys, 3)
		if root.List != nil {
			root.Keys = nil
		}
		p.Roots = append(p.Roots, root)
	}
	return p
}

// randomReach draws what to read from the nodes in sample.
func (o *planOracle) randomReach(r *rand.Rand, sample []domain.NodeKey, depth int) domain.Reach {
	reach := domain.Reach{Sources: r.IntN(4) == 0}
	if depth == 0 {
		return reach
	}
	for range r.IntN(3) {
		anchor := pickKey(sample, r)
		e := &domain.Edge{Kind: domain.EdgeKinds[r.IntN(len(domain.EdgeKinds))], From: anchor}
		if es := o.byNode[anchor]; len(es) > 0 && r.IntN(6) > 0 {
			e = es[r.IntN(len(es))]
		}
		q := domain.EdgeQuery{Kind: e.Kind, Direction: domain.Out,
			Order: []domain.EdgeOrder{"", domain.OrderByOtherName, domain.OrderBySince, domain.OrderByPosition}[r.IntN(4)],
			Desc:  r.IntN(2) == 0, Page: domain.Page{First: 1 + r.IntN(8)}}
		if e.To == anchor {
			q.Direction = domain.In
		}
		switch r.IntN(8) {
		case 0, 1:
			q.Direction = domain.Both
		case 2:
			q.Direction = ""
		case 3: // the wrong way: mostly empty pages
			q.Direction = map[domain.Direction]domain.Direction{domain.Out: domain.In, domain.In: domain.Out}[q.Direction]
		}
		other := e.Other(anchor)
		switch r.IntN(10) {
		case 0:
			q.OtherKinds = []domain.Kind{other.Kind, domain.Kinds[r.IntN(len(domain.Kinds))]}
		case 1:
			q.OtherCountry = o.countryOf(other)
		case 2:
			q.PartnershipKind = e.PartnershipKind
			if q.PartnershipKind == "" {
				q.PartnershipKind = domain.PartnershipKinds[r.IntN(len(domain.PartnershipKinds))]
			}
		case 3:
			q.AsOf = domain.Date(fmt.Sprint(1995 + r.IntN(30)))
		case 4:
			q.Role = e.Role
		}
		f := domain.Follow{Query: q, All: r.IntN(6) == 0, EdgeSources: r.IntN(5) == 0}
		if r.IntN(5) == 0 {
			f.From = anchor.Kind
		} else if r.IntN(10) == 0 {
			f.From = domain.Kinds[r.IntN(len(domain.Kinds))]
		}
		if r.IntN(4) == 0 {
			f.Query.Page.After = o.edgeCursor(q, anchor, r.IntN(4))
		}
		switch r.IntN(5) {
		case 0: // page back, before a cursor or from the end
			f.Query.Page.Last, f.Query.Page.First = f.Query.Page.First, 0
			if r.IntN(2) == 0 {
				f.Query.Page.Before = o.edgeCursor(q, anchor, r.IntN(6))
			}
		case 1:
			f.Query.Page.NoTotal = true
		}
		if r.IntN(3) > 0 {
			var next []domain.NodeKey
			for _, a := range sample {
				if f.From != "" && a.Kind != f.From {
					continue
				}
				for _, e := range o.relations(f.Query, a) {
					next = append(next, e.item.Other(a))
				}
			}
			ends := o.randomReach(r, next, depth-1)
			f.Ends = &ends
		}
		reach.Follow = append(reach.Follow, f)
	}
	return reach
}

func pickKey(sample []domain.NodeKey, r *rand.Rand) domain.NodeKey {
	if len(sample) == 0 {
		return cityKey("none")
	}
	return sample[r.IntN(len(sample))]
}

// ---- Comparing answers ------------------------------------------------------

// differ reports differences between answers, at most a few per check so
// that a wrong store does not print thousands of lines.
type differ struct {
	t      *testing.T
	errors int
}

func (d *differ) errorf(format string, args ...any) {
	d.t.Helper()
	d.errors++
	switch {
	case d.errors <= 12:
		d.t.Errorf(format, args...)
	case d.errors == 13:
		d.t.Errorf("… and more differences")
	}
}

func (d *differ) answers(what string, got, want *domain.Answers) {
	d.t.Helper()
	d.sameKeys(what+": Nodes", keyStrings(got.Nodes), keyStrings(want.Nodes))
	for k, w := range want.Nodes {
		if g, ok := got.Nodes[k]; ok {
			d.node(fmt.Sprintf("%s: node %s", what, k), g, w)
		}
	}
	d.sameKeys(what+": Lists", sortedKeys(got.Lists), sortedKeys(want.Lists))
	for sig, w := range want.Lists {
		if g, ok := got.Lists[sig]; ok {
			d.nodePage(what+": list "+sig, g, w)
		}
	}
	d.sameKeys(what+": Edges", sortedKeys(got.Edges), sortedKeys(want.Edges))
	for sig, wm := range want.Edges {
		gm := got.Edges[sig]
		if gm == nil {
			continue
		}
		d.sameKeys(what+": anchors of "+sig, keyStrings(gm), keyStrings(wm))
		for a, w := range wm {
			if g, ok := gm[a]; ok {
				d.edgePage(fmt.Sprintf("%s: %s at %s", what, sig, a), g, w)
			}
		}
	}
}

func (d *differ) sameKeys(what string, got, want []string) {
	d.t.Helper()
	if slices.Equal(got, want) {
		return
	}
	var extra, missing []string
	for _, k := range got {
		if _, ok := slices.BinarySearch(want, k); !ok {
			extra = append(extra, k)
		}
	}
	for _, k := range want {
		if _, ok := slices.BinarySearch(got, k); !ok {
			missing = append(missing, k)
		}
	}
	d.errorf("%s: %d extra %v, %d missing %v", what, len(extra), head(extra), len(missing), head(missing))
}

func (d *differ) node(what string, got, want domain.Node) {
	d.t.Helper()
	if (got == nil) != (want == nil) || got != nil && !sameValue(got, want) {
		d.errorf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

func (d *differ) nodePage(what string, got, want domain.NodePage) {
	d.t.Helper()
	var gk, wk []string
	for _, n := range got.Items {
		gk = append(gk, n.Key().String())
	}
	for _, n := range want.Items {
		wk = append(wk, n.Key().String())
	}
	switch {
	case !slices.Equal(gk, wk):
		d.errorf("%s: got items %v, want %v", what, gk, wk)
	case !slices.Equal(got.Cursors, want.Cursors) && len(got.Cursors)+len(want.Cursors) > 0:
		d.errorf("%s: got cursors %v, want %v", what, got.Cursors, want.Cursors)
	case got.TotalCount != want.TotalCount || got.HasNextPage != want.HasNextPage || got.HasPreviousPage != want.HasPreviousPage:
		d.errorf("%s: got totalCount %d, hasNextPage %v, hasPreviousPage %v; want %d, %v, %v", what,
			got.TotalCount, got.HasNextPage, got.HasPreviousPage, want.TotalCount, want.HasNextPage, want.HasPreviousPage)
	case !sameValue(got.Items, want.Items):
		d.errorf("%s: items differ in their fields:\n got %+v\nwant %+v", what, got.Items, want.Items)
	}
}

func (d *differ) edgePage(what string, got, want domain.EdgePage) {
	d.t.Helper()
	var gk, wk []string
	for _, e := range got.Items {
		gk = append(gk, e.Key().String())
	}
	for _, e := range want.Items {
		wk = append(wk, e.Key().String())
	}
	switch {
	case !slices.Equal(gk, wk):
		d.errorf("%s: got relations %v, want %v", what, head(gk), head(wk))
	case !slices.Equal(got.Cursors, want.Cursors) && len(got.Cursors)+len(want.Cursors) > 0:
		d.errorf("%s: got cursors %v, want %v", what, head(got.Cursors), head(want.Cursors))
	case got.TotalCount != want.TotalCount || got.HasNextPage != want.HasNextPage || got.HasPreviousPage != want.HasPreviousPage:
		d.errorf("%s: got totalCount %d, hasNextPage %v, hasPreviousPage %v; want %d, %v, %v", what,
			got.TotalCount, got.HasNextPage, got.HasPreviousPage, want.TotalCount, want.HasNextPage, want.HasPreviousPage)
	case !sameValue(got.Items, want.Items):
		d.errorf("%s: relations differ in their fields:\n got %+v\nwant %+v", what, got.Items, want.Items)
	}
}

func head(s []string) []string { return s[:min(len(s), 8)] }

func keyStrings[V any](m map[domain.NodeKey]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k.String())
	}
	slices.Sort(out)
	return out
}

func sortedNodeKeys[V any](m map[domain.NodeKey]V) []domain.NodeKey {
	out := make([]domain.NodeKey, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.SortFunc(out, func(a, b domain.NodeKey) int { return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.ID, b.ID)) })
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// clonePlan copies p deeply, so that the oracle's Normalize leaves the
// plan the store gets as the test wrote it.
func clonePlan(p domain.Plan) domain.Plan {
	out := domain.Plan{Roots: make([]domain.Root, len(p.Roots))}
	for i, r := range p.Roots {
		r.Keys = slices.Clone(r.Keys)
		if r.List != nil {
			l := *r.List
			r.List = &l
		}
		r.Reach = cloneReach(r.Reach)
		out.Roots[i] = r
	}
	return out
}

func cloneReach(r domain.Reach) domain.Reach {
	fs := make([]domain.Follow, len(r.Follow))
	for i, f := range r.Follow {
		f.Query.OtherKinds = slices.Clone(f.Query.OtherKinds)
		if f.Ends != nil {
			e := cloneReach(*f.Ends)
			f.Ends = &e
		}
		fs[i] = f
	}
	r.Follow = fs
	return r
}
