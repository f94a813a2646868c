package storetest

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/synth"
)

// The Order group checks orderBy (domain.OrderKey) on node lists and
// relation lists, through the single reads and through Run, against a
// brute-force sort in the test: every field of a kind, each direction,
// and keys combined, paged through with the stores' own cursors.
//
// Conventions it pins down: text compares byte by byte, numbers as
// numbers, an absent value as its zero ("" or 0); ties are broken by the
// node's slug (relations: the far end's key), ascending, whatever the
// keys' directions.

// orderSynthCities is the size of the synthetic graph the Order and
// Aggregate groups load, once per group.
const orderSynthCities = 300

var orderTests = []test{
	{"lists ordered by every field agree with a brute-force sort", func(t *testing.T, open func(*testing.T) domain.Store) {
		g := openPlanGraph(t, open, synth.Generate(3, orderSynthCities))
		t.Run("node lists", func(t *testing.T) { checkNodeOrders(t, g) })
		t.Run("relation lists by their own fields and their far ends'", func(t *testing.T) { checkEdgeOrders(t, g) })
	}},
	{"rejects bad orders", func(t *testing.T, open func(*testing.T) domain.Store) {
		g := openPlanGraph(t, open, Forum2015(t))
		byName := []domain.OrderKey{{Field: domain.FieldRef{Name: "name"}}}
		legacy := must[domain.NodePage](t)(g.s.ListNodes(context.Background(), domain.NodeQuery{Kind: domain.KindCity, Page: domain.Page{First: 1}}))
		for name, q := range map[string]domain.NodeQuery{
			"an unknown field":           {Kind: domain.KindCity, OrderBy: []domain.OrderKey{{Field: domain.FieldRef{Name: "altitude"}}}},
			"another kind's field":       {Kind: domain.KindCountry, OrderBy: []domain.OrderKey{{Field: domain.FieldRef{Name: "population"}}}},
			"a relation field on nodes":  {Kind: domain.KindCity, OrderBy: []domain.OrderKey{{Field: domain.FieldRef{Name: "since", Edge: true}}}},
			"too many keys":              {Kind: domain.KindCity, OrderBy: slices.Repeat(byName, domain.MaxOrderKeys+1)},
			"a cursor of another order":  {Kind: domain.KindCity, OrderBy: byName, Page: domain.Page{After: legacy.Cursors[0]}},
			"aggregating a text field":   {Kind: domain.KindCity, Aggregate: domain.Aggregation{Fields: []domain.FieldRef{{Name: "name"}}}},
			"aggregating an unknown one": {Kind: domain.KindCity, Aggregate: domain.Aggregation{Fields: []domain.FieldRef{{Name: "altitude"}}}},
		} {
			t.Run(name, func(t *testing.T) {
				_, err := g.s.ListNodes(context.Background(), q)
				wantCode(t, err, domain.EINVALID)
				_, err = g.run.Run(context.Background(), &domain.Plan{Roots: []domain.Root{{List: &q}}})
				wantCode(t, err, domain.EINVALID)
			})
		}
	}},
}

// checkNodeOrders pages through node lists in generated orders.
func checkNodeOrders(t *testing.T, g *planGraph) {
	for _, c := range generatedNodeOrders() {
		t.Run(c.name, func(t *testing.T) {
			q := domain.NodeQuery{Kind: c.kind, OrderBy: c.keys}
			want := bruteNodeOrder(g.o, q)
			size := max(1, len(want)/4) // four pages or so, each cut by a cursor
			if len(want) < 2 {
				t.Fatalf("%d %s: too few to test an order", len(want), c.kind)
			}
			q.Page.First = size
			eqStrings(t, "ListNodes paged forward", pageNodes(t, g, q, false), want)
			eqStrings(t, "Run paged forward", pageNodes(t, g, q, true), want)
			back := q
			back.Page = domain.Page{Last: size}
			eqStrings(t, "ListNodes paged back", reversed(pageNodes(t, g, back, false)), want)
		})
	}
}

