package export_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"path"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/export"
	"github.com/citygraph/citygraph/seed"
	"github.com/citygraph/citygraph/synth"
)

// TestSeedFilesRoundTrip exports a graph as seed files, loads them with the
// seed loader into an empty store, and finds the same graph: every node,
// relation and property, read back through the store.
func TestSeedFilesRoundTrip(t *testing.T) {
	graphs := []struct {
		name string
		load func(t *testing.T, st domain.Store)
	}{
		{"seed graph", func(t *testing.T, st domain.Store) {
			if _, err := seed.LoadProject(context.Background(), st); err != nil {
				t.Fatalf("loading the project's seed data: %v", err)
			}
		}},
		{"seed graph with ended relations", func(t *testing.T, st domain.Store) {
			ctx := context.Background()
			if _, err := seed.LoadProject(ctx, st); err != nil {
				t.Fatalf("loading the project's seed data: %v", err)
			}
			// One relation of each kind that can end.
			ended := map[domain.EdgeKind]bool{}
			for _, e := range snapshot(t, st).Edges {
				if e.Kind != domain.EdgePartnerOf && e.Kind != domain.EdgeMemberOf && e.Kind != domain.EdgeFinanced || ended[e.Kind] {
					continue
				}
				e.Until = "2026-11-30"
				w := &domain.Write{Operation: "end", Author: "test", Edges: []domain.EdgeChange{{Mode: domain.End, Edge: e}}}
				if _, err := st.(domain.Writer).Write(ctx, w); err != nil {
					t.Fatalf("ending %s: %v", e.Key(), err)
				}
				ended[e.Kind] = true
			}
			if len(ended) != 3 {
				t.Fatalf("ended %v; the test needs a partnership, a membership and a financing", ended)
			}
		}},
		{"synthetic graph", func(t *testing.T, st domain.Store) {
			if _, err := st.Apply(context.Background(), synth.Generate(7, 400), domain.ApplyOptions{}); err != nil {
				t.Fatalf("applying the synthetic graph: %v", err)
			}
		}},
	}
	for _, s := range stores() {
		for _, g := range graphs {
			t.Run(s.name+"/"+g.name, func(t *testing.T) {
				st := s.empty(t)
				g.load(t, st)
				want := snapshot(t, st)
				zipped := exportOf(t, st, export.Request{Format: export.SeedCSV})
				files := unzip(t, zipped)
				if notes, ok := files["NOT-EXPORTED.txt"]; ok {
					t.Errorf("the export left facts out:\n%s", notes.Data)
				}
				for _, f := range export.SeedFiles {
					if _, ok := files[f+".csv"]; !ok {
						t.Errorf("the zip has no %s.csv; it has %v", f, names(files))
					}
				}

				empty := s.empty(t)
				if _, err := seed.Load(context.Background(), empty, files, []string{"."}, seed.Options{}); err != nil {
					t.Fatalf("loading the exported files: %v", err)
				}
				got := snapshot(t, empty)
				if len(got.Nodes) != len(want.Nodes) || len(got.Edges) != len(want.Edges) {
					t.Errorf("got %d nodes and %d relations, want %d and %d", len(got.Nodes), len(got.Edges), len(want.Nodes), len(want.Edges))
				}
				if d := want.diff(got); d != "" {
					t.Errorf("the loaded graph differs from the exported one:\n%s", d)
				}
			})
		}
	}
}

