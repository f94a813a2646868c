package storetest

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/citygraph/citygraph/domain"
)

// writer returns s's Writer; every store must implement it.
func writer(t *testing.T, s domain.Store) domain.Writer {
	t.Helper()
	w, ok := s.(domain.Writer)
	if !ok {
		t.Fatalf("%T does not implement domain.Writer", s)
	}
	return w
}

func mustWrite(t *testing.T, s domain.Store, w *domain.Write) *domain.ChangeSet {
	t.Helper()
	cs, err := writer(t, s).Write(context.Background(), w)
	if err != nil {
		t.Fatalf("Write %s: %v", w.Operation, err)
	}
	return cs
}

// allChanges reads the whole change log, a page at a time.
func allChanges(t *testing.T, s domain.Store) []domain.ChangeSet {
	t.Helper()
	var out []domain.ChangeSet
	var after int64
	for range 1000 {
		page := must[[]domain.ChangeSet](t)(writer(t, s).Changes(context.Background(), after, 3))
		out = append(out, page...)
		if len(page) < 3 {
			return out
		}
		after = page[len(page)-1].Seq
	}
	t.Fatal("Changes never reached the end of the log")
	return nil
}

func node(t *testing.T, s domain.Store, k domain.NodeKey) domain.Node {
	t.Helper()
	return must[[]domain.Node](t)(s.Nodes(context.Background(), []domain.NodeKey{k}))[0]
}

// edgeAt returns the relation of kind between a and b as a reads it, or nil.
func edgeAt(t *testing.T, s domain.Store, kind domain.EdgeKind, a, b domain.NodeKey, asOf domain.Date) *domain.Edge {
	t.Helper()
	p := must[[]domain.EdgePage](t)(s.Edges(context.Background(), domain.EdgeQuery{Kind: kind, AsOf: asOf,
		Page: domain.Page{First: domain.MaxPageSize}}, []domain.NodeKey{a}))
	for _, e := range p[0].Items {
		if e.Other(a) == b {
			return &e
		}
	}
	return nil
}

func create(n domain.Node) domain.NodeChange { return domain.NodeChange{Mode: domain.Create, Node: n} }

func hanoiPartnership() domain.Edge {
	e := partnership("hanoi", "nanning")
	e.Since = "2010"
	return e
}

// withHanoi is the fixture plus Hanoi and its partnership with Nanning,
// written as one Write (change set 2).
func withHanoi(t *testing.T, open func(*testing.T) domain.Store) domain.Store {
	t.Helper()
	s, _ := withFixture(t, open)
	mustWrite(t, s, &domain.Write{Operation: "createCity", Author: "alice", Nodes: []domain.NodeChange{create(hanoi())},
		Edges: []domain.EdgeChange{{Mode: domain.Create, Edge: hanoiPartnership()}}})
	return s
}

