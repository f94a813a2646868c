package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/synth"
)

// The Pages group checks the paging rules on domain.Page on both single
// reads (Edges, ListNodes) and, where the store runs plans, on Run: paging
// back with last/before, hasPreviousPage and hasNextPage, a declined total,
// and pages of 1,000.

// pageRead is one page as a test sees it, whichever read answered it.
type pageRead struct {
	keys, cursors    []string
	total            int
	hasNext, hasPrev bool
}

func edgeRead(anchor domain.NodeKey, p domain.EdgePage) pageRead {
	r := pageRead{cursors: p.Cursors, total: p.TotalCount, hasNext: p.HasNextPage, hasPrev: p.HasPreviousPage}
	for _, e := range p.Items {
		r.keys = append(r.keys, e.Other(anchor).String())
	}
	return r
}

func nodeRead(p domain.NodePage) pageRead {
	r := pageRead{cursors: p.Cursors, total: p.TotalCount, hasNext: p.HasNextPage, hasPrev: p.HasPreviousPage}
	for _, n := range p.Items {
		r.keys = append(r.keys, n.Key().String())
	}
	return r
}

// pager reads one page of a list: of an anchor's relations or of nodes.
type pager struct {
	name string
	read func(t *testing.T, p domain.Page) pageRead
}

// edgePagers read q's pages at anchor with Edges and, where the store runs
// plans, with Run; Run's pages must equal Edges'.
func edgePagers(s domain.Store, q domain.EdgeQuery, anchor domain.NodeKey) []pager {
	single := func(t *testing.T, p domain.Page) pageRead {
		t.Helper()
		q := q
		q.Page = p
		return edgeRead(anchor, must[[]domain.EdgePage](t)(s.Edges(context.Background(), q, []domain.NodeKey{anchor}))[0])
	}
	out := []pager{{"Edges", single}}
	if r, ok := s.(domain.PlanRunner); ok {
		out = append(out, pager{"Run", func(t *testing.T, p domain.Page) pageRead {
			t.Helper()
			q := q
			q.Page = p
			plan := domain.Plan{Roots: []domain.Root{{Keys: []domain.NodeKey{anchor}, Reach: domain.Reach{Follow: []domain.Follow{{Query: q}}}}}}
			a := must[*domain.Answers](t)(r.Run(context.Background(), &plan))
			if err := q.Normalize(); err != nil {
				t.Fatal(err)
			}
			page, ok := a.Page(q, anchor)
			if !ok {
				t.Fatalf("Run answered no page for %s", anchor)
			}
			return edgeRead(anchor, page)
		}})
	}
	return out
}

// listPagers read q's pages with ListNodes and, where the store runs plans,
// with Run.
func listPagers(s domain.Store, q domain.NodeQuery) []pager {
	out := []pager{{"ListNodes", func(t *testing.T, p domain.Page) pageRead {
		t.Helper()
		q := q
		q.Page = p
		return nodeRead(must[domain.NodePage](t)(s.ListNodes(context.Background(), q)))
	}}}
	if r, ok := s.(domain.PlanRunner); ok {
		out = append(out, pager{"Run", func(t *testing.T, p domain.Page) pageRead {
			t.Helper()
			q := q
			q.Page = p
			plan := domain.Plan{Roots: []domain.Root{{List: &q}}}
			a := must[*domain.Answers](t)(r.Run(context.Background(), &plan))
			if err := q.Normalize(); err != nil {
				t.Fatal(err)
			}
			page, ok := a.Lists[q.Signature()]
			if !ok {
				t.Fatalf("Run answered no list for %+v", q)
			}
			return nodeRead(page)
		}})
	}
	return out
}