// checkEdgeOrders pages through relation lists in generated orders.
func checkEdgeOrders(t *testing.T, g *planGraph) {
	for _, c := range generatedEdgeOrders(g.o) {
		t.Run(c.name, func(t *testing.T) {
			q := c.q
			q.Page = domain.Page{First: 3}
			want := bruteEdgeOrder(g.o, q, c.anchor)
			if len(want) <= 3 {
				t.Fatalf("%d relations fit in one page: the walk tests no cursor", len(want))
			}
			eqStrings(t, "Edges paged forward", pageEdges(t, g, q, c.anchor, false), want)
			eqStrings(t, "Run paged forward", pageEdges(t, g, q, c.anchor, true), want)
		})
	}
}

type nodeOrderCase struct {
	name string
	kind domain.Kind
	keys []domain.OrderKey
}

// generatedNodeOrders is every orderable field of the synthetic graph's
// listed kinds, each ascending and descending, then each numeric or
// repetitive field with a second key.
func generatedNodeOrders() []nodeOrderCase {
	fields := map[domain.Kind][]string{
		domain.KindCity:        {"name", "nameZh", "id", "division", "region", "population", "populationYear"},
		domain.KindForum:       {"name", "edition", "participants", "officials", "startDate", "theme"},
		domain.KindProject:     {"name", "sector", "status"},
		domain.KindCountry:     {"name", "nameZh"},
		domain.KindFundingBody: {"name", "acronym", "founded", "capital"},
	}
	var out []nodeOrderCase
	for _, kind := range []domain.Kind{domain.KindCity, domain.KindForum, domain.KindProject, domain.KindCountry, domain.KindFundingBody} {
		for _, f := range fields[kind] {
			for _, desc := range []bool{false, true} {
				out = append(out, nodeOrderCase{fmt.Sprintf("%s by %s desc=%v", kind, f, desc), kind,
					[]domain.OrderKey{{Field: domain.FieldRef{Name: f}, Desc: desc}}})
			}
		}
	}
	out = append(out,
		nodeOrderCase{"City by populationYear desc then name", domain.KindCity, []domain.OrderKey{
			{Field: domain.FieldRef{Name: "populationYear"}, Desc: true}, {Field: domain.FieldRef{Name: "name"}}}},
		nodeOrderCase{"Project by sector, status desc, name desc", domain.KindProject, []domain.OrderKey{
			{Field: domain.FieldRef{Name: "sector"}}, {Field: domain.FieldRef{Name: "status"}, Desc: true}, {Field: domain.FieldRef{Name: "name"}, Desc: true}}})
	return out
}

type edgeOrderCase struct {
	name   string
	anchor domain.NodeKey
	q      domain.EdgeQuery
}

// generatedEdgeOrders orders the busiest anchors' relations by each of
// their fields and their far ends'.
func generatedEdgeOrders(o *planOracle) []edgeOrderCase {
	city := o.busiest(domain.KindCity, domain.EdgePartnerOf, 1)[0]
	forum := o.busiest(domain.KindForum, domain.EdgeAttended, 1)[0]
	body := o.busiest(domain.KindFundingBody, domain.EdgeFinanced, 1)[0]
	rel := func(name string) domain.FieldRef { return domain.FieldRef{Name: name, Edge: true} }
	node := func(name string) domain.FieldRef { return domain.FieldRef{Name: name} }
	lists := []struct {
		anchor domain.NodeKey
		q      domain.EdgeQuery
		fields []domain.FieldRef
	}{
		{city, domain.EdgeQuery{Kind: domain.EdgePartnerOf}, []domain.FieldRef{rel("since"), rel("partnershipKind"), rel("status"), node("population"), node("name"), node("region")}},
		{forum, domain.EdgeQuery{Kind: domain.EdgeAttended, Direction: domain.In}, []domain.FieldRef{rel("delegationSize"), rel("level"), node("name"), node("population")}},
		{body, domain.EdgeQuery{Kind: domain.EdgeFinanced, Direction: domain.Out}, []domain.FieldRef{rel("amount"), rel("currency"), rel("since"), node("sector")}},
	}
	var out []edgeOrderCase
	for _, l := range lists {
		for _, f := range l.fields {
			for _, desc := range []bool{false, true} {
				q := l.q
				q.OrderBy = []domain.OrderKey{{Field: f, Desc: desc}}
				out = append(out, edgeOrderCase{fmt.Sprintf("%s %s by %s desc=%v", l.anchor, q.Kind, f, desc), l.anchor, q})
			}
		}
	}
	q := lists[2].q
	q.OrderBy = []domain.OrderKey{{Field: rel("currency")}, {Field: rel("amount"), Desc: true}}
	return append(out, edgeOrderCase{"financings by currency, then amount desc", body, q})
}

