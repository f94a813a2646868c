package storetest

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/citygraph/citygraph/domain"
)

// batchCounts is the report a fresh store must give for b: everything created.
func batchCounts(b *domain.Batch) domain.Report {
	var r domain.Report
	for _, n := range b.Nodes {
		r.AddNode(n.Key().Kind, true, true)
	}
	for _, e := range b.Edges {
		r.AddEdge(e.Kind, true, true)
	}
	return r
}

// allUnchanged is the report for applying b again.
func allUnchanged(b *domain.Batch) domain.Report {
	var r domain.Report
	for _, n := range b.Nodes {
		r.AddNode(n.Key().Kind, false, false)
	}
	for _, e := range b.Edges {
		r.AddEdge(e.Kind, false, false)
	}
	return r
}

func eqReport(t *testing.T, got, want domain.Report) {
	t.Helper()
	if !reflect.DeepEqual(got.Nodes, want.Nodes) {
		t.Errorf("node counts:\n got %v\nwant %v", got.Nodes, want.Nodes)
	}
	if !reflect.DeepEqual(got.Edges, want.Edges) {
		t.Errorf("edge counts:\n got %v\nwant %v", got.Edges, want.Edges)
	}
}

func hanoi() *domain.City {
	return &domain.City{Meta: domain.Meta{ID: "hanoi", Name: "Hanoi", NameZh: "河内", Sources: []string{SrcReferenceFact}},
		Division: domain.DivisionCity, Location: &domain.GeoPoint{Lat: 21.028, Lon: 105.854}, IsCapital: true}
}

func partnership(a, b string) domain.Edge {
	return domain.Edge{Kind: domain.EdgePartnerOf, From: cityKey(a), To: cityKey(b), PartnershipKind: domain.PartnershipSisterCity,
		Status: domain.PartnershipEstablished, Since: "2010", Sources: []string{SrcSisterCities}}
}

