package neo4jstore_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"testing"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/store/neo4jstore"
	"github.com/citygraph/citygraph/store/storetest"
	"github.com/citygraph/citygraph/synth"
)

// These tests check Run against the single reads (Nodes, ListNodes,
// Edges): every page, node and total a plan answers must be what those
// methods answer, and Answers must hold nothing else.

func cityKey(id string) domain.NodeKey    { return domain.NodeKey{Kind: domain.KindCity, ID: id} }
func countryKey(id string) domain.NodeKey { return domain.NodeKey{Kind: domain.KindCountry, ID: id} }

// singleReads computes a plan's answers with the single-read methods, one
// call per read, as the GraphQL layer did before plans.
type singleReads struct {
	t *testing.T
	s *neo4jstore.Store
	a *domain.Answers
}

func (o *singleReads) node(k domain.NodeKey) domain.Node {
	o.t.Helper()
	ns, err := o.s.Nodes(context.Background(), []domain.NodeKey{k})
	if err != nil {
		o.t.Fatalf("Nodes(%s): %v", k, err)
	}
	o.a.Nodes[k] = ns[0]
	return ns[0]
}

func (o *singleReads) reach(n domain.Node, r *domain.Reach) {
	o.t.Helper()
	if r.Sources {
		for _, src := range n.Base().Sources {
			o.node(domain.NodeKey{Kind: domain.KindSource, ID: src})
		}
	}
	for _, f := range r.Follow {
		if f.From != "" && f.From != n.Key().Kind {
			continue
		}
		page, sig := o.page(f, n.Key())
		o.a.SetPage(sig, n.Key(), page)
		for _, e := range page.Items {
			if f.EdgeSources {
				for _, src := range e.Sources {
					o.node(domain.NodeKey{Kind: domain.KindSource, ID: src})
				}
			}
			if f.Ends != nil {
				o.reach(o.node(e.Other(n.Key())), f.Ends)
			}
		}
	}
}

// page is Edges' page for f at anchor, or for All every relation, read
// page by page.
func (o *singleReads) page(f domain.Follow, anchor domain.NodeKey) (domain.EdgePage, string) {
	o.t.Helper()
	read := func(q domain.EdgeQuery) domain.EdgePage {
		ps, err := o.s.Edges(context.Background(), q, []domain.NodeKey{anchor})
		if err != nil {
			o.t.Fatalf("Edges(%+v, %s): %v", q, anchor, err)
		}
		return ps[0]
	}
	if !f.All {
		return read(f.Query), f.Query.Signature()
	}
	q := f.Query
	q.Page = domain.Page{First: domain.MaxPageSize}
	var all domain.EdgePage
	for {
		p := read(q)
		all.Items = append(all.Items, p.Items...)
		all.Cursors = append(all.Cursors, p.Cursors...)
		if !p.HasNextPage {
			break
		}
		q.Page.After = p.Cursors[len(p.Cursors)-1]
	}
	all.TotalCount = len(all.Items)
	return all, f.Query.AllSignature()
}

func (o *singleReads) plan(p *domain.Plan) *domain.Answers {
	o.t.Helper()
	o.a = domain.NewAnswers()
	for _, r := range p.Roots {
		if r.List == nil {
			for _, k := range r.Keys {
				if n := o.node(k); n != nil {
					o.reach(n, &r.Reach)
				}
			}
			continue
		}
		page, err := o.s.ListNodes(context.Background(), *r.List)
		if err != nil {
			o.t.Fatalf("ListNodes(%+v): %v", *r.List, err)
		}
		o.a.Lists[r.List.Signature()] = page
		for _, n := range page.Items {
			o.a.Nodes[n.Key()] = n
			o.reach(n, &r.Reach)
		}
	}
	return o.a
}

