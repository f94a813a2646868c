package seed_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/seed"
	"github.com/citygraph/citygraph/store/embedded"
)

func newStore(t *testing.T) domain.Store {
	t.Helper()
	st, err := embedded.Open("")
	if err != nil {
		t.Fatalf("embedded.Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// load writes files into an in-memory FS and loads all of them.
func load(t *testing.T, st domain.Store, files map[string]string, opt seed.Options) (seed.Result, error) {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, data := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(data)}
	}
	return seed.Load(context.Background(), st, fsys, []string{"."}, opt)
}

func problems(t *testing.T, err error) []domain.Problem {
	t.Helper()
	var e *domain.Error
	if !errors.As(err, &e) {
		t.Fatalf("got error %v (%T), want a *domain.Error", err, err)
	}
	if e.Code != domain.EINVALID {
		t.Fatalf("got code %s, want %s", e.Code, domain.EINVALID)
	}
	return e.Problems
}

// base is a small valid data set: a dossier and the bulk CSVs it needs.
func base() map[string]string {
	return map[string]string{
		"ref.yaml": `sources:
  - {id: src, title: A source, url: "https://example.org/a"}
countries:
  - {id: CN, name: China, nameZh: 中国, sources: [src]}
  - {id: VN, name: Viet Nam, sources: [src]}
`,
		"cities.csv": `id,name,name_zh,country,division,region,region_zh,lat,lon,population,population_year,capital,sources
nanning,Nanning,南宁,CN,city,Guangxi,广西,22.81667,108.31667,,,,src
hanoi,Hanoi,河内,VN,city,,,21.0245,105.84117,,,true,src
`,
		"partnerships.csv": `city,partner,kind,status,since,through,note,sources
nanning,hanoi,friendship_city,,1999,,,src
`,
	}
}

func with(files map[string]string, name, data string) map[string]string {
	files[name] = data
	return files
}

// notWritten checks that a failed load left the store without the base data.
func notWritten(t *testing.T, st domain.Store) {
	t.Helper()
	got, err := st.Nodes(context.Background(), []domain.NodeKey{{Kind: domain.KindSource, ID: "src"}, {Kind: domain.KindCity, ID: "nanning"}})
	if err != nil {
		t.Fatalf("Nodes: %v", err)
	}
	for i, n := range got {
		if n != nil {
			t.Errorf("node %d: got %s stored after a failed load, want nothing written", i, n.Key())
		}
	}
}

func TestLoadRejectsBadInput(t *testing.T) {
	const partHeader = "city,partner,kind,status,since,through,note,sources\n"
	const cityHeader = "id,name,name_zh,country,division,region,region_zh,lat,lon,population,population_year,capital,sources\n"
	const finHeader = "funding_body,project,amount,currency,instrument,approved,note,sources\n"
	tests := []struct {
		name  string
		files map[string]string
		// want is the problem expected among those reported; Found and
		// Expected are matched as substrings.
		want domain.Problem
	}{
		{"unknown reference in a CSV", with(base(), "partnerships.csv", partHeader+"nanning,hanoi,friendship_city,,1999,,,src\nnanning,atlantis,sister_city,,,,,src\n"),
			domain.Problem{File: "partnerships.csv", Line: 3, Found: "unknown City:atlantis"}},
		{"unknown reference in a dossier", with(base(), "forum.yaml", "organizations:\n  - id: cam\n    name: Mayors\n    kind: mayors_association\n    seat: atlantis\n    sources: [src]\n"),
			domain.Problem{File: "forum.yaml", Line: 5, Field: "organizations[0].seat", Found: "unknown City:atlantis"}},
		{"unknown source", with(base(), "more.yaml", "countries:\n  - {id: LA, name: Lao PDR, sources: [nowhere]}\n"),
			domain.Problem{File: "more.yaml", Line: 2, Field: "countries[0].sources[0]", Found: "unknown Source:nowhere"}},
		{"duplicate id within a file", with(base(), "more.yaml", "sources:\n  - {id: s2, title: B, url: \"https://example.org/b\"}\n  - {id: s2, title: C, url: \"https://example.org/c\"}\n"),
			domain.Problem{File: "more.yaml", Line: 3, Field: "sources[1].id", Found: "Source:s2 again (first declared at more.yaml:2)"}},
		{"duplicate id across files", with(base(), "more.yaml", "cities:\n  - {id: nanning, name: Nanning, country: CN, sources: [src]}\n"),
			domain.Problem{File: "more.yaml", Line: 2, Field: "cities[0].id", Found: "City:nanning again (first declared at cities.csv:2)"}},
		{"partnership of a city with itself", with(base(), "partnerships.csv", partHeader+"nanning,nanning,sister_city,,,,,src\n"),
			domain.Problem{File: "partnerships.csv", Line: 2, Field: "to", Expected: "cannot link a node with itself"}},
		{"bad date in a CSV", with(base(), "partnerships.csv", partHeader+"nanning,hanoi,sister_city,,1999-13-01,,,src\n"),
			domain.Problem{File: "partnerships.csv", Line: 2, Field: "since", Found: `"1999-13-01"`}},
		{"bad date in a dossier", with(base(), "m.yaml", "memberships:\n  - {country: VN, grouping: asean, since: 1995-02-30, sources: [src]}\ngroupings:\n  - {id: asean, name: ASEAN, sources: [src]}\n"),
			domain.Problem{File: "m.yaml", Line: 2, Field: "memberships[0].since", Found: `"1995-02-30"`}},
		{"latitude out of range in a CSV", with(base(), "cities.csv", cityHeader+"nanning,Nanning,,CN,city,,,95,108,,,,src\nhanoi,Hanoi,,VN,city,,,21,105,,,,src\n"),
			domain.Problem{File: "cities.csv", Line: 2, Field: "location", Found: "(95, 108)"}},
		{"longitude out of range in a dossier", with(base(), "c.yaml", "cities:\n  - id: hue\n    name: Hue\n    country: VN\n    lat: 16.4\n    lon: 200\n    sources: [src]\n"),
			domain.Problem{File: "c.yaml", Line: 6, Field: "cities[0].lon", Found: "200"}},
		{"unknown enum in a CSV", with(base(), "partnerships.csv", partHeader+"nanning,hanoi,twin_town,,,,,src\n"),
			domain.Problem{File: "partnerships.csv", Line: 2, Field: "kind", Found: `"twin_town"`}},
		{"unknown enum in a dossier", with(base(), "o.yaml", "organizations:\n  - {id: x, name: X, kind: guild, sources: [src]}\n"),
			domain.Problem{File: "o.yaml", Line: 2, Field: "organizations[0].kind", Found: `"guild"`}},
		{"negative amount in a CSV", with(base(), "financings.csv", finHeader+"aiib,p1,-5,USD,loan,2019,,src\n"),
			domain.Problem{File: "financings.csv", Line: 2, Field: "amount", Found: "-5", Expected: "non-negative"}},
		{"negative amount in a dossier", with(base(), "f.yaml", "financings:\n  - {fundingBody: aiib, project: p1, amount: -5, currency: USD, sources: [src]}\n"),
			domain.Problem{File: "f.yaml", Line: 2, Field: "financings[0].amount", Found: "-5"}},
		{"missing source in a CSV", with(base(), "partnerships.csv", partHeader+"nanning,hanoi,sister_city,,,,,\n"),
			domain.Problem{File: "partnerships.csv", Line: 2, Field: "sources", Found: "no source"}},
		{"funding body without its acronym", with(base(), "fb.yaml", "fundingBodies:\n  - {id: aiib, name: Asian Infrastructure Investment Bank, sources: [src]}\n"),
			domain.Problem{File: "fb.yaml", Line: 2, Field: "fundingBodies[0]", Found: `no "acronym"`}},
		{"missing source in a dossier", with(base(), "c.yaml", "countries:\n  - {id: LA, name: Lao PDR}\n"),
			domain.Problem{File: "c.yaml", Line: 2, Field: "countries[0]", Found: `no "sources"`}},
		{"bad UTF-8", with(base(), "c.yaml", "countries:\n  - {id: LA, name: \"Lao \xff\", sources: [src]}\n"),
			domain.Problem{File: "c.yaml", Line: 2, Found: "invalid UTF-8"}},
		{"wrong CSV column count", with(base(), "partnerships.csv", partHeader+"nanning,hanoi,sister_city\n"),
			domain.Problem{File: "partnerships.csv", Line: 2, Field: "(columns)", Found: "3 columns", Expected: "8 columns"}},
		{"unknown CSV header", with(base(), "x.csv", "town,partner\nnanning,hanoi\n"),
			domain.Problem{File: "x.csv", Line: 1, Field: "(header)", Found: `"town,partner"`}},
		{"YAML syntax error", with(base(), "bad.yaml", "countries:\n  - {id: LA, name: Lao\n  - oops\n"),
			domain.Problem{File: "bad.yaml", Line: 2, Field: "(syntax)", Found: "did not find expected"}},
		{"YAML syntax error in a block", with(base(), "bad.yaml", "countries:\n  - id: LA\n    name: x\n      sources: [src]\n"),
			domain.Problem{File: "bad.yaml", Line: 4, Field: "(syntax)", Found: "mapping values are not allowed"}},
		{"unknown field in a dossier", with(base(), "typo.yaml", "countries:\n  - id: LA\n    name: Lao PDR\n    nmaeZh: 老挝\n    sources: [src]\n"),
			domain.Problem{File: "typo.yaml", Line: 4, Field: "countries[0].nmaeZh", Found: `unknown field "nmaeZh"`}},
		{"unknown section in a dossier", with(base(), "typo.yaml", "citys:\n  - {id: hue}\n"),
			domain.Problem{File: "typo.yaml", Line: 1, Field: "citys", Found: `unknown field "citys"`}},
		{"JSON dossier with an unknown field", with(base(), "c.json", "{\n  \"countries\": [\n    {\"id\": \"LA\", \"name\": \"Lao PDR\", \"sources\": [\"src\"], \"capitol\": \"vientiane\"}\n  ]\n}\n"),
			domain.Problem{File: "c.json", Line: 3, Field: "countries[0].capitol", Found: `unknown field "capitol"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := newStore(t)
			_, err := load(t, st, tt.files, seed.Options{})
			if err == nil {
				t.Fatal("got no error, want a problem")
			}
			ps := problems(t, err)
			if !hasProblem(ps, tt.want) {
				t.Errorf("got problems:\n%s\nwant one like %+v", list(ps), tt.want)
			}
			notWritten(t, st)
		})
	}
}

func hasProblem(ps []domain.Problem, want domain.Problem) bool {
	for _, p := range ps {
		if p.File == want.File && p.Line == want.Line && (want.Field == "" || p.Field == want.Field) &&
			strings.Contains(p.Found, want.Found) && strings.Contains(p.Expected, want.Expected) {
			return true
		}
	}
	return false
}

func list(ps []domain.Problem) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString("  " + p.String() + "\n")
	}
	return b.String()
}

func TestLoadReportsEveryProblemAtOnce(t *testing.T) {
	files := base()
	files["partnerships.csv"] = "city,partner,kind,status,since,through,note,sources\nnanning,hanoi,twin,,,,,src\nnanning,nanning,sister_city,,,,,src\n"
	files["typo.yaml"] = "countries:\n  - {id: LA, name: Lao PDR, sources: [src], nmae: x}\n"
	files["bad.csv"] = "nope\n"
	_, err := load(t, newStore(t), files, seed.Options{})
	ps := problems(t, err)
	got := map[string]bool{}
	for _, p := range ps {
		got[p.File] = true
	}
	for _, f := range []string{"partnerships.csv", "typo.yaml", "bad.csv"} {
		if !got[f] {
			t.Errorf("got no problem in %s, want every file's problems at once:\n%s", f, list(ps))
		}
	}
	if len(ps) < 4 {
		t.Errorf("got %d problems, want at least 4:\n%s", len(ps), list(ps))
	}
}

func TestLoadIsIdempotent(t *testing.T) {
	st := newStore(t)
	first, err := load(t, st, base(), seed.Options{})
	if err != nil {
		t.Fatalf("first load: %v", err)
	}
	if got := first.Report.Nodes[domain.KindCity].Created; got != 2 {
		t.Errorf("first load: got %d cities created, want 2", got)
	}
	second, err := load(t, st, base(), seed.Options{})
	if err != nil {
		t.Fatalf("second load: %v", err)
	}
	for k, c := range second.Report.Nodes {
		if c.Created != 0 || c.Updated != 0 {
			t.Errorf("second load: %s got %+v, want all unchanged", k, c)
		}
	}
	for k, c := range second.Report.Edges {
		if c.Created != 0 || c.Updated != 0 {
			t.Errorf("second load: %s got %+v, want all unchanged", k, c)
		}
	}

	edited := base()
	edited["partnerships.csv"] = strings.Replace(edited["partnerships.csv"], "1999", "2001", 1)
	third, err := load(t, st, edited, seed.Options{})
	if err != nil {
		t.Fatalf("edited load: %v", err)
	}
	if got := third.Report.Edges[domain.EdgePartnerOf]; got.Updated != 1 || got.Created != 0 {
		t.Errorf("edited load: PARTNER_OF got %+v, want 1 updated in place", got)
	}
}

func TestLoadDryRunWritesNothing(t *testing.T) {
	st := newStore(t)
	res, err := load(t, st, base(), seed.Options{DryRun: true})
	if err != nil {
		t.Fatalf("dry run: %v", err)
	}
	if got := res.Report.Nodes[domain.KindCity].Created; got != 2 {
		t.Errorf("dry run: got %d cities that would be created, want 2", got)
	}
	notWritten(t, st)
}

func TestLoadResolvesReferencesAgainstTheStore(t *testing.T) {
	st := newStore(t)
	if _, err := load(t, st, base(), seed.Options{}); err != nil {
		t.Fatalf("base load: %v", err)
	}
	// A later file may name cities and sources that are already stored.
	more := map[string]string{"p.csv": "city,partner,kind,status,since,through,note,sources\nhanoi,nanning,cooperation,pending,2020,,,src\n"}
	_, err := load(t, st, more, seed.Options{})
	// The pair is already stored (written from the other end): it updates in place.
	if err != nil {
		t.Fatalf("load referring to stored nodes: %v", err)
	}
}

// Relations are checked in bulk after parsing; their problems must still
// come in file order, interleaved with the others, each relation's own
// before the note that it is repeated.
func TestParseReportsRelationProblemsInFileOrder(t *testing.T) {
	const partHeader = "city,partner,kind,status,since,through,note,sources\n"
	files := map[string][]byte{"partnerships.csv": []byte(partHeader +
		"nanning,hanoi,sister_city,,1999-13-01,,,src\n" + // 2: bad date (a parse problem)
		"nanning,hue,twin_town,,,,,src\n" + // 3: bad kind (a relation problem)
		"hue,nanning,twin_town,,,,,src\n" + // 4: bad kind, then a repeat of 3
		"hanoi,hue,sister_city,,2001,,,src\n" + // 5: fine
		"hanoi,hanoi,sister_city,,x,,,src\n")} // 6: bad date, then a relation with itself
	_, _, err := seed.Parse(files)
	var e *domain.Error
	if !errors.As(err, &e) {
		t.Fatalf("Parse: got %v, want EINVALID with problems", err)
	}
	type at struct {
		line  int
		field string
	}
	var got []at
	for _, p := range e.Problems {
		got = append(got, at{p.Line, p.Field})
	}
	want := []at{{2, "since"}, {3, "kind"}, {4, "kind"}, {4, ""}, {6, "since"}, {6, "to"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("problems at %v, want %v\n%v", got, want, e.Problems)
	}
}

// A bulk file's relations are checked in chunks while it is read; problems
// anywhere in it still come out in order, and only the bad relations are
// left out.
func TestParseChecksBulkRelationsInOrder(t *testing.T) {
	var b strings.Builder
	b.WriteString("city,partner,kind,status,since,through,note,sources\n")
	bad := map[int]bool{5: true, 8191: true, 8192: true, 8193: true, 20_000: true, 24_999: true}
	for i := range 25_000 {
		kind := "sister_city"
		if bad[i] {
			kind = "twin_town"
		}
		fmt.Fprintf(&b, "c%d,c%d,%s,,2001,,,src\n", i, i+1, kind)
	}
	b.WriteString("c7,c8,sister_city,,2001,,,src\n") // a repeat of row 9
	batch, _, err := seed.Parse(map[string][]byte{"partnerships.csv": []byte(b.String())})
	var e *domain.Error
	if !errors.As(err, &e) || batch != nil {
		t.Fatalf("Parse: got %v and a batch %v, want EINVALID and no batch", err, batch != nil)
	}
	var got []int
	for _, p := range e.Problems {
		got = append(got, p.Line)
	}
	want := []int{7, 8193, 8194, 8195, 20_002, 25_001, 25_002}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("problems on lines %v, want %v", got, want)
	}
	good := strings.ReplaceAll(b.String(), "twin_town", "sister_city")
	good = good[:strings.LastIndex(good, "c7,c8")]
	batch, _, err = seed.Parse(map[string][]byte{"partnerships.csv": []byte(good)})
	if err != nil {
		t.Fatalf("Parse of the good rows: %v", err)
	}
	if len(batch.Edges) != 25_000 {
		t.Fatalf("Parse of the good rows: got %d relations, want 25000", len(batch.Edges))
	}
	for i, ed := range batch.Edges {
		if want := fmt.Sprintf("c%d", i); ed.From.ID != want && ed.To.ID != want {
			t.Fatalf("relation %d links %s and %s, want %s first", i, ed.From.ID, ed.To.ID, want)
		}
	}
}

// A load merges into what is stored: a record that leaves a field out
// keeps its stored value, and only a clear list empties one.
func TestLoadMergesAndClearsOnlyWhatItNames(t *testing.T) {
	st := newStore(t)
	if _, err := load(t, st, base(), seed.Options{}); err != nil {
		t.Fatalf("base load: %v", err)
	}
	ctx := context.Background()
	nanning := domain.NodeKey{Kind: domain.KindCity, ID: "nanning"}
	for _, c := range []struct {
		name, dossier      string
		wantRegion, wantZh string
	}{
		{"a record that knows less keeps the rest", `cities:
  - {id: nanning, name: Nanning, country: CN, sources: [src], population: 8741584, populationYear: 2020}
`, "Guangxi", "南宁"},
		{"a clear list empties the fields it names", `cities:
  - {id: nanning, name: Nanning, country: CN, sources: [src], clear: [region, nameZh]}
`, "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := load(t, st, map[string]string{"more.yaml": c.dossier}, seed.Options{}); err != nil {
				t.Fatalf("load: %v", err)
			}
			ns, err := st.Nodes(ctx, []domain.NodeKey{nanning})
			if err != nil {
				t.Fatal(err)
			}
			got := ns[0].(*domain.City)
			if got.Region != c.wantRegion || got.NameZh != c.wantZh || got.Population != 8741584 || got.Location == nil {
				t.Errorf("got region %q, nameZh %q, population %d, location %v; want %q, %q, 8741584 and the stored location",
					got.Region, got.NameZh, got.Population, got.Location, c.wantRegion, c.wantZh)
			}
		})
	}
	_, err := load(t, st, map[string]string{"bad.yaml": `cities:
  - {id: nanning, name: Nanning, country: CN, sources: [src], clear: [mayor]}
`}, seed.Options{})
	if ps := problems(t, err); len(ps) == 0 || !strings.Contains(ps[0].Found, "mayor") {
		t.Errorf("clearing an unknown field: got problems %v, want one naming mayor", ps)
	}
}
