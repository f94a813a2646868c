package seed_test

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path"
	"reflect"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/seed"
)

func projectBatch(t *testing.T) *domain.Batch {
	t.Helper()
	b, err := seed.ProjectBatch()
	if err != nil {
		var e *domain.Error
		if ok := asError(err, &e); ok {
			t.Fatalf("ProjectBatch: %v\n%s", err, list(e.Problems))
		}
		t.Fatalf("ProjectBatch: %v", err)
	}
	return b
}

func asError(err error, e **domain.Error) bool {
	de, ok := err.(*domain.Error)
	*e = de
	return ok
}

func nodeOf[T domain.Node](t *testing.T, b *domain.Batch, k domain.Kind, id string) T {
	t.Helper()
	for _, n := range b.Nodes {
		if n.Key() == (domain.NodeKey{Kind: k, ID: id}) {
			v, ok := n.(T)
			if !ok {
				t.Fatalf("node %s:%s is a %T", k, id, n)
			}
			return v
		}
	}
	t.Fatalf("no node %s:%s in the batch", k, id)
	var zero T
	return zero
}

func edgesTo(b *domain.Batch, kind domain.EdgeKind, to domain.NodeKey) []domain.Edge {
	var out []domain.Edge
	for _, e := range b.Edges {
		if e.Kind == kind && e.To == to {
			out = append(out, e)
		}
	}
	return out
}

func TestProjectBatchHoldsThe2015Forum(t *testing.T) {
	b := projectBatch(t)
	forum := domain.NodeKey{Kind: domain.KindForum, ID: "cam-2015"}

	f := nodeOf[*domain.Forum](t, b, domain.KindForum, "cam-2015")
	if f.Edition != 1 || f.StartDate != "2015-09-19" || f.EndDate != "2015-09-20" || f.Participants != 150 || f.Officials != 53 {
		t.Errorf("forum: got edition %d, %s..%s, %d participants, %d officials; want 1, 2015-09-19..2015-09-20, 150, 53",
			f.Edition, f.StartDate, f.EndDate, f.Participants, f.Officials)
	}
	if f.Theme == "" || f.ThemeZh == "" {
		t.Errorf("forum: got theme %q / %q, want both languages", f.Theme, f.ThemeZh)
	}

	roles := map[domain.Role]int{}
	for _, e := range edgesTo(b, domain.EdgeOrganised, forum) {
		roles[e.Role]++
	}
	if roles[domain.RoleHost] != 2 || roles[domain.RoleOrganiser] != 4 {
		t.Errorf("organisers: got %v, want 2 hosts and 4 organisers", roles)
	}

	var called []string
	for _, e := range b.Edges {
		if e.Kind == domain.EdgeCalledOn && e.From == forum {
			called = append(called, e.To.ID)
			if e.Request == "" || e.RequestZh == "" {
				t.Errorf("appeal to %s: got request %q / %q, want both languages", e.To.ID, e.Request, e.RequestZh)
			}
		}
	}
	if got, want := strings.Join(called, ","), "aiib,srf,ndb,adb"; got != want {
		t.Errorf("called on: got %s, want %s", got, want)
	}

	a := nodeOf[*domain.Agreement](t, b, domain.KindAgreement, "nanning-consensus")
	if len(a.Points) != 4 || len(a.PointsZh) != 4 {
		t.Errorf("Nanning Consensus: got %d/%d points, want 4 in each language", len(a.Points), len(a.PointsZh))
	}
	if got := edgesTo(b, domain.EdgeSigned, a.Key()); len(got) != 0 {
		t.Errorf("Nanning Consensus: got %d signatures, want none (the article names no signatory)", len(got))
	}
	if got := len(edgesTo(b, domain.EdgeDiscussed, domain.NodeKey{Kind: domain.KindTopic, ID: "cam-2015-topic-1"})); got != 1 {
		t.Errorf("topic 1: got %d DISCUSSED edges, want 1", got)
	}

	src := nodeOf[*domain.Source](t, b, domain.KindSource, "article-2015")
	if src.NameZh != "首届中国—东盟市长论坛在南宁召开" || src.Author != "丁翊轩" || src.Date != "2015-09" || src.File == "" {
		t.Errorf("article source: got %q by %q on %q file %q", src.NameZh, src.Author, src.Date, src.File)
	}
	if _, err := fs.Stat(seed.ProjectFS(), src.File); err != nil {
		t.Errorf("article source file %s: %v", src.File, err)
	}

	refers := map[string]bool{}
	for _, e := range b.Edges {
		if e.Kind == domain.EdgeRefersTo {
			refers[e.To.ID] = true
		}
	}
	for _, id := range []string{"belt-and-road", "maritime-silk-road", "upgraded-china-asean-fta", "china-asean-community-shared-future", "cross-border-economic-zones"} {
		if !refers[id] {
			t.Errorf("no REFERS_TO %s", id)
		}
	}
}