// eqAnswers compares two answers entry by entry, naming what differs.
func eqAnswers(t *testing.T, got, want *domain.Answers) {
	t.Helper()
	keys := func(m map[domain.NodeKey]domain.Node) []string {
		var ks []string
		for k := range m {
			ks = append(ks, k.String())
		}
		sort.Strings(ks)
		return ks
	}
	if g, w := keys(got.Nodes), keys(want.Nodes); !slices.Equal(g, w) {
		t.Errorf("nodes read:\n got %v\nwant %v", g, w)
	}
	for k, w := range want.Nodes {
		if g := got.Nodes[k]; !reflect.DeepEqual(g, w) {
			t.Errorf("node %s:\n got %+v\nwant %+v", k, g, w)
		}
	}
	if len(got.Lists) != len(want.Lists) {
		t.Errorf("got %d lists, want %d", len(got.Lists), len(want.Lists))
	}
	for sig, w := range want.Lists {
		if g, ok := got.Lists[sig]; !ok || !reflect.DeepEqual(g, w) {
			t.Errorf("list %s:\n got %s\nwant %s", sig, fmtNodePage(g), fmtNodePage(w))
		}
	}
	if len(got.Edges) != len(want.Edges) {
		t.Errorf("got pages of %d queries, want %d", len(got.Edges), len(want.Edges))
	}
	for sig, wm := range want.Edges {
		gm := got.Edges[sig]
		if len(gm) != len(wm) {
			t.Errorf("query %s: got pages at %d anchors, want %d", sig, len(gm), len(wm))
		}
		for anchor, w := range wm {
			if g, ok := gm[anchor]; !ok || !reflect.DeepEqual(g, w) {
				t.Errorf("query %s at %s:\n got %s\nwant %s", sig, anchor, fmtEdgePage(g, anchor), fmtEdgePage(w, anchor))
			}
		}
	}
}

func fmtNodePage(p domain.NodePage) string {
	var ids []string
	for _, n := range p.Items {
		ids = append(ids, n.Key().String())
	}
	return fmt.Sprintf("%v total %d next %v (%d cursors)", ids, p.TotalCount, p.HasNextPage, len(p.Cursors))
}

func fmtEdgePage(p domain.EdgePage, anchor domain.NodeKey) string {
	var ids []string
	for _, e := range p.Items {
		ids = append(ids, e.Other(anchor).String())
	}
	return fmt.Sprintf("%v total %d next %v (%d cursors)", ids, p.TotalCount, p.HasNextPage, len(p.Cursors))
}

// checkPlan runs p and compares its answers with the single reads'.
func checkPlan(t *testing.T, s *neo4jstore.Store, p domain.Plan) *domain.Answers {
	t.Helper()
	got, err := s.Run(context.Background(), &p) // normalizes p in place
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	want := (&singleReads{t: t, s: s}).plan(&p)
	eqAnswers(t, got, want)
	items := 0
	for _, m := range want.Edges {
		for _, page := range m {
			items += len(page.Items)
		}
	}
	if items == 0 {
		t.Errorf("the plan reaches no relation, so it checks little: pick anchors that have some")
	}
	return got
}

func edgeQ(k domain.EdgeKind, d domain.Direction, first int) domain.EdgeQuery {
	return domain.EdgeQuery{Kind: k, Direction: d, Page: domain.Page{First: first}}
}