var applyTests = []test{
	{"a fresh batch reports every node and edge created", func(t *testing.T, open func(*testing.T) domain.Store) {
		s := open(t)
		b := Forum2015(t)
		eqReport(t, mustApply(t, s, b), batchCounts(b))
	}},
	{"applying the same batch twice reports everything unchanged", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, b := withFixture(t, open)
		eqReport(t, mustApply(t, s, b), allUnchanged(b))
	}},
	{"the stored nodes read back as written", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, b := withFixture(t, open)
		got := must[[]domain.Node](t)(s.Nodes(context.Background(), nodeKeys(b)))
		for i, n := range b.Nodes {
			if !sameValue(got[i], n) {
				t.Errorf("node %s:\n got %+v\nwant %+v", n.Key(), got[i], n)
			}
		}
	}},
	{"an edited node reports updated and is merged into the stored one", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, _ := withFixture(t, open)
		want := cityByID(Forum2015(t), "nanning")
		want.Population, want.PopulationYear = 8_741_584, 2020
		n := cityByID(Forum2015(t), "nanning")
		n.Population, n.PopulationYear = 8_741_584, 2020
		n.Description, n.NameZh, n.Location = "", "", nil // merge: what a record leaves out is kept
		var wantReport domain.Report
		wantReport.AddNode(domain.KindCity, false, true)
		eqReport(t, mustApply(t, s, &domain.Batch{Nodes: []domain.Node{n}}), wantReport)
		got := must[[]domain.Node](t)(s.Nodes(context.Background(), []domain.NodeKey{cityKey("nanning")}))
		if !sameValue(got[0], want) {
			t.Errorf("got %+v, want %+v", got[0], want)
		}
	}},
	{"an edited edge reports updated", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, _ := withFixture(t, open)
		e := partnership("nanning", "davao-city")
		var want domain.Report
		want.AddEdge(domain.EdgePartnerOf, false, true)
		eqReport(t, mustApply(t, s, &domain.Batch{Edges: []domain.Edge{e}}), want)
		p := must[[]domain.EdgePage](t)(s.Edges(context.Background(), domain.EdgeQuery{Kind: domain.EdgePartnerOf,
			PartnershipKind: domain.PartnershipSisterCity}, []domain.NodeKey{cityKey("nanning")}))
		if len(p[0].Items) != 1 || p[0].Items[0].Since != "2010" {
			t.Errorf("got %+v, want the partnership with Davao City since 2010", p[0].Items)
		}
	}},
	{"a partnership written from the other end is the same relation", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, b := withFixture(t, open)
		var e domain.Edge
		for _, x := range b.Edges {
			if x.Kind == domain.EdgePartnerOf && x.From.ID == "nanning" && x.To.ID == "davao-city" {
				e = x
			}
		}
		e.From, e.To = e.To, e.From
		var want domain.Report
		want.AddEdge(domain.EdgePartnerOf, false, false)
		eqReport(t, mustApply(t, s, &domain.Batch{Edges: []domain.Edge{e}}), want)
	}},
	{"a dry run counts but writes nothing", func(t *testing.T, open func(*testing.T) domain.Store) {
		s := open(t)
		b := Forum2015(t)
		r, err := s.Apply(context.Background(), b, domain.ApplyOptions{DryRun: true})
		if err != nil {
			t.Fatal(err)
		}
		eqReport(t, r, batchCounts(b))
		got := must[[]domain.Node](t)(s.Nodes(context.Background(), nodeKeys(b)))
		for i, n := range got {
			if n != nil {
				t.Errorf("dry run stored %s", b.Nodes[i].Key())
			}
		}
	}},
	{"a dry run of an invalid batch is EINVALID", func(t *testing.T, open func(*testing.T) domain.Store) {
		s := open(t)
		_, err := s.Apply(context.Background(), &domain.Batch{Nodes: []domain.Node{hanoi()}}, domain.ApplyOptions{DryRun: true})
		e := wantCode(t, err, domain.EINVALID)
		if !hasProblemAbout(e, "City:hanoi") {
			t.Errorf("problems %v do not name City:hanoi (its source is not stored)", e.Problems)
		}
	}},
	{"an empty batch changes nothing", func(t *testing.T, open func(*testing.T) domain.Store) {
		s := open(t)
		r, err := s.Apply(context.Background(), &domain.Batch{}, domain.ApplyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Nodes)+len(r.Edges) != 0 {
			t.Errorf("got report %+v, want empty", r)
		}
	}},
	{"invalid batches are rejected whole and change nothing", testInvalidBatches},
	{"a batch applied in parts ends as one transaction would", func(t *testing.T, open func(*testing.T) domain.Store) {
		s := open(t)
		b := Forum2015(t)
		var calls, last, total int
		progress := func(done, all int) {
			if done < last || all != len(b.Nodes)+len(b.Edges) {
				t.Errorf("progress %d/%d after %d: want rising counts of the batch's %d rows", done, all, last, len(b.Nodes)+len(b.Edges))
			}
			calls, last, total = calls+1, done, all
		}
		rep, err := s.Apply(context.Background(), b, domain.ApplyOptions{BatchRows: 7, Progress: progress})
		if err != nil {
			t.Fatal(err)
		}
		eqReport(t, rep, batchCounts(b))
		if calls > 0 && last != total {
			t.Errorf("progress ended at %d/%d", last, total)
		}
		got := must[[]domain.Node](t)(s.Nodes(context.Background(), nodeKeys(b)))
		for i, n := range b.Nodes {
			if !sameValue(got[i], n) {
				t.Errorf("node %s:\n got %+v\nwant %+v", n.Key(), got[i], n)
			}
		}
		// Everything unchanged on a whole reapply means every node and
		// relation is stored, and stored as written.
		eqReport(t, mustApply(t, s, b), allUnchanged(b))
	}},
	{"an invalid batch applied in parts writes nothing", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, b := withFixture(t, open)
		before := snapshot(t, s, b, cityKey("hanoi"))
		noSource := partnership("hanoi", "bangkok")
		noSource.Sources = []string{"no-such-source"}
		bad := &domain.Batch{Nodes: []domain.Node{hanoi()}, Edges: []domain.Edge{partnership("hanoi", "nanning"), noSource}}
		_, err := s.Apply(context.Background(), bad, domain.ApplyOptions{BatchRows: 1})
		e := wantCode(t, err, domain.EINVALID)
		if !hasProblemAbout(e, noSource.Key().String()) {
			t.Errorf("no problem names %s; got %v", noSource.Key(), e.Problems)
		}
		if after := snapshot(t, s, b, cityKey("hanoi")); !sameValue(before, after) {
			t.Errorf("the failed batch changed the store:\nbefore %+v\n after %+v", before, after)
		}
	}},
}

func cityByID(b *domain.Batch, id string) *domain.City {
	for _, n := range b.Nodes {
		if c, ok := n.(*domain.City); ok && c.ID == id {
			return c
		}
	}
	panic("fixture has no city " + id)
}