// TestSeedFilesInParts cuts the seed files of a synthetic graph into many
// small CSV files and dossiers: each part stays near its size, and the
// parts together load into the same graph.
func TestSeedFilesInParts(t *testing.T) {
	const csvPart, dossierPart = 16 << 10, 32 << 10
	export.SplitFilesAt(t, csvPart, dossierPart)
	st := stores()[0].empty(t)
	if _, err := st.Apply(context.Background(), synth.Generate(11, 600), domain.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	want := snapshot(t, st)
	files := unzip(t, exportOf(t, st, export.Request{Format: export.SeedCSV}))
	parts := map[string]int{}
	for name, f := range files {
		ext := path.Ext(name)
		parts[ext]++
		// A part is cut after the record that crosses the limit (CSV) or
		// before the one that would (dossiers); records are under 4 KB.
		if limit := map[string]int{".csv": csvPart, ".json": dossierPart}[ext]; len(f.Data) > limit+4096 {
			t.Errorf("%s is %d bytes, want about %d at most", name, len(f.Data), limit)
		}
	}
	if parts[".csv"] <= len(export.SeedFiles) || parts[".json"] < 2 {
		t.Fatalf("got %d CSV files and %d dossiers (%v); want the graph cut into more", parts[".csv"], parts[".json"], names(files))
	}
	empty := stores()[0].empty(t)
	if _, err := seed.Load(context.Background(), empty, files, []string{"."}, seed.Options{}); err != nil {
		t.Fatalf("loading the parts: %v", err)
	}
	if d := want.diff(snapshot(t, empty)); d != "" {
		t.Errorf("the loaded graph differs from the exported one:\n%s", d)
	}
}

// TestSeedFilesListWhatTheyCannotHold stores what no seed format can say
// (a topic no forum discusses, a forum with two host cities) and finds it
// named in NOT-EXPORTED.txt, while the rest still loads.
func TestSeedFilesListWhatTheyCannotHold(t *testing.T) {
	ctx := context.Background()
	st := stores()[0].empty(t)
	src := []string{"s"}
	key := func(k domain.Kind, id string) domain.NodeKey { return domain.NodeKey{Kind: k, ID: id} }
	batch := &domain.Batch{
		Nodes: []domain.Node{
			&domain.Source{Meta: domain.Meta{ID: "s", Name: "S"}, URLs: []string{"https://example.org/s"}},
			&domain.Country{Meta: domain.Meta{ID: "CN", Name: "China", Sources: src}},
			&domain.City{Meta: domain.Meta{ID: "a", Name: "A", Sources: src}, Division: domain.DivisionCity},
			&domain.City{Meta: domain.Meta{ID: "b", Name: "B", Sources: src}, Division: domain.DivisionCity},
			&domain.Forum{Meta: domain.Meta{ID: "f", Name: "F", Sources: src}},
			&domain.Topic{Meta: domain.Meta{ID: "lonely", Name: "Lonely topic", Sources: src}},
		},
		Edges: []domain.Edge{
			{Kind: domain.EdgeInCountry, From: key(domain.KindCity, "a"), To: key(domain.KindCountry, "CN"), Sources: src},
			{Kind: domain.EdgeInCountry, From: key(domain.KindCity, "b"), To: key(domain.KindCountry, "CN"), Sources: src},
			{Kind: domain.EdgeHeldIn, From: key(domain.KindForum, "f"), To: key(domain.KindCity, "a"), Sources: src},
			{Kind: domain.EdgeHeldIn, From: key(domain.KindForum, "f"), To: key(domain.KindCity, "b"), Sources: src},
		},
	}
	if _, err := st.Apply(ctx, batch, domain.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	files := unzip(t, exportOf(t, st, export.Request{Format: export.SeedCSV}))
	notes := string(files["NOT-EXPORTED.txt"].Data)
	for _, want := range []string{"2 fact(s)", "Topic:lonely", "HELD_IN(Forum:f,City:b)"} {
		if !strings.Contains(notes, want) {
			t.Errorf("NOT-EXPORTED.txt does not mention %q:\n%s", want, notes)
		}
	}
	empty := stores()[0].empty(t)
	if _, err := seed.Load(ctx, empty, files, []string{"."}, seed.Options{}); err != nil {
		t.Fatalf("loading what was exported: %v", err)
	}
	got := snapshot(t, empty)
	if len(got.Nodes) != len(batch.Nodes)-1 || len(got.Edges) != len(batch.Edges)-1 {
		t.Errorf("got %d nodes and %d relations, want all but the lonely topic and the second host city", len(got.Nodes), len(got.Edges))
	}
}

// TestSeedFilesUseCSVWhereItHoldsTheRecord checks that bulk records go to
// the CSV files (the spreadsheet view), not all to the dossier.
func TestSeedFilesUseCSVWhereItHoldsTheRecord(t *testing.T) {
	st := stores()[0].empty(t)
	batch := synth.Generate(3, 100)
	if _, err := st.Apply(context.Background(), batch, domain.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	files := unzip(t, exportOf(t, st, export.Request{Format: export.SeedCSV}))
	count := map[domain.EdgeKind]int{}
	for _, e := range batch.Edges {
		count[e.Kind]++
	}
	for _, c := range []struct {
		file string
		want int
	}{
		{"partnerships.csv", count[domain.EdgePartnerOf]},
		{"financings.csv", count[domain.EdgeFinanced]},
		{"memberships.csv", count[domain.EdgeMemberOf]},
		// Every seventh synthetic city has aliases, which only a dossier holds.
		{"cities.csv", 100 - (100+6)/7},
	} {
		if got := strings.Count(string(files[c.file].Data), "\n") - 1; got != c.want {
			t.Errorf("%s has %d rows, want %d", c.file, got, c.want)
		}
	}
}

func unzip(t *testing.T, b []byte) fstest.MapFS {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("the export is not a zip: %v", err)
	}
	fsys := fstest.MapFS{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("reading %s from the zip: %v", f.Name, err)
		}
		fsys[path.Clean(f.Name)] = &fstest.MapFile{Data: data}
	}
	return fsys
}

func names(fsys fstest.MapFS) []string {
	var out []string
	for n := range fsys {
		out = append(out, n)
	}
	return out
}