func TestProjectBatchHoldsTheReferenceData(t *testing.T) {
	b := projectBatch(t)
	count := map[domain.Kind]int{}
	for _, n := range b.Nodes {
		count[n.Key().Kind]++
	}
	if count[domain.KindCountry] != 12 || count[domain.KindFundingBody] != 4 || count[domain.KindProject] != 14 {
		t.Errorf("got %d countries, %d funding bodies, %d projects; want 12, 4, 14", count[domain.KindCountry], count[domain.KindFundingBody], count[domain.KindProject])
	}
	kinds := map[domain.EdgeKind]int{}
	for _, e := range b.Edges {
		kinds[e.Kind]++
	}
	if kinds[domain.EdgePartnerOf] != 31 || kinds[domain.EdgeFinanced] != 14 {
		t.Errorf("got %d partnerships and %d financings, want 31 and 14 (one per row of the shared CSVs)", kinds[domain.EdgePartnerOf], kinds[domain.EdgeFinanced])
	}
	n := nodeOf[*domain.City](t, b, domain.KindCity, "nanning")
	if n.Location == nil || !strings.Contains(strings.Join(n.Sources, ","), "geonames") {
		t.Errorf("Nanning: got location %v sources %v, want a GeoNames location", n.Location, n.Sources)
	}
	if n.Population != 0 {
		t.Errorf("Nanning: got population %d, want none (no source gives one with a year)", n.Population)
	}
}

func TestProjectBatchIsDeterministic(t *testing.T) {
	a, b := projectBatch(t), projectBatch(t)
	if !reflect.DeepEqual(a, b) {
		t.Error("two parses of the same files differ, want the same batch")
	}
}

// TestProjectFilesMatchPublishedSchema validates every project dossier
// against the published schema file as an editor's tool would: YAML read
// with YAML 1.2 scalars (dates stay strings), checked by jsonschema.
func TestProjectFilesMatchPublishedSchema(t *testing.T) {
	raw, err := os.ReadFile("schema/dossier.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("schema is not JSON: %v", err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("dossier.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("dossier.schema.json")
	if err != nil {
		t.Fatalf("schema does not compile: %v", err)
	}
	n := 0
	err = fs.WalkDir(seed.ProjectFS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || (path.Ext(p) != ".yaml" && path.Ext(p) != ".json") {
			return err
		}
		n++
		data, _ := fs.ReadFile(seed.ProjectFS(), p)
		var node yaml.Node
		if err := yaml.Unmarshal(data, &node); err != nil {
			t.Errorf("%s: %v", p, err)
			return nil
		}
		if err := sch.Validate(plain(node.Content[0])); err != nil {
			t.Errorf("%s does not match the schema: %v", p, err)
		}
		return nil
	})
	if err != nil || n == 0 {
		t.Fatalf("walked %d dossiers: %v", n, err)
	}
}

// plain converts YAML to JSON values, keeping timestamps as their text.
func plain(n *yaml.Node) any {
	switch n.Kind {
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[n.Content[i].Value] = plain(n.Content[i+1])
		}
		return m
	case yaml.SequenceNode:
		var a []any
		for _, c := range n.Content {
			a = append(a, plain(c))
		}
		return a
	}
	var v any
	switch n.ShortTag() {
	case "!!int", "!!float", "!!bool", "!!null":
		_ = n.Decode(&v)
		return v
	}
	return n.Value
}

func TestLoadProjectTwiceChangesNothing(t *testing.T) {
	st := newStore(t)
	b := projectBatch(t)
	first, err := seed.LoadProject(context.Background(), st)
	if err != nil {
		t.Fatalf("LoadProject: %v", err)
	}
	created := 0
	for _, c := range first.Report.Nodes {
		created += c.Created
	}
	if created != len(b.Nodes) {
		t.Errorf("first load: got %d nodes created, want %d", created, len(b.Nodes))
	}
	second, err := seed.LoadProject(context.Background(), st)
	if err != nil {
		t.Fatalf("second LoadProject: %v", err)
	}
	unchanged := 0
	for _, c := range second.Report.Nodes {
		unchanged += c.Unchanged
	}
	for _, c := range second.Report.Edges {
		unchanged += c.Unchanged
	}
	if want := len(b.Nodes) + len(b.Edges); unchanged != want {
		t.Errorf("second load: got %d unchanged, want all %d", unchanged, want)
	}
}

func TestWorkedExampleLoads(t *testing.T) {
	st := newStore(t)
	res, err := seed.Load(context.Background(), st, os.DirFS("testdata"), []string{"example"}, seed.Options{})
	if err != nil {
		var e *domain.Error
		if asError(err, &e) {
			t.Fatalf("worked example: %v\n%s", err, list(e.Problems))
		}
		t.Fatal(err)
	}
	for kind, want := range map[domain.EdgeKind]int{domain.EdgeSigned: 2, domain.EdgePartnerOf: 1, domain.EdgeFinanced: 1, domain.EdgeLocatedIn: 3, domain.EdgeCalledOn: 1} {
		if got := res.Report.Edges[kind].Created; got != want {
			t.Errorf("%s: got %d created, want %d", kind, got, want)
		}
	}
	got, err := st.Nodes(context.Background(), []domain.NodeKey{{Kind: domain.KindForum, ID: "example-forum-2024"}})
	if err != nil || got[0] == nil {
		t.Fatalf("forum not stored: %v", err)
	}
}