// fixturePlans are plans of every shape over storetest.Forum2015.
func fixturePlans() map[string]domain.Plan {
	partners := edgeQ(domain.EdgePartnerOf, domain.Both, 2)
	partners.Order = domain.OrderBySince
	inTH := edgeQ(domain.EdgePartnerOf, domain.Both, 10)
	inTH.OtherCountry = "TH"
	hosts := edgeQ(domain.EdgeOrganised, domain.In, 10)
	hosts.Role = domain.RoleHost
	forums := edgeQ(domain.EdgeHeldIn, domain.In, 10)
	forums.OtherKinds = []domain.Kind{domain.KindForum}
	agenda := edgeQ(domain.EdgeDiscussed, domain.Both, 1)
	agenda.Order, agenda.Desc = domain.OrderByPosition, true
	country := domain.Follow{Query: edgeQ(domain.EdgeInCountry, domain.Out, 1), Ends: &domain.Reach{}}
	return map[string]domain.Plan{
		"a forum with organisers, attendees and the bodies it called on": {Roots: []domain.Root{{
			Keys: []domain.NodeKey{storetest.Forum2015Key},
			Reach: domain.Reach{Sources: true, Follow: []domain.Follow{
				{Query: hosts, EdgeSources: true, Ends: &domain.Reach{Sources: true}},
				{Query: edgeQ(domain.EdgeOrganised, domain.In, 3), Ends: &domain.Reach{}},
				{Query: edgeQ(domain.EdgeAttended, domain.In, 5), Ends: &domain.Reach{Follow: []domain.Follow{country}}},
				{Query: edgeQ(domain.EdgeCalledOn, domain.Out, 0), All: true, EdgeSources: true, Ends: &domain.Reach{}},
				{Query: agenda}, // only the relations and their total
			}},
		}}},
		"keys of several kinds, a missing one, and follows restricted to a kind": {Roots: []domain.Root{{
			Keys: []domain.NodeKey{cityKey("nanning"), cityKey("atlantis"), countryKey("CN"), cityKey("nanning")},
			Reach: domain.Reach{Follow: []domain.Follow{
				{From: domain.KindCity, Query: partners, Ends: &domain.Reach{Follow: []domain.Follow{country}}},
				{From: domain.KindCity, Query: forums, Ends: &domain.Reach{}},
				{From: domain.KindCountry, Query: edgeQ(domain.EdgeInCountry, domain.In, 4), Ends: &domain.Reach{Sources: true}},
			}},
		}}},
		"two list roots, one after a cursor, with partners in a country": {Roots: []domain.Root{
			{List: &domain.NodeQuery{Kind: domain.KindCity, Filter: domain.NodeFilter{Grouping: synth.Grouping}, Page: domain.Page{First: 3}},
				Reach: domain.Reach{Follow: []domain.Follow{{Query: inTH, Ends: &domain.Reach{}}}}},
			{List: &domain.NodeQuery{Kind: domain.KindCity, Desc: true, Page: domain.Page{First: 4,
				After: domain.Cursor{Key: "Manila", ID: "manila"}.Encode()}},
				Reach: domain.Reach{Follow: []domain.Follow{{Query: partners}}}},
		}},
		"country, cities, partners, their country (three levels)": {Roots: []domain.Root{{
			Keys: []domain.NodeKey{countryKey("CN")},
			Reach: domain.Reach{Follow: []domain.Follow{{Query: edgeQ(domain.EdgeInCountry, domain.In, 20),
				Ends: &domain.Reach{Follow: []domain.Follow{{Query: edgeQ(domain.EdgePartnerOf, domain.Both, 10),
					Ends: &domain.Reach{Follow: []domain.Follow{country}}}}}}}},
		}}},
		"a later page of a follow": {Roots: []domain.Root{{
			Keys: []domain.NodeKey{cityKey("beijing")},
			Reach: domain.Reach{Follow: []domain.Follow{{Query: domain.EdgeQuery{Kind: domain.EdgePartnerOf, Order: domain.OrderBySince,
				Page: domain.Page{First: 1, After: domain.Cursor{Key: "", ID: "City:jakarta"}.Encode()}}, Ends: &domain.Reach{}}}},
		}}},
	}
}