var writeTests = []test{
	{"a create stores version 1 and records the whole value", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, _ := withFixture(t, open)
		cs := mustWrite(t, s, &domain.Write{Operation: "createCity", Author: "alice", Nodes: []domain.NodeChange{create(hanoi())}})
		if cs.Seq != 2 || cs.Author != "alice" || cs.Operation != "createCity" || cs.At.IsZero() {
			t.Errorf("got set %d by %q (%s) at %v, want set 2 by alice (createCity) with a time", cs.Seq, cs.Author, cs.Operation, cs.At)
		}
		got := node(t, s, cityKey("hanoi"))
		if got == nil || got.Base().Version != 1 {
			t.Fatalf("got %+v, want Hanoi at version 1", got)
		}
		eqValue(t, "Hanoi", got, hanoi())
		want := []domain.NodeDiff{{Key: cityKey("hanoi"), Version: 1, After: domain.NodeFields(hanoi())}}
		eqValue(t, "diffs", cs.Nodes, want)
		var rep domain.Report
		rep.AddNode(domain.KindCity, true, true)
		eqReport(t, cs.Report, rep)
	}},
	{"an update merges: fields not given keep their values", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, b := withFixture(t, open)
		change := &domain.City{Meta: domain.Meta{ID: "nanning", Sources: []string{SrcArticle}}, Population: 8_741_584, PopulationYear: 2020}
		cs := mustWrite(t, s, &domain.Write{Operation: "updateCity", Author: "bob", Nodes: []domain.NodeChange{{Mode: domain.Update, Node: change}}})
		want := cityByID(b, "nanning")
		want.Population, want.PopulationYear = 8_741_584, 2020
		got := node(t, s, cityKey("nanning"))
		eqValue(t, "Nanning", got, want)
		if got.Base().Version != 2 {
			t.Errorf("got version %d, want 2", got.Base().Version)
		}
		wantDiff := []domain.NodeDiff{{Key: cityKey("nanning"), Version: 2, Before: nil,
			After: map[string]any{"population": float64(8_741_584), "populationYear": float64(2020)}}}
		eqValue(t, "diffs", cs.Nodes, wantDiff)
	}},
	{"a second source adds to the sources", func(t *testing.T, open func(*testing.T) domain.Store) {
		s := withHanoi(t, open)
		change := &domain.City{Meta: domain.Meta{ID: "hanoi", Sources: []string{SrcArticle}}, Region: "Red River Delta"}
		mustWrite(t, s, &domain.Write{Operation: "updateCity", Nodes: []domain.NodeChange{{Mode: domain.Update, Node: change}}})
		got := node(t, s, cityKey("hanoi"))
		eqStrings(t, "sources", got.Base().Sources, []string{SrcReferenceFact, SrcArticle})
	}},
	{"clear sets a field to zero and records it", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, b := withFixture(t, open)
		change := &domain.City{Meta: domain.Meta{ID: "nanning", Sources: []string{SrcArticle}}}
		cs := mustWrite(t, s, &domain.Write{Operation: "updateCity", Nodes: []domain.NodeChange{
			{Mode: domain.Update, Node: change, Clear: []string{"description", "aliases"}}}})
		want := cityByID(b, "nanning")
		want.Description, want.Aliases = "", nil
		eqValue(t, "Nanning", node(t, s, cityKey("nanning")), want)
		old := cityByID(Forum2015(t), "nanning")
		wantDiff := []domain.NodeDiff{{Key: cityKey("nanning"), Version: 2,
			Before: map[string]any{"description": old.Description, "aliases": []any{old.Aliases[0]}}}}
		eqValue(t, "diffs", cs.Nodes, wantDiff)
	}},
	{"a write that changes nothing keeps the version", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, b := withFixture(t, open)
		mustWrite(t, s, &domain.Write{Operation: "updateCity", Nodes: []domain.NodeChange{{Mode: domain.Update, Node: cityByID(b, "nanning")}}})
		if v := node(t, s, cityKey("nanning")).Base().Version; v != 1 {
			t.Errorf("got version %d, want 1", v)
		}
		mustApply(t, s, b)
		if v := node(t, s, cityKey("nanning")).Base().Version; v != 1 {
			t.Errorf("after loading the same batch again: got version %d, want 1", v)
		}
	}},
	{"the expected version lets a write through or is CONFLICT with the current one", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, _ := withFixture(t, open)
		change := func(pop int64) domain.NodeChange {
			return domain.NodeChange{Mode: domain.Update, ExpectVersion: 1, Node: &domain.City{Meta: domain.Meta{ID: "nanning",
				Sources: []string{SrcArticle}}, Population: pop, PopulationYear: 2020}}
		}
		mustWrite(t, s, &domain.Write{Operation: "updateCity", Nodes: []domain.NodeChange{change(1000)}})
		before := allChanges(t, s)
		_, err := writer(t, s).Write(context.Background(), &domain.Write{Operation: "updateCity", Nodes: []domain.NodeChange{change(2000)}})
		e := wantCode(t, err, domain.ECONFLICT)
		if !strings.Contains(e.Message, "2 (the current version)") {
			t.Errorf("message %q does not give the current version 2", e.Message)
		}
		if got := node(t, s, cityKey("nanning")).(*domain.City).Population; got != 1000 {
			t.Errorf("got population %d, want 1000 (the stale write must not land)", got)
		}
		if after := allChanges(t, s); len(after) != len(before) {
			t.Errorf("got %d change sets, want %d", len(after), len(before))
		}
	}},
	{"a retried write with the same idempotency key applies once and answers the same", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, _ := withFixture(t, open)
		w := func() *domain.Write {
			return &domain.Write{Operation: "createCity", Author: "alice", IdempotencyKey: "k-1", Nodes: []domain.NodeChange{create(hanoi())}}
		}
		first := mustWrite(t, s, w())
		again := mustWrite(t, s, w())
		if !reflect.DeepEqual(first, again) {
			t.Errorf("retry answered\n%+v\nwant the first answer\n%+v", again, first)
		}
		if n := len(allChanges(t, s)); n != 2 {
			t.Errorf("got %d change sets, want 2 (the fixture and one write)", n)
		}
		// Another author's key is another write: a Create of Hanoi again.
		other := w()
		other.Author = "bob"
		_, err := writer(t, s).Write(context.Background(), other)
		wantCode(t, err, domain.ECONFLICT)
	}},
	{"a dry run checks and reports but writes nothing", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, b := withFixture(t, open)
		before := snapshot(t, s, b, cityKey("hanoi"))
		cs := mustWrite(t, s, &domain.Write{Operation: "createCity", DryRun: true, IdempotencyKey: "d", Nodes: []domain.NodeChange{create(hanoi())}})
		if cs.Seq != 0 || len(cs.Nodes) != 1 {
			t.Errorf("got set %d with %d node diffs, want 0 and 1", cs.Seq, len(cs.Nodes))
		}
		if after := snapshot(t, s, b, cityKey("hanoi")); !sameValue(before, after) {
			t.Errorf("the dry run changed the store")
		}
		if n := len(allChanges(t, s)); n != 1 {
			t.Errorf("got %d change sets, want 1", n)
		}
		// The key of a dry run is not spent.
		mustWrite(t, s, &domain.Write{Operation: "createCity", IdempotencyKey: "d", Nodes: []domain.NodeChange{create(hanoi())}})
		if node(t, s, cityKey("hanoi")) == nil {
			t.Error("the real write after the dry run stored nothing")
		}
	}},
	{"bad writes are refused with their code and change nothing", testBadWrites},
	{"ending a relation keeps it for the dates it lasted, in every read that takes a date", func(t *testing.T, open func(*testing.T) domain.Store) {
		s := withHanoi(t, open)
		end := hanoiPartnership()
		end.Until, end.Sources = "2020", []string{SrcArticle}
		cs := mustWrite(t, s, &domain.Write{Operation: "endPartnership", Edges: []domain.EdgeChange{{Mode: domain.End, Edge: end, ExpectVersion: 1}}})
		wantDiff := []domain.EdgeDiff{{Key: end.Key(), Version: 2, After: map[string]any{"until": "2020",
			"sources": []any{SrcSisterCities, SrcArticle}}, Before: map[string]any{"sources": []any{SrcSisterCities}}}}
		eqValue(t, "diffs", cs.Edges, wantDiff)
		for _, c := range []struct {
			asOf domain.Date
			want bool
		}{{"", true}, {"2009", false}, {"2010", true}, {"2015-06-01", true}, {"2019-12", true}, {"2020", false}, {"2020-05", false}, {"2024", false}} {
			e := edgeAt(t, s, domain.EdgePartnerOf, cityKey("nanning"), cityKey("hanoi"), c.asOf)
			if (e != nil) != c.want {
				t.Errorf("as of %q: got partnership %v, want %v", c.asOf, e != nil, c.want)
			}
			if e != nil && (e.Until != "2020" || e.Version != 2) {
				t.Errorf("as of %q: got until %q version %d, want 2020 and 2", c.asOf, e.Until, e.Version)
			}
			paths := must[[]domain.Path](t)(s.Paths(context.Background(), domain.PathQuery{From: "hanoi", To: "nanning",
				Via: []domain.LinkKind{domain.LinkPartnership}, AsOf: c.asOf}))
			if (len(paths) > 0) != c.want {
				t.Errorf("as of %q: got %d paths from Hanoi to Nanning, want a path: %v", c.asOf, len(paths), c.want)
			}
			q := domain.EdgeQuery{Kind: domain.EdgePartnerOf, AsOf: c.asOf, Page: domain.Page{First: 10}}
			ans := must[*domain.Answers](t)(planRunner(t, s).Run(context.Background(), &domain.Plan{Roots: []domain.Root{
				{Keys: []domain.NodeKey{cityKey("hanoi")}, Reach: domain.Reach{Follow: []domain.Follow{{Query: q}}}}}}))
			if err := q.Normalize(); err != nil {
				t.Fatal(err)
			}
			if page, _ := ans.Page(q, cityKey("hanoi")); (len(page.Items) == 1) != c.want {
				t.Errorf("as of %q: a plan reads %d partnerships of Hanoi, want the partnership: %v", c.asOf, len(page.Items), c.want)
			}
			ranked := must[[]domain.RankedCity](t)(s.RankCities(context.Background(), domain.RankQuery{Metric: domain.RankByPartners,
				AsOf: c.asOf, First: domain.MaxUnpagedRows}))
			var partners int64
			for _, r := range ranked {
				if r.City == "hanoi" {
					partners = r.Value
				}
			}
			if (partners == 1) != c.want {
				t.Errorf("as of %q: ranking gives Hanoi %d partners, want the partnership counted: %v", c.asOf, partners, c.want)
			}
		}
	}},
	{"ending a relation before it began is INVALID", func(t *testing.T, open func(*testing.T) domain.Store) {
		s := withHanoi(t, open)
		end := hanoiPartnership()
		end.Until, end.Sources = "2009", []string{SrcArticle}
		_, err := writer(t, s).Write(context.Background(), &domain.Write{Operation: "endPartnership", Edges: []domain.EdgeChange{{Mode: domain.End, Edge: end}}})
		e := wantCode(t, err, domain.EINVALID)
		if !hasProblemAbout(e, end.Key().String()+".until") {
			t.Errorf("no problem names %s.until: %v", end.Key(), e.Problems)
		}
	}},
	{"deleting a node deletes its relations and records them", func(t *testing.T, open func(*testing.T) domain.Store) {
		s := withHanoi(t, open)
		cs := mustWrite(t, s, &domain.Write{Operation: "deleteCity", Author: "root", Nodes: []domain.NodeChange{
			{Mode: domain.Delete, Node: &domain.City{Meta: domain.Meta{ID: "hanoi"}}}}})
		if node(t, s, cityKey("hanoi")) != nil {
			t.Error("Hanoi is still stored")
		}
		if e := edgeAt(t, s, domain.EdgePartnerOf, cityKey("nanning"), cityKey("hanoi"), ""); e != nil {
			t.Errorf("the partnership with Hanoi is still stored: %+v", e)
		}
		if len(cs.Nodes) != 1 || cs.Nodes[0].After != nil || cs.Nodes[0].Before["name"] != "Hanoi" {
			t.Errorf("node diffs %+v, want Hanoi's fields before and none after", cs.Nodes)
		}
		if len(cs.Edges) != 1 || cs.Edges[0].Key != func() domain.EdgeKey { e := hanoiPartnership(); return e.Key() }() || cs.Edges[0].After != nil {
			t.Errorf("relation diffs %+v, want the partnership removed", cs.Edges)
		}
		if c := cs.Report.Nodes[domain.KindCity].Deleted + cs.Report.Edges[domain.EdgePartnerOf].Deleted; c != 2 {
			t.Errorf("report %+v, want one city and one partnership deleted", cs.Report)
		}
		// The graph's lists and indexes forget it.
		if ids := listAll(t, s, domain.NodeQuery{Kind: domain.KindCity, Order: domain.OrderByID}); slices.Contains(ids, "hanoi") {
			t.Errorf("the city list still holds Hanoi: %v", ids)
		}
		// And it can be created again, at version 1.
		mustWrite(t, s, &domain.Write{Operation: "createCity", Nodes: []domain.NodeChange{create(hanoi())}})
		if v := node(t, s, cityKey("hanoi")).Base().Version; v != 1 {
			t.Errorf("recreated Hanoi has version %d, want 1", v)
		}
	}},
	{"a source that nothing else cites can be deleted, with what cites it in the same write", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, _ := withFixture(t, open)
		src := &domain.Source{Meta: domain.Meta{ID: "new-source", Name: "A new source"}, Publisher: "Someone"}
		city := hanoi()
		city.Sources = []string{"new-source"}
		mustWrite(t, s, &domain.Write{Operation: "createCity", Nodes: []domain.NodeChange{create(src), create(city)}})
		del := func(n domain.Node) domain.NodeChange { return domain.NodeChange{Mode: domain.Delete, Node: n} }
		_, err := writer(t, s).Write(context.Background(), &domain.Write{Operation: "deleteSource", Nodes: []domain.NodeChange{del(src)}})
		if e := wantCode(t, err, domain.ECONFLICT); !strings.Contains(e.Message, "City:hanoi") {
			t.Errorf("message %q does not name City:hanoi, which cites the source", e.Message)
		}
		mustWrite(t, s, &domain.Write{Operation: "deleteSource", Nodes: []domain.NodeChange{del(src), del(&domain.City{Meta: domain.Meta{ID: "hanoi"}})}})
		if got := must[[]domain.Node](t)(s.Nodes(context.Background(), []domain.NodeKey{src.Key(), cityKey("hanoi")})); got[0] != nil || got[1] != nil {
			t.Errorf("got %v, want both deleted", got)
		}
	}},
	{"a load records one import change set by its author", func(t *testing.T, open func(*testing.T) domain.Store) {
		s := open(t)
		b := Forum2015(t)
		if _, err := s.Apply(context.Background(), b, domain.ApplyOptions{Author: "loader"}); err != nil {
			t.Fatal(err)
		}
		mustApply(t, s, b) // unchanged: no second set
		log := allChanges(t, s)
		if len(log) != 1 {
			t.Fatalf("got %d change sets, want 1", len(log))
		}
		cs := log[0]
		if cs.Seq != 1 || cs.Operation != "import" || cs.Author != "loader" || len(cs.Nodes) != len(b.Nodes) || len(cs.Edges) != len(b.Edges) {
			t.Errorf("got set %d %s by %s with %d nodes and %d relations, want set 1, import by loader, %d and %d",
				cs.Seq, cs.Operation, cs.Author, len(cs.Nodes), len(cs.Edges), len(b.Nodes), len(b.Edges))
		}
		eqReport(t, cs.Report, batchCounts(b))
		hanoiOnly := &domain.Batch{Nodes: []domain.Node{hanoi()}}
		mustApply(t, s, hanoiOnly)
		if log := allChanges(t, s); len(log) != 2 || log[1].Author != domain.DefaultImportAuthor {
			t.Errorf("a load without an author: got %+v, want set 2 by %q", log[len(log)-1], domain.DefaultImportAuthor)
		}
	}},
	{"a load is merged, not replaced", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, b := withFixture(t, open)
		less := &domain.City{Meta: domain.Meta{ID: "nanning", Name: "Nanning", Sources: []string{SrcCityLocations}}, Division: domain.DivisionCity}
		var want domain.Report
		want.AddNode(domain.KindCity, false, false)
		eqReport(t, mustApply(t, s, &domain.Batch{Nodes: []domain.Node{less}}), want)
		eqValue(t, "Nanning", node(t, s, cityKey("nanning")), cityByID(b, "nanning"))
	}},
}