// walkBoth pages through a list forward by size and back by size, checks
// that both walks give want (every item, in the list's order, with the
// same cursors) and the flags of every page, and returns the number of
// pages each walk took.
func walkBoth(t *testing.T, read func(*testing.T, domain.Page) pageRead, size int, want []string) int {
	t.Helper()
	limit := len(want)/size + 2
	var fwd, fwdCursors []string
	pages := 0
	p := domain.Page{First: size}
	for i := 0; ; i++ {
		got := read(t, p)
		if got.total != len(want) {
			t.Errorf("forward page %d: got totalCount %d, want %d", i, got.total, len(want))
		}
		if got.hasPrev != (i > 0) {
			t.Errorf("forward page %d: got hasPreviousPage %v, want %v (true after the first page: items exist at or before after)", i, got.hasPrev, i > 0)
		}
		fwd, fwdCursors = append(fwd, got.keys...), append(fwdCursors, got.cursors...)
		pages++
		if !got.hasNext || i > limit {
			break
		}
		p.After = got.cursors[len(got.cursors)-1]
	}
	eqStrings(t, "items paging forward", fwd, want)

	var back, backCursors []string
	p = domain.Page{Last: size}
	for i := 0; ; i++ {
		got := read(t, p)
		if got.total != len(want) {
			t.Errorf("backward page %d: got totalCount %d, want %d", i, got.total, len(want))
		}
		if got.hasNext != (i > 0) {
			t.Errorf("backward page %d: got hasNextPage %v, want %v (true once a before cursor is given: items exist at or after it)", i, got.hasNext, i > 0)
		}
		if len(got.keys) > size || len(got.cursors) != len(got.keys) {
			t.Fatalf("backward page %d: got %d items and %d cursors, want at most %d of each", i, len(got.keys), len(got.cursors), size)
		}
		back, backCursors = append(slices.Clone(got.keys), back...), append(slices.Clone(got.cursors), backCursors...)
		if !got.hasPrev || i > limit {
			if i+1 != pages {
				t.Errorf("got %d pages back, %d forward; want as many", i+1, pages)
			}
			break
		}
		p.Before = got.cursors[0]
	}
	eqStrings(t, "items paging back", back, want)
	eqStrings(t, "cursors paging back against paging forward", backCursors, fwdCursors)
	return pages
}