func TestRunMatchesSingleReadsOnTheFixture(t *testing.T) {
	s := openEmpty(t)
	if _, err := s.Apply(context.Background(), storetest.Forum2015(t), domain.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	for name, p := range fixturePlans() {
		t.Run(name, func(t *testing.T) { checkPlan(t, s, p) })
	}
	t.Run("the same anchor reached on two paths has one entry", func(t *testing.T) {
		// Nanning is a root and the partner of its partners.
		p := domain.Plan{Roots: []domain.Root{{Keys: []domain.NodeKey{cityKey("nanning"), cityKey("ipoh")},
			Reach: domain.Reach{Follow: []domain.Follow{{Query: edgeQ(domain.EdgePartnerOf, domain.Both, 5),
				Ends: &domain.Reach{Follow: []domain.Follow{{Query: edgeQ(domain.EdgePartnerOf, domain.Both, 5)}}}}}}}}}
		a := checkPlan(t, s, p)
		if got := len(a.Edges[p.Roots[0].Reach.Follow[0].Query.Signature()]); got < 2 {
			t.Errorf("got partner pages at %d anchors, want at least Nanning's and Ipoh's", got)
		}
	})
	t.Run("pages through a follow with its cursors", func(t *testing.T) {
		q := domain.EdgeQuery{Kind: domain.EdgePartnerOf, Order: domain.OrderBySince, Page: domain.Page{First: 1}}
		var got []string
		for range 10 {
			p := domain.Plan{Roots: []domain.Root{{Keys: []domain.NodeKey{cityKey("beijing")},
				Reach: domain.Reach{Follow: []domain.Follow{{Query: q}}}}}}
			a := checkPlan(t, s, p)
			page, ok := a.Page(p.Roots[0].Reach.Follow[0].Query, cityKey("beijing"))
			if !ok {
				t.Fatal("no page for Beijing")
			}
			got = append(got, fmtEdgePage(page, cityKey("beijing")))
			if !page.HasNextPage {
				break
			}
			q.Page.After = page.Cursors[len(page.Cursors)-1]
		}
		if len(got) != 3 {
			t.Errorf("paged Beijing's 3 partners in %d pages, want 3: %v", len(got), got)
		}
	})
}

func TestRunMatchesSingleReadsOnASyntheticGraph(t *testing.T) {
	s := openEmpty(t)
	if _, err := s.Apply(context.Background(), synth.Generate(3, 2000), domain.ApplyOptions{BatchRows: 20_000}); err != nil {
		t.Fatal(err)
	}
	asOf := edgeQ(domain.EdgePartnerOf, domain.Both, 7)
	asOf.AsOf, asOf.Order, asOf.Desc = "2012", domain.OrderBySince, true
	plans := map[string]domain.Plan{
		"a city and its partners (two levels)": {Roots: []domain.Root{{
			Keys: []domain.NodeKey{cityKey("city-00042"), cityKey("city-01999")},
			Reach: domain.Reach{Sources: true, Follow: []domain.Follow{{Query: edgeQ(domain.EdgePartnerOf, domain.Both, 100),
				EdgeSources: true, Ends: &domain.Reach{}}, {Query: asOf, Ends: &domain.Reach{}}}},
		}}},
		"the cities of a country, each with its partner count": {Roots: []domain.Root{{
			List:  &domain.NodeQuery{Kind: domain.KindCity, Filter: domain.NodeFilter{Country: synth.Country(1)}, Page: domain.Page{First: 50}},
			Reach: domain.Reach{Follow: []domain.Follow{{Query: edgeQ(domain.EdgePartnerOf, domain.Both, 0)}}},
		}}},
		"country, 20 cities, 10 partners each, their country": {Roots: []domain.Root{{
			Keys: []domain.NodeKey{countryKey(synth.Country(1))},
			Reach: domain.Reach{Follow: []domain.Follow{{Query: edgeQ(domain.EdgeInCountry, domain.In, 20),
				Ends: &domain.Reach{Follow: []domain.Follow{{Query: edgeQ(domain.EdgePartnerOf, domain.Both, 10),
					Ends: &domain.Reach{Follow: []domain.Follow{{Query: edgeQ(domain.EdgeInCountry, domain.Out, 1), Ends: &domain.Reach{}}}}}}}}}},
		}}},
		"a funding body's financings with each project's places": {Roots: []domain.Root{{
			List: &domain.NodeQuery{Kind: domain.KindFundingBody, Page: domain.Page{First: 2}},
			Reach: domain.Reach{Follow: []domain.Follow{{Query: edgeQ(domain.EdgeFinanced, domain.Out, 100),
				Ends: &domain.Reach{Follow: []domain.Follow{{Query: edgeQ(domain.EdgeLocatedIn, domain.Out, 0), All: true, Ends: &domain.Reach{}}}}}}},
		}}},
	}
	for name, p := range plans {
		t.Run(name, func(t *testing.T) { checkPlan(t, s, p) })
	}
}

func TestRunRejectsBadPlans(t *testing.T) {
	s := openEmpty(t)
	for name, p := range map[string]domain.Plan{
		"a root with neither keys nor list": {Roots: []domain.Root{{}}},
		"a cursor it never gave": {Roots: []domain.Root{{Keys: []domain.NodeKey{cityKey("nanning")},
			Reach: domain.Reach{Follow: []domain.Follow{{Query: domain.EdgeQuery{Kind: domain.EdgePartnerOf, Page: domain.Page{After: "bm9wZQ"}}}}}}}},
		"an unknown relation": {Roots: []domain.Root{{Keys: []domain.NodeKey{cityKey("nanning")},
			Reach: domain.Reach{Follow: []domain.Follow{{Query: domain.EdgeQuery{Kind: "LIKES"}}}}}}},
		"a list page over the maximum": {Roots: []domain.Root{{List: &domain.NodeQuery{Kind: domain.KindCity, Page: domain.Page{First: 1001}}}}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := s.Run(context.Background(), &p)
			wantCode(t, err, domain.EINVALID)
		})
	}
}