func testBadWrites(t *testing.T, open func(*testing.T) domain.Store) {
	noSource := hanoi()
	noSource.Sources = nil
	unknownSource := hanoi()
	unknownSource.Sources = []string{"no-such-source"}
	atlantis := partnership("hanoi", "atlantis")
	self := partnership("hanoi", "hanoi")
	edgeNoSource := partnership("hanoi", "bangkok")
	edgeNoSource.Sources = nil
	key := func(e domain.Edge) string { return e.Key().String() }
	cases := []struct {
		name  string
		write *domain.Write
		code  domain.Code
		about string
	}{
		{"an update of an unknown node", &domain.Write{Nodes: []domain.NodeChange{{Mode: domain.Update,
			Node: &domain.City{Meta: domain.Meta{ID: "atlantis", Sources: []string{SrcArticle}}}}}}, domain.ENOTFOUND, "City:atlantis"},
		{"a delete of an unknown node", &domain.Write{Nodes: []domain.NodeChange{{Mode: domain.Delete,
			Node: &domain.City{Meta: domain.Meta{ID: "atlantis"}}}}}, domain.ENOTFOUND, "City:atlantis"},
		{"an end of an unknown relation", &domain.Write{Edges: []domain.EdgeChange{{Mode: domain.End,
			Edge: func() domain.Edge { e := partnership("nanning", "hanoi"); e.Until = "2020"; return e }()}}}, domain.ENOTFOUND, key(partnership("nanning", "hanoi"))},
		{"a relation whose end does not exist", &domain.Write{Nodes: []domain.NodeChange{create(hanoi())},
			Edges: []domain.EdgeChange{{Mode: domain.Create, Edge: atlantis}}}, domain.EINVALID, key(atlantis) + ".from"},
		{"a city partnered with itself", &domain.Write{Nodes: []domain.NodeChange{create(hanoi())},
			Edges: []domain.EdgeChange{{Mode: domain.Create, Edge: self}}}, domain.EINVALID, self.Key().String()},
		{"a create of a stored node", &domain.Write{Nodes: []domain.NodeChange{create(cityByID(Forum2015(t), "nanning"))}}, domain.ECONFLICT, "City:nanning"},
		{"a stale version", &domain.Write{Nodes: []domain.NodeChange{{Mode: domain.Update, ExpectVersion: 7,
			Node: &domain.City{Meta: domain.Meta{ID: "nanning", Sources: []string{SrcArticle}}, Population: 1}}}}, domain.ECONFLICT, "City:nanning.version"},
		{"a node without a source", &domain.Write{Nodes: []domain.NodeChange{create(noSource)}}, domain.EINVALID, "City:hanoi.sources"},
		{"an update without a source", &domain.Write{Nodes: []domain.NodeChange{{Mode: domain.Update,
			Node: &domain.City{Meta: domain.Meta{ID: "nanning"}, Population: 1, PopulationYear: 2020}}}}, domain.EINVALID, "City:nanning.sources"},
		{"a relation without a source", &domain.Write{Nodes: []domain.NodeChange{create(hanoi())},
			Edges: []domain.EdgeChange{{Mode: domain.Create, Edge: edgeNoSource}}}, domain.EINVALID, edgeNoSource.Key().String() + ".sources"},
		{"a source that does not exist", &domain.Write{Nodes: []domain.NodeChange{create(unknownSource)}}, domain.EINVALID, "City:hanoi.sources[0]"},
		{"clearing an unknown field", &domain.Write{Nodes: []domain.NodeChange{{Mode: domain.Update, Clear: []string{"mayor"},
			Node: &domain.City{Meta: domain.Meta{ID: "nanning", Sources: []string{SrcArticle}}}}}}, domain.EINVALID, "City:nanning.clear"},
		{"clearing a required field", &domain.Write{Nodes: []domain.NodeChange{{Mode: domain.Update, Clear: []string{"name"},
			Node: &domain.City{Meta: domain.Meta{ID: "nanning", Sources: []string{SrcArticle}}}}}}, domain.EINVALID, "City:nanning.name"},
		{"a node twice", &domain.Write{Nodes: []domain.NodeChange{create(hanoi()), create(hanoi())}}, domain.EINVALID, "City:hanoi"},
		{"a relation to a node the write deletes", &domain.Write{Nodes: []domain.NodeChange{create(hanoi()),
			{Mode: domain.Delete, Node: &domain.City{Meta: domain.Meta{ID: "bangkok"}}}},
			Edges: []domain.EdgeChange{{Mode: domain.Create, Edge: partnership("hanoi", "bangkok")}}}, domain.EINVALID, key(partnership("hanoi", "bangkok"))},
		{"a delete of a source that facts cite", &domain.Write{Nodes: []domain.NodeChange{{Mode: domain.Delete,
			Node: &domain.Source{Meta: domain.Meta{ID: SrcSisterCities}}}}}, domain.ECONFLICT, "Source:" + SrcSisterCities},
		// Atomicity: every change but the last is good; none of them lands.
		{"a write whose last change is bad", &domain.Write{Nodes: []domain.NodeChange{create(hanoi()),
			{Mode: domain.Update, Node: &domain.City{Meta: domain.Meta{ID: "nanning", Sources: []string{SrcArticle}}, Population: 5, PopulationYear: 2020}}},
			Edges: []domain.EdgeChange{{Mode: domain.Create, Edge: partnership("hanoi", "nanning")}, {Mode: domain.Create, Edge: atlantis}}},
			domain.EINVALID, key(atlantis)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, b := withFixture(t, open)
			before := snapshot(t, s, b, cityKey("hanoi"), cityKey("atlantis"))
			logBefore := allChanges(t, s)
			tc.write.Operation, tc.write.Author = "test", "alice"
			_, err := writer(t, s).Write(context.Background(), tc.write)
			e := wantCode(t, err, tc.code)
			if !hasProblemAbout(e, tc.about) {
				t.Errorf("no problem names %s; got %v", tc.about, e.Problems)
			}
			if after := snapshot(t, s, b, cityKey("hanoi"), cityKey("atlantis")); !sameValue(before, after) {
				t.Errorf("the refused write changed the store:\nbefore %+v\n after %+v", before, after)
			}
			if v := node(t, s, cityKey("nanning")).Base().Version; v != 1 {
				t.Errorf("Nanning is at version %d, want 1", v)
			}
			if logAfter := allChanges(t, s); !reflect.DeepEqual(logAfter, logBefore) {
				t.Errorf("the refused write changed the log: %d sets before, %d after", len(logBefore), len(logAfter))
			}
		})
	}
}