func testInvalidBatches(t *testing.T, open func(*testing.T) domain.Store) {
	badUTF8 := hanoi()
	badUTF8.Name = "Ha\xffnoi"
	badDivision := hanoi()
	badDivision.Division = "metropolis"
	noSource := hanoi()
	noSource.Sources = []string{"no-such-source"}
	negative := domain.Edge{Kind: domain.EdgeFinanced, From: fbKey("aiib"), To: projKey("metro-manila-flood"),
		Amount: &domain.Money{Amount: -100, Currency: "USD"}, Sources: []string{SrcProjects}}
	badDate := partnership("nanning", "bangkok")
	badDate.Since = "2015-13-01"
	badKind := partnership("nanning", "bangkok")
	badKind.PartnershipKind = "twin_town"
	self := partnership("nanning", "nanning")
	unknownEnd := partnership("nanning", "atlantis")
	edgeNoSource := partnership("nanning", "bangkok")
	edgeNoSource.Sources = []string{"no-such-source"}
	wrongEnds := domain.Edge{Kind: domain.EdgeOrganised, From: cityKey("nanning"), To: Forum2015Key, Role: domain.RoleHost, Sources: []string{SrcArticle}}
	bangkokNanning := partnership("bangkok", "nanning")
	nanningBangkok := partnership("nanning", "bangkok")
	key := func(e domain.Edge) string { return e.Key().String() }

	cases := []struct {
		name  string
		batch *domain.Batch
		about string // the thing a problem must name
	}{
		{"edge to an unknown node", &domain.Batch{Nodes: []domain.Node{hanoi()}, Edges: []domain.Edge{unknownEnd}}, key(unknownEnd)},
		{"node citing an unknown source", &domain.Batch{Nodes: []domain.Node{noSource}}, "City:hanoi"},
		{"edge citing an unknown source", &domain.Batch{Nodes: []domain.Node{hanoi()}, Edges: []domain.Edge{edgeNoSource}}, key(edgeNoSource)},
		{"duplicate node in the batch", &domain.Batch{Nodes: []domain.Node{hanoi(), hanoi()}}, "City:hanoi"},
		{"the same partnership twice, from both ends", &domain.Batch{Edges: []domain.Edge{nanningBangkok, bangkokNanning}}, key(nanningBangkok)},
		{"partnership of a city with itself", &domain.Batch{Nodes: []domain.Node{hanoi()}, Edges: []domain.Edge{self}}, key(self)},
		{"unknown partnership kind", &domain.Batch{Nodes: []domain.Node{hanoi()}, Edges: []domain.Edge{badKind}}, key(badKind)},
		{"unknown division", &domain.Batch{Nodes: []domain.Node{badDivision}}, "City:hanoi.division"},
		{"impossible date", &domain.Batch{Nodes: []domain.Node{hanoi()}, Edges: []domain.Edge{badDate}}, key(badDate) + ".since"},
		{"negative amount", &domain.Batch{Nodes: []domain.Node{hanoi()}, Edges: []domain.Edge{negative}}, key(negative) + ".amount"},
		{"invalid UTF-8", &domain.Batch{Nodes: []domain.Node{badUTF8}}, "City:hanoi.name"},
		{"relation between the wrong kinds", &domain.Batch{Nodes: []domain.Node{hanoi()}, Edges: []domain.Edge{wrongEnds}}, key(wrongEnds)},
		{"nil node", &domain.Batch{Nodes: []domain.Node{hanoi(), nil}}, ""},
		{"funding body without its acronym", &domain.Batch{Nodes: []domain.Node{&domain.FundingBody{
			Meta: domain.Meta{ID: "new-bank", Name: "A New Bank", Sources: []string{SrcArticle}}}}}, "FundingBody:new-bank.acronym"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, b := withFixture(t, open)
			before := snapshot(t, s, b, cityKey("hanoi"))
			_, err := s.Apply(context.Background(), tc.batch, domain.ApplyOptions{})
			e := wantCode(t, err, domain.EINVALID)
			if len(e.Problems) == 0 {
				t.Errorf("error %q lists no problems", e.Message)
			}
			if tc.about != "" && !hasProblemAbout(e, tc.about) {
				t.Errorf("no problem names %s; got %v", tc.about, e.Problems)
			}
			after := snapshot(t, s, b, cityKey("hanoi"))
			if !sameValue(before, after) {
				t.Errorf("the failed batch changed the store:\nbefore %+v\n after %+v", before, after)
			}
		})
	}
}

// fmtKeys is a short form of keys for messages.
func fmtKeys(keys []domain.NodeKey) string { return fmt.Sprint(keys) }
