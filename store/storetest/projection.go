package storetest

import (
	"context"
	"testing"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/synth"
)

// The Projection group checks plans that list the fields they read
// (domain.Projection) and pages that ask for their total alone
// (domain.Page.NoItems). A projected answer is compared with the oracle's
// and the single reads' in the fields listed only: the fields not listed
// are the store's to fill or leave zero (see domain.Projection).
var projectionTests = []test{
	{"projected plans answer the fields asked", func(t *testing.T, open func(*testing.T) domain.Store) {
		// Every projection on the fixture; the typical one on a synthetic
		// graph too, where pages are full and far ends shared.
		for name, b := range map[string]*domain.Batch{"fixture": Forum2015(t), "synthetic": synth.Generate(5, planSynthCities)} {
			g := openPlanGraph(t, open, b)
			projs := sampleProjections()
			if name == "synthetic" {
				projs = projs[:1]
			}
			for _, proj := range projs {
				for _, c := range planShapes(g.o) {
					p := clonePlan(c.plan)
					p.Fields = proj.fields
					t.Run(name+"/"+proj.name+"/"+c.name, func(t *testing.T) { g.check(t, p) })
				}
			}
		}
	}},
	{"a page that asks for its total alone has no items", func(t *testing.T, open func(*testing.T) domain.Store) {
		g := openPlanGraph(t, open, synth.Generate(5, planSynthCities))
		city := g.o.busiest(domain.KindCity, domain.EdgePartnerOf, 1)[0]
		q := domain.EdgeQuery{Kind: domain.EdgePartnerOf, Page: domain.Page{First: 2, NoItems: true}}
		p := domain.Plan{Roots: []domain.Root{
			{Keys: []domain.NodeKey{city}, Reach: domain.Reach{Follow: []domain.Follow{{Query: q, Ends: &domain.Reach{}}}}},
			{List: &domain.NodeQuery{Kind: domain.KindCity, Page: domain.Page{First: 5, NoItems: true}}},
		}}
		got := g.check(t, p)
		if err := q.Normalize(); err != nil {
			t.Fatal(err)
		}
		page, ok := got.Page(q, city)
		want := len(g.o.relations(q, city))
		if !ok || len(page.Items)+len(page.Cursors) != 0 || page.HasNextPage || page.TotalCount != want || want < 2 {
			t.Errorf("%s's partners, total alone: got %+v (answered %v), want no items, no next page and totalCount %d (at least 2)", city, page, ok, want)
		}
		for sig, list := range got.Lists {
			if len(list.Items) != 0 || list.TotalCount < 5 {
				t.Errorf("list %s, total alone: got %d items and totalCount %d, want none and the number of cities", sig, len(list.Items), list.TotalCount)
			}
		}
		for k := range got.Nodes {
			if k != city {
				t.Errorf("got node %s in the answers; a page of no items reaches no far end", k)
			}
		}
	}},
	{"rejects projections of unknown kinds and fields", func(t *testing.T, open func(*testing.T) domain.Store) {
		g := openPlanGraph(t, open, Forum2015(t))
		root := []domain.Root{{Keys: []domain.NodeKey{cityKey("nanning")}}}
		for name, proj := range map[string]domain.Projection{
			"an unknown node kind":       {Nodes: map[domain.Kind][]string{"Planet": {"name"}}},
			"a field the kind has not":   {Nodes: map[domain.Kind][]string{domain.KindCity: {"acronym"}}},
			"an unknown relation kind":   {Edges: map[domain.EdgeKind][]string{"LIKES": {"since"}}},
			"an unknown relation field":  {Edges: map[domain.EdgeKind][]string{domain.EdgePartnerOf: {"colour"}}},
			"a node field on a relation": {Edges: map[domain.EdgeKind][]string{domain.EdgePartnerOf: {"population"}}},
		} {
			t.Run(name, func(t *testing.T) {
				_, err := g.run.Run(context.Background(), &domain.Plan{Roots: root, Fields: &proj})
				wantCode(t, err, domain.EINVALID)
			})
		}
	}},
}

// sampleProjections are the projections the group runs every plan shape
// with: the fields a typical query reads, none but the names, and every
// field of some kinds with the others read whole.
func sampleProjections() []struct {
	name   string
	fields *domain.Projection
} {
	typical := &domain.Projection{Nodes: map[domain.Kind][]string{}, Edges: map[domain.EdgeKind][]string{}}
	names := &domain.Projection{Nodes: map[domain.Kind][]string{}, Edges: map[domain.EdgeKind][]string{}}
	for _, k := range domain.Kinds {
		typical.Nodes[k], names.Nodes[k] = []string{"name", "nameZh", "sources"}, []string{"name"}
	}
	typical.Nodes[domain.KindCity] = []string{"name", "population", "location", "isCapital"}
	typical.Nodes[domain.KindFundingBody] = []string{"acronym", "capital"}
	for _, k := range domain.EdgeKinds {
		typical.Edges[k], names.Edges[k] = []string{"since", "sources"}, []string{}
	}
	typical.Edges[domain.EdgeFinanced] = []string{"amount", "instrument"}
	typical.Edges[domain.EdgePartnerOf] = []string{"partnershipKind", "status", "through"}
	some := &domain.Projection{
		Nodes: map[domain.Kind][]string{domain.KindCity: domain.ProjectableNodeFields(domain.KindCity), domain.KindCountry: {}},
		Edges: map[domain.EdgeKind][]string{domain.EdgePartnerOf: domain.ProjectableEdgeFields(), domain.EdgeInCountry: {}},
	}
	return []struct {
		name   string
		fields *domain.Projection
	}{{"typical fields", typical}, {"names alone", names}, {"some kinds whole", some}}
}

// projectAnswers returns a copy of a whose nodes and relations hold only
// the fields proj lists (a itself when proj is nil).
func projectAnswers(a *domain.Answers, proj *domain.Projection) *domain.Answers {
	if proj == nil || a == nil {
		return a
	}
	out := domain.NewAnswers()
	for k, n := range a.Nodes {
		out.Nodes[k] = projectNode(n, proj)
	}
	for sig, p := range a.Lists {
		out.Lists[sig] = projectNodePage(p, proj)
	}
	for sig, m := range a.Edges {
		for anchor, p := range m {
			out.SetPage(sig, anchor, projectEdgePage(p, proj))
		}
	}
	return out
}

func projectNode(n domain.Node, proj *domain.Projection) domain.Node {
	if n == nil {
		return nil
	}
	if fields, ok := proj.NodeFieldsOf(n.Key().Kind); ok {
		return domain.ProjectNode(n, fields)
	}
	return n
}

func projectNodePage(p domain.NodePage, proj *domain.Projection) domain.NodePage {
	if proj == nil {
		return p
	}
	items := p.Items
	p.Items = nil
	for _, n := range items {
		p.Items = append(p.Items, projectNode(n, proj))
	}
	return p
}

func projectEdgePage(p domain.EdgePage, proj *domain.Projection) domain.EdgePage {
	if proj == nil {
		return p
	}
	items := p.Items
	p.Items = nil
	for _, e := range items {
		if fields, ok := proj.EdgeFieldsOf(e.Kind); ok {
			e = domain.ProjectEdge(e, fields)
		}
		p.Items = append(p.Items, e)
	}
	return p
}