var changesTests = []test{
	{"sequence numbers have no gaps and page forward", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, _ := withFixture(t, open)
		for i := range 5 {
			mustWrite(t, s, &domain.Write{Operation: "updateCity", Nodes: []domain.NodeChange{{Mode: domain.Update,
				Node: &domain.City{Meta: domain.Meta{ID: "nanning", Sources: []string{SrcArticle}}, Population: int64(1000 + i), PopulationYear: 2020}}}})
		}
		log := allChanges(t, s)
		for i, cs := range log {
			if cs.Seq != int64(i+1) {
				t.Errorf("set %d has sequence number %d", i+1, cs.Seq)
			}
		}
		if len(log) != 6 {
			t.Fatalf("got %d sets, want 6", len(log))
		}
		page := must[[]domain.ChangeSet](t)(writer(t, s).Changes(context.Background(), 4, 10))
		if len(page) != 2 || page[0].Seq != 5 || page[1].Seq != 6 {
			t.Errorf("after 4: got %v, want sets 5 and 6", seqs(page))
		}
		if !reflect.DeepEqual(page[1], log[5]) {
			t.Errorf("the same set read twice differs:\n%+v\n%+v", page[1], log[5])
		}
		if p := must[[]domain.ChangeSet](t)(writer(t, s).Changes(context.Background(), 6, 10)); len(p) != 0 {
			t.Errorf("after the last: got %v, want none", seqs(p))
		}
	}},
	{"a recorded set reads back as Write returned it", func(t *testing.T, open func(*testing.T) domain.Store) {
		s := withHanoi(t, open)
		end := hanoiPartnership()
		end.Until, end.Sources = "2020-01-31", []string{SrcArticle}
		cs := mustWrite(t, s, &domain.Write{Operation: "endPartnership", Author: "carol", IdempotencyKey: "x",
			Edges: []domain.EdgeChange{{Mode: domain.End, Edge: end}}})
		log := allChanges(t, s)
		if !reflect.DeepEqual(&log[len(log)-1], cs) {
			t.Errorf("read back\n%+v\nwant\n%+v", log[len(log)-1], *cs)
		}
	}},
	{"history lists the sets that touched a node, newest first", func(t *testing.T, open func(*testing.T) domain.Store) {
		s := withHanoi(t, open) // set 1: the fixture; set 2: Hanoi and its partnership with Nanning
		mustWrite(t, s, &domain.Write{Operation: "updateCity", Nodes: []domain.NodeChange{{Mode: domain.Update,
			Node: &domain.City{Meta: domain.Meta{ID: "bangkok", Sources: []string{SrcArticle}}, Population: 5, PopulationYear: 2020}}}}) // set 3
		end := hanoiPartnership()
		end.Until, end.Sources = "2020", []string{SrcArticle}
		mustWrite(t, s, &domain.Write{Operation: "endPartnership", Edges: []domain.EdgeChange{{Mode: domain.End, Edge: end}}}) // set 4
		w := writer(t, s)
		for _, c := range []struct {
			key   domain.NodeKey
			first int
			want  []int64
		}{
			{cityKey("nanning"), 10, []int64{4, 2, 1}},
			{cityKey("nanning"), 2, []int64{4, 2}},
			{cityKey("hanoi"), 10, []int64{4, 2}},
			{cityKey("bangkok"), 10, []int64{3, 1}},
			{cityKey("atlantis"), 10, nil},
		} {
			got := must[[]domain.ChangeSet](t)(w.History(context.Background(), c.key, c.first))
			if !slices.Equal(seqs(got), c.want) {
				t.Errorf("history of %s (first %d): got %v, want %v", c.key, c.first, seqs(got), c.want)
			}
		}
	}},
	{"bad paging arguments are INVALID", func(t *testing.T, open func(*testing.T) domain.Store) {
		w := writer(t, open(t))
		_, err := w.Changes(context.Background(), 0, 0)
		wantCode(t, err, domain.EINVALID)
		_, err = w.Changes(context.Background(), -1, 10)
		wantCode(t, err, domain.EINVALID)
		_, err = w.History(context.Background(), cityKey("nanning"), domain.MaxPageSize+1)
		wantCode(t, err, domain.EINVALID)
	}},
}