var pageTests = []test{
	{"paging back with last and before gives the items paging forward gives, in the same order", func(t *testing.T, open func(*testing.T) domain.Store) {
		s := open(t)
		b := synth.Generate(5, planSynthCities)
		mustApply(t, s, b)
		o := newPlanOracle(b)
		keysOf := func(items []ranked[*domain.Edge], anchor domain.NodeKey) []string {
			var out []string
			for _, e := range items {
				out = append(out, e.item.Other(anchor).String())
			}
			return out
		}
		city := o.busiest(domain.KindCity, domain.EdgePartnerOf, 1)[0]
		body := o.busiest(domain.KindFundingBody, domain.EdgeFinanced, 1)[0]
		forum := o.busiest(domain.KindForum, domain.EdgeAttended, 1)[0]
		for _, c := range []struct {
			anchor domain.NodeKey
			q      domain.EdgeQuery
			size   int
		}{
			{city, domain.EdgeQuery{Kind: domain.EdgePartnerOf}, 3},
			{city, domain.EdgeQuery{Kind: domain.EdgePartnerOf, Order: domain.OrderBySince, Desc: true}, 4},
			{body, domain.EdgeQuery{Kind: domain.EdgeFinanced, Direction: domain.Out, Order: domain.OrderBySince}, 7},
			{body, domain.EdgeQuery{Kind: domain.EdgeFinanced, Direction: domain.Out, Desc: true}, 50},
			{forum, domain.EdgeQuery{Kind: domain.EdgeAttended, Direction: domain.In, Order: domain.OrderBySince}, 1},
		} {
			want := keysOf(o.relations(c.q, c.anchor), c.anchor)
			for _, p := range edgePagers(s, c.q, c.anchor) {
				t.Run(fmt.Sprintf("%s %s %s by %s desc=%v in %ds", p.name, c.anchor, c.q.Kind, c.q.Order, c.q.Desc, c.size), func(t *testing.T) {
					if n := walkBoth(t, p.read, c.size, want); n < 3 {
						t.Errorf("the walk took %d pages of %d, want at least 3 for it to test cursors", n, c.size)
					}
				})
			}
		}
		for _, c := range []struct {
			q    domain.NodeQuery
			size int
		}{
			{domain.NodeQuery{Kind: domain.KindCity, Filter: domain.NodeFilter{Grouping: o.largestGrouping()}}, 100},
			{domain.NodeQuery{Kind: domain.KindCity, Desc: true}, domain.MaxPageSize},
			{domain.NodeQuery{Kind: domain.KindProject, Order: domain.OrderByID, Desc: true}, 9},
			{domain.NodeQuery{Kind: domain.KindCountry}, 5},
		} {
			var want []string
			for _, n := range o.list(c.q) {
				want = append(want, n.item.Key().String())
			}
			for _, p := range listPagers(s, c.q) {
				t.Run(fmt.Sprintf("%s %s %+v by %s desc=%v in %ds", p.name, c.q.Kind, c.q.Filter, c.q.Order, c.q.Desc, c.size), func(t *testing.T) {
					if n := walkBoth(t, p.read, c.size, want); n < 2 {
						t.Errorf("the walk took %d pages of %d, want at least 2 for it to test cursors", n, c.size)
					}
				})
			}
		}
	}},
	{"hasPreviousPage and hasNextPage on both sides of a page", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, _ := withFixture(t, open)
		// Nanning's partners by date: Ipoh, Davao City, Yangon.
		anchor := cityKey("nanning")
		q := domain.EdgeQuery{Kind: domain.EdgePartnerOf, Order: domain.OrderBySince}
		full := edgeRead(anchor, must[[]domain.EdgePage](t)(s.Edges(context.Background(), q, []domain.NodeKey{anchor}))[0])
		eqStrings(t, "Nanning's partners by date", full.keys, []string{"City:ipoh", "City:davao-city", "City:yangon"})
		if len(full.cursors) != 3 {
			t.Fatalf("got %d cursors, want 3", len(full.cursors))
		}
		ipoh, davao, yangon := full.cursors[0], full.cursors[1], full.cursors[2]
		cases := []struct {
			name             string
			page             domain.Page
			want             []string
			hasPrev, hasNext bool
		}{
			{"the first page", domain.Page{First: 1}, []string{"ipoh"}, false, true},
			{"the whole list forward", domain.Page{First: 3}, []string{"ipoh", "davao-city", "yangon"}, false, false},
			{"a middle page forward", domain.Page{First: 1, After: ipoh}, []string{"davao-city"}, true, true},
			{"the end forward", domain.Page{First: 5, After: davao}, []string{"yangon"}, true, false},
			{"after the last item", domain.Page{First: 5, After: yangon}, nil, true, false},
			{"the last page", domain.Page{Last: 1}, []string{"yangon"}, true, false},
			{"the whole list back", domain.Page{Last: 3}, []string{"ipoh", "davao-city", "yangon"}, false, false},
			{"more back than there are", domain.Page{Last: 10}, []string{"ipoh", "davao-city", "yangon"}, false, false},
			{"a middle page back", domain.Page{Last: 1, Before: yangon}, []string{"davao-city"}, true, true},
			{"the start back", domain.Page{Last: 5, Before: davao}, []string{"ipoh"}, false, true},
			{"before the first item", domain.Page{Last: 5, Before: ipoh}, nil, false, true},
			{"first before a cursor", domain.Page{First: 1, Before: yangon}, []string{"ipoh"}, false, true},
			{"last after a cursor", domain.Page{Last: 5, After: ipoh}, []string{"davao-city", "yangon"}, true, false},
			{"between two cursors", domain.Page{First: 5, After: ipoh, Before: yangon}, []string{"davao-city"}, true, true},
			{"between two cursors, back", domain.Page{Last: 5, After: ipoh, Before: yangon}, []string{"davao-city"}, true, true},
			{"between crossed cursors", domain.Page{First: 5, After: yangon, Before: ipoh}, nil, true, true},
			{"between a cursor and itself", domain.Page{Last: 5, After: davao, Before: davao}, nil, true, true},
			{"before a position no item holds", domain.Page{Last: 2, Before: domain.Cursor{Key: "2008", ID: "City:zzz"}.Encode()}, []string{"ipoh", "davao-city"}, false, true},
		}
		for _, p := range edgePagers(s, q, anchor) {
			for _, tc := range cases {
				t.Run(p.name+" "+tc.name, func(t *testing.T) {
					got := p.read(t, tc.page)
					var want []string
					for _, id := range tc.want {
						want = append(want, cityKey(id).String())
					}
					eqStrings(t, "partners", got.keys, want)
					if got.hasPrev != tc.hasPrev || got.hasNext != tc.hasNext {
						t.Errorf("got hasPreviousPage %v, hasNextPage %v; want %v, %v", got.hasPrev, got.hasNext, tc.hasPrev, tc.hasNext)
					}
					if got.total != 3 {
						t.Errorf("got totalCount %d, want 3 whatever the cursors", got.total)
					}
				})
			}
		}
	}},
	{"a page that declines its total answers the same items with a total of 0", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, _ := withFixture(t, open)
		anchor := cityKey("nanning")
		eq := domain.EdgeQuery{Kind: domain.EdgePartnerOf}
		lq := domain.NodeQuery{Kind: domain.KindCity}
		var pagers []pager
		pagers = append(pagers, edgePagers(s, eq, anchor)...)
		pagers = append(pagers, listPagers(s, lq)...)
		for _, p := range pagers {
			for _, page := range []domain.Page{{First: 2}, {Last: 2}, {First: 50}} {
				t.Run(fmt.Sprintf("%s first %d last %d", p.name, page.First, page.Last), func(t *testing.T) {
					counted := p.read(t, page)
					page.NoTotal = true
					got := p.read(t, page)
					if got.total != 0 {
						t.Errorf("got totalCount %d with NoTotal, want 0", got.total)
					}
					if counted.total == 0 {
						t.Errorf("got totalCount 0 without NoTotal, want the list's length")
					}
					eqStrings(t, "items", got.keys, counted.keys)
					eqStrings(t, "cursors", got.cursors, counted.cursors)
					if got.hasNext != counted.hasNext || got.hasPrev != counted.hasPrev {
						t.Errorf("got hasNextPage %v, hasPreviousPage %v; want %v, %v as with the total", got.hasNext, got.hasPrev, counted.hasNext, counted.hasPrev)
					}
				})
			}
		}
	}},
	{"a page that declines its cursors answers the same page with none", func(t *testing.T, open func(*testing.T) domain.Store) {
		s := open(t)
		b := synth.Generate(5, planSynthCities)
		mustApply(t, s, b)
		o := newPlanOracle(b)
		city := o.busiest(domain.KindCity, domain.EdgePartnerOf, 1)[0]
		body := o.busiest(domain.KindFundingBody, domain.EdgeFinanced, 1)[0]
		country := o.busiest(domain.KindCountry, domain.EdgeInCountry, 1)[0]
		var pagers []pager
		for _, c := range []struct {
			anchor domain.NodeKey
			q      domain.EdgeQuery
		}{
			{city, domain.EdgeQuery{Kind: domain.EdgePartnerOf}},
			{city, domain.EdgeQuery{Kind: domain.EdgePartnerOf, Desc: true}},
			{city, domain.EdgeQuery{Kind: domain.EdgePartnerOf, PartnershipKind: domain.PartnershipSisterCity}},
			{city, domain.EdgeQuery{Kind: domain.EdgePartnerOf, Order: domain.OrderBySince}},
			{body, domain.EdgeQuery{Kind: domain.EdgeFinanced, Direction: domain.Out}},
			{country, domain.EdgeQuery{Kind: domain.EdgeInCountry, Direction: domain.In}},
		} {
			for _, p := range edgePagers(s, c.q, c.anchor) {
				p.name = fmt.Sprintf("%s %s %s by %s desc=%v %q", p.name, c.anchor, c.q.Kind, c.q.Order, c.q.Desc, c.q.PartnershipKind)
				pagers = append(pagers, p)
			}
		}
		pagers = append(pagers, listPagers(s, domain.NodeQuery{Kind: domain.KindCity})...)
		for _, p := range pagers {
			t.Run(p.name, func(t *testing.T) {
				second := p.read(t, domain.Page{First: 3}).cursors
				if len(second) < 3 {
					t.Fatalf("got %d cursors on the first page of 3, want 3 to page on from", len(second))
				}
				for _, page := range []domain.Page{{First: 3}, {Last: 3}, {First: 2, After: second[0]}, {Last: 1, Before: second[2]},
					{First: 1000}, {First: 2, NoTotal: true}, {Last: 2, NoTotal: true}} {
					with := p.read(t, page)
					page.NoCursors = true
					got := p.read(t, page)
					if got.cursors != nil {
						t.Errorf("%+v: got cursors %v, want nil", page, got.cursors)
					}
					if len(with.keys) == 0 || len(with.cursors) != len(with.keys) {
						t.Errorf("%+v without NoCursors: got %d items and %d cursors, want some items, each with its cursor", page, len(with.keys), len(with.cursors))
					}
					eqStrings(t, fmt.Sprintf("%+v: items", page), got.keys, with.keys)
					if got.total != with.total || got.hasNext != with.hasNext || got.hasPrev != with.hasPrev {
						t.Errorf("%+v: got totalCount %d, hasNextPage %v, hasPreviousPage %v; want %d, %v, %v as with cursors",
							page, got.total, got.hasNext, got.hasPrev, with.total, with.hasNext, with.hasPrev)
					}
				}
			})
		}
	}},
	{"a rename or a new relation moves the neighbours' pages to the new order", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, b := withFixture(t, open)
		var ipoh domain.Node
		for _, n := range b.Nodes {
			if n.Key() == cityKey("ipoh") {
				ipoh = n
			}
		}
		if ipoh == nil {
			t.Fatal("the fixture has no Ipoh")
		}
		ipoh.Base().Name = "Zamboanga" // from first by name among Nanning's partners to last
		mustApply(t, s, &domain.Batch{Nodes: []domain.Node{ipoh}})
		mustApply(t, s, &domain.Batch{Edges: []domain.Edge{partnership("bangkok", "nanning")}})
		for _, c := range []struct {
			anchor domain.NodeKey
			q      domain.EdgeQuery
			want   []string
		}{
			{cityKey("nanning"), domain.EdgeQuery{Kind: domain.EdgePartnerOf}, []string{"City:bangkok", "City:davao-city", "City:yangon", "City:ipoh"}},
			{cityKey("nanning"), domain.EdgeQuery{Kind: domain.EdgePartnerOf, Desc: true}, []string{"City:ipoh", "City:yangon", "City:davao-city", "City:bangkok"}},
			{cityKey("bangkok"), domain.EdgeQuery{Kind: domain.EdgePartnerOf}, []string{"City:beijing", "City:chongqing", "City:nanning"}},
			{countryKey("MY"), domain.EdgeQuery{Kind: domain.EdgeInCountry, Direction: domain.In}, []string{"City:penang", "City:ipoh"}},
		} {
			for _, p := range edgePagers(s, c.q, c.anchor) {
				t.Run(fmt.Sprintf("%s %s %s desc=%v", p.name, c.anchor, c.q.Kind, c.q.Desc), func(t *testing.T) {
					walkBoth(t, p.read, 1, c.want)
				})
			}
		}
	}},
	{"pages of 1,000 on a synthetic graph", func(t *testing.T, open func(*testing.T) domain.Store) {
		s := open(t)
		b := synth.Generate(5, planSynthCities)
		mustApply(t, s, b)
		o := newPlanOracle(b)
		var cities []string
		for _, n := range o.list(domain.NodeQuery{Kind: domain.KindCity}) {
			cities = append(cities, n.item.Key().String())
		}
		if len(cities) <= domain.MaxPageSize {
			t.Fatalf("the graph has %d cities, want more than a page of %d", len(cities), domain.MaxPageSize)
		}
		for _, p := range listPagers(s, domain.NodeQuery{Kind: domain.KindCity}) {
			t.Run(p.name+" cities", func(t *testing.T) {
				first := p.read(t, domain.Page{First: domain.MaxPageSize})
				eqStrings(t, "the first 1,000 cities", first.keys, cities[:domain.MaxPageSize])
				if !first.hasNext || first.hasPrev || first.total != len(cities) {
					t.Errorf("got hasNextPage %v, hasPreviousPage %v, totalCount %d; want true, false, %d", first.hasNext, first.hasPrev, first.total, len(cities))
				}
				last := p.read(t, domain.Page{Last: domain.MaxPageSize})
				eqStrings(t, "the last 1,000 cities", last.keys, cities[len(cities)-domain.MaxPageSize:])
				if last.hasNext || !last.hasPrev {
					t.Errorf("got hasNextPage %v, hasPreviousPage %v; want false, true", last.hasNext, last.hasPrev)
				}
			})
		}
		body := o.busiest(domain.KindFundingBody, domain.EdgeFinanced, 1)[0]
		q := domain.EdgeQuery{Kind: domain.EdgeFinanced, Direction: domain.Out}
		var financed []string
		for _, e := range o.relations(q, body) {
			financed = append(financed, e.item.Other(body).String())
		}
		if len(financed) <= 100 {
			t.Fatalf("%s financed %d projects, want more than the old page size of 100", body, len(financed))
		}
		for _, p := range edgePagers(s, q, body) {
			t.Run(p.name+" financings", func(t *testing.T) {
				for _, page := range []domain.Page{{First: domain.MaxPageSize}, {Last: domain.MaxPageSize}} {
					got := p.read(t, page)
					eqStrings(t, fmt.Sprintf("%s's financings in one page (first %d, last %d)", body, page.First, page.Last), got.keys, financed)
					if got.hasNext || got.hasPrev || got.total != len(financed) {
						t.Errorf("got hasNextPage %v, hasPreviousPage %v, totalCount %d; want false, false, %d", got.hasNext, got.hasPrev, got.total, len(financed))
					}
				}
			})
		}
	}},
	{"first and last together are refused, naming both", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, _ := withFixture(t, open)
		page := domain.Page{First: 2, Last: 3}
		reads := map[string]func() error{
			"Edges": func() error {
				_, err := s.Edges(context.Background(), domain.EdgeQuery{Kind: domain.EdgePartnerOf, Page: page}, []domain.NodeKey{cityKey("nanning")})
				return err
			},
			"ListNodes": func() error {
				_, err := s.ListNodes(context.Background(), domain.NodeQuery{Kind: domain.KindCity, Page: page})
				return err
			},
		}
		if r, ok := s.(domain.PlanRunner); ok {
			reads["Run"] = func() error {
				_, err := r.Run(context.Background(), &domain.Plan{Roots: []domain.Root{{List: &domain.NodeQuery{Kind: domain.KindCity, Page: page}}}})
				return err
			}
		}
		for name, read := range reads {
			t.Run(name, func(t *testing.T) {
				e := wantCode(t, read(), domain.EINVALID)
				if msg := e.Error(); !strings.Contains(msg, "first") || !strings.Contains(msg, "last") {
					t.Errorf("got %q, want a message naming first and last", msg)
				}
			})
		}
	}},
}