// bruteCompare is the order's comparison written out plainly.
func bruteCompare(keys []domain.OrderKey, a, b []any) int {
	for i, k := range keys {
		var c int
		switch x := a[i].(type) {
		case int64:
			c = cmp.Compare(x, b[i].(int64))
		case string:
			c = strings.Compare(x, b[i].(string))
		}
		if k.Desc {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	return 0
}

// bruteNodeOrder is every node of q's list, sorted whole, by key.
func bruteNodeOrder(o *planOracle, q domain.NodeQuery) []string {
	type row struct {
		vals []any
		n    domain.Node
	}
	var rows []row
	for k, n := range o.nodes {
		if k.Kind == q.Kind {
			rows = append(rows, row{domain.NodeSortValues(n, q.OrderBy), n})
		}
	}
	slices.SortFunc(rows, func(a, b row) int {
		return cmp.Or(bruteCompare(q.OrderBy, a.vals, b.vals), cmp.Compare(a.n.Base().ID, b.n.Base().ID))
	})
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.n.Key().String()
	}
	return out
}

// bruteEdgeOrder is every relation of q at anchor, sorted whole.
func bruteEdgeOrder(o *planOracle, q domain.EdgeQuery, anchor domain.NodeKey) []string {
	type row struct {
		vals  []any
		other string
		e     *domain.Edge
	}
	var rows []row
	for _, it := range o.relations(q, anchor) {
		other := it.item.Other(anchor)
		rows = append(rows, row{domain.EdgeSortValues(it.item, o.nodes[other], q.OrderBy), other.String(), it.item})
	}
	slices.SortFunc(rows, func(a, b row) int {
		return cmp.Or(bruteCompare(q.OrderBy, a.vals, b.vals), cmp.Compare(a.other, b.other))
	})
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.e.Key().String()
	}
	return out
}

// pageNodes walks every page of q (forward with First, back with Last)
// through ListNodes or Run, and returns the keys in the order read.
func pageNodes(t *testing.T, g *planGraph, q domain.NodeQuery, run bool) []string {
	t.Helper()
	var seen []string
	for i := 0; i < 1000; i++ {
		var page domain.NodePage
		if run {
			qq := q
			a, err := g.run.Run(context.Background(), &domain.Plan{Roots: []domain.Root{{List: &qq}}})
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			page = a.Lists[qq.Signature()]
		} else {
			page = must[domain.NodePage](t)(g.s.ListNodes(context.Background(), q))
		}
		keys := make([]string, len(page.Items))
		for j, n := range page.Items {
			keys[j] = n.Key().String()
		}
		if q.Page.Last > 0 {
			seen = append(seen, reversed(keys)...)
			if !page.HasPreviousPage {
				break
			}
			q.Page.Before = page.Cursors[0]
			continue
		}
		seen = append(seen, keys...)
		if !page.HasNextPage {
			break
		}
		q.Page.After = page.Cursors[len(page.Cursors)-1]
	}
	return seen
}

// pageEdges walks every page of q at anchor through Edges or Run.
func pageEdges(t *testing.T, g *planGraph, q domain.EdgeQuery, anchor domain.NodeKey, run bool) []string {
	t.Helper()
	var seen []string
	for i := 0; i < 1000; i++ {
		var page domain.EdgePage
		if run {
			a, err := g.run.Run(context.Background(), &domain.Plan{Roots: []domain.Root{{Keys: []domain.NodeKey{anchor},
				Reach: domain.Reach{Follow: []domain.Follow{{Query: q, Ends: &domain.Reach{}}}}}}})
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			nq := q
			if err := nq.Normalize(); err != nil {
				t.Fatal(err)
			}
			page, _ = a.Page(nq, anchor)
		} else {
			page = must[[]domain.EdgePage](t)(g.s.Edges(context.Background(), q, []domain.NodeKey{anchor}))[0]
		}
		for _, e := range page.Items {
			seen = append(seen, e.Key().String())
		}
		if !page.HasNextPage {
			break
		}
		q.Page.After = page.Cursors[len(page.Cursors)-1]
	}
	return seen
}

func reversed(s []string) []string {
	s = slices.Clone(s)
	slices.Reverse(s)
	return s
}