func seqs(sets []domain.ChangeSet) []int64 {
	var out []int64
	for _, cs := range sets {
		out = append(out, cs.Seq)
	}
	return out
}

// WriteFailingHalfway checks atomicity where the checks cannot help: a
// write whose transaction fails after its nodes are written and before
// its relations leaves nothing, neither in the graph nor in the log, and
// the next write takes the sequence number it would have had. failAt sets
// the store's hook that runs at that point (restore unsets it).
func WriteFailingHalfway(t *testing.T, open func(*testing.T) domain.Store, failAt func(func() error) (restore func())) {
	s, b := withFixture(t, open)
	before := snapshot(t, s, b, cityKey("hanoi"))
	logBefore := allChanges(t, s)
	w := func() *domain.Write {
		return &domain.Write{Operation: "createCity", Author: "alice", IdempotencyKey: "half",
			Nodes: []domain.NodeChange{create(hanoi())}, Edges: []domain.EdgeChange{{Mode: domain.Create, Edge: hanoiPartnership()}}}
	}
	calls := 0
	restore := failAt(func() error { calls++; return errors.New("the disk is full") })
	_, err := writer(t, s).Write(context.Background(), w())
	restore()
	if calls == 0 {
		t.Fatal("the hook never ran: the write did not reach its transaction")
	}
	wantCode(t, err, domain.EINTERNAL)
	if after := snapshot(t, s, b, cityKey("hanoi")); !sameValue(before, after) {
		t.Errorf("the failed write left a trace:\nbefore %+v\n after %+v", before, after)
	}
	if logAfter := allChanges(t, s); !reflect.DeepEqual(logAfter, logBefore) {
		t.Errorf("the failed write changed the log: %v, want %v", seqs(logAfter), seqs(logBefore))
	}
	// The retry with the same key is a first attempt: nothing was recorded.
	cs := mustWrite(t, s, w())
	if cs.Seq != logBefore[len(logBefore)-1].Seq+1 || node(t, s, cityKey("hanoi")) == nil {
		t.Errorf("the retry got set %d and Hanoi %v, want set %d and Hanoi stored", cs.Seq, node(t, s, cityKey("hanoi")), logBefore[len(logBefore)-1].Seq+1)
	}
}
