package seed_test

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"testing/fstest"

	"gopkg.in/yaml.v3"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/seed"
)

// nested is n levels of open, then of close: [[[…]]] or {"a":{"a":…}}.
func nested(open, close string, n int) []byte {
	return []byte(strings.Repeat(open, n) + strings.Repeat(close, n))
}

// blockNested is a block mapping n levels deep, each level indented by one space.
func blockNested(n int) []byte {
	var b bytes.Buffer
	for i := range n {
		b.WriteString(strings.Repeat(" ", i) + "a:\n")
	}
	return b.Bytes()
}

// hostileDossiers nest far deeper than any dossier: the attack of issue 9
// (20 KB nested 9,990 deep) in each way YAML and JSON can nest.
func hostileDossiers() []struct {
	name string
	data []byte
} {
	return []struct {
		name string
		data []byte
	}{
		{"deep.yaml", nested("[", "]", 9_990)},
		{"deep-maps.yaml", nested("{a: ", "}", 4_000)},
		{"deep-arrays.json", nested("[", "]", 9_990)},
		{"deep-objects.json", append(append([]byte("{\"a\":"), nested("{\"a\":", "}", 3_300)...), '}')},
		{"deep-pretty.json", []byte(strings.Repeat("[\n\t", 6_000) + strings.Repeat("\n]", 6_000))},
		{"compact-lists.yaml", []byte(strings.Repeat("- ", 9_990) + "x\n")},
		{"block-maps.yaml", blockNested(200)},
		{"under-a-key.yaml", append([]byte("sources: # a comment [\n  - note: \"]]]\"\n    deeper: "), nested("[", "]", 9_000)...)},
		{"after-a-document-marker.yaml", append([]byte("--- "), nested("[", "]", 9_990)...)},
	}
}

// allocated returns the bytes f allocates (not the time it takes).
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func TestParseRefusesDeepDossiersInMemoryProportionalToTheFile(t *testing.T) {
	for _, tt := range hostileDossiers() {
		t.Run(tt.name, func(t *testing.T) {
			var batch *domain.Batch
			var err error
			got := allocated(func() { batch, _, err = seed.Parse(map[string][]byte{tt.name: tt.data}) })
			if batch != nil {
				t.Fatalf("Parse returned a batch for a dossier nested thousands deep")
			}
			ps := problems(t, err)
			if len(ps) != 1 || ps[0].Field != "(nesting)" || ps[0].File != tt.name ||
				!strings.Contains(ps[0].Found, "nested more than 32 deep") || !strings.Contains(ps[0].Expected, "at most 32 levels") {
				t.Fatalf("got problems %v, want one (nesting) problem naming the limit of 32", ps)
			}
			// Before the byte scan yaml.v3 alone took 6 MB of the 20 KB file,
			// and the whole rejection 940 MB.
			if limit := 8*uint64(len(tt.data)) + 64<<10; got > limit {
				t.Errorf("refusing a %d-byte dossier allocated %d bytes, want at most %d", len(tt.data), got, limit)
			}
		})
	}
}

func TestDepthLimitCountsNestingNotBrackets(t *testing.T) {
	tests := []struct {
		name  string
		data  string
		depth int // the document's real nesting
	}{
		{"a mapping", "a: 1\n", 1},
		{"a block list in a mapping", "a:\n  - x\n  - y\n", 2},
		{"a flow list in a list in a mapping", "a:\n  - [x, y]\n", 3},
		{"compact lists", "- - - x\n", 3},
		{"brackets in quotes", "a: \"[[[[{{{{\"\nb: '[[[[it''s]]'\nc: [\"]]]]\", '[[[[']\n", 2},
		{"brackets in comments", "# [[[[[[\na: 1 # {{{{{{\nb: [x, # [[[[\n  y]\n", 2},
		{"brackets in plain text", "a: see [1 and [2\nb: x{{{{{\n", 1},
		{"brackets in a block scalar", "a: |\n  [[[[[[\n  {{{{{{\nb:\n  c: 1\n", 2},
		{"brackets in a folded list item", "- >\n  [[[[[[\n- x\n", 1},
		{"text wrapped onto more indented lines", "a: some text\n  'wrapped [text\n    more ] text\nb:\n  - [x]\n", 3},
		{"a key after a plain value in a list item", "- a: b\n  c: [[x]]\n", 4},
		{"pretty JSON", "{\n  \"a\": [\n    {\"b\": \"[[[[\", \"c\": [1, 2]}\n  ]\n}\n", 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var root yaml.Node
			if err := yaml.Unmarshal([]byte(tt.data), &root); err != nil {
				t.Fatalf("the test document is not YAML: %v", err)
			}
			if n := seed.DeepNode(&root, tt.depth); n != nil {
				t.Errorf("DeepNode(limit %d) found a node too deep at line %d", tt.depth, n.Line)
			}
			if n := seed.DeepNode(&root, tt.depth-1); tt.depth > 1 && n == nil {
				t.Errorf("DeepNode(limit %d) found nothing too deep, want the document's depth %d refused", tt.depth-1, tt.depth)
			}
			// The byte scan may count one level more than there is, never
			// what quotes, comments and plain text hold; here it misses none.
			if line := seed.DeepLine([]byte(tt.data), tt.depth+1); line != 0 {
				t.Errorf("DeepLine(limit %d) refused line %d, want the document (depth %d) accepted", tt.depth+1, line, tt.depth)
			}
			if line := seed.DeepLine([]byte(tt.data), tt.depth-1); line == 0 {
				t.Errorf("DeepLine(limit %d) accepted the document, want its depth %d refused", tt.depth-1, tt.depth)
			}
		})
	}
}

// The project's own files and the worked example pass the byte scan with
// room to spare, and it finds no more depth in them than they have (give or
// take one).
func TestDepthLimitAcceptsRealDossiers(t *testing.T) {
	var files []string
	for _, dir := range []string{"data", "testdata/example"} {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".json")) {
				files = append(files, p)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(files) < 4 {
		t.Fatalf("found %d dossiers, want the project's and the example's", len(files))
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		var root yaml.Node
		if err := yaml.Unmarshal(data, &root); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		depth := 1
		for seed.DeepNode(&root, depth) != nil {
			depth++
		}
		if depth*3 > seed.DefaultLimits.MaxDepth {
			t.Errorf("%s nests %d deep, want well under the limit of %d", name, depth, seed.DefaultLimits.MaxDepth)
		}
		if line := seed.DeepLine(data, depth+1); line != 0 {
			t.Errorf("%s: DeepLine(limit %d) refused line %d of a file %d deep", name, depth+1, line, depth)
		}
		if line := seed.DeepLine(data, depth-1); line == 0 {
			t.Errorf("%s: DeepLine(limit %d) accepted a file %d deep", name, depth-1, depth)
		}
	}
}

func TestLimitsAreSettings(t *testing.T) {
	dossier := []byte("sources:\n  - {id: src, title: A source, url: \"https://example.org/a\"}\n")
	csvFile := []byte("id,title,title_zh,publisher,author,date,url,file,description\nsrc2,T,,,,,https://example.org/b,,\n")
	deep := []byte("sources:\n  - {id: src, title: A source, url: \"https://example.org/a\", description: [[x]]}\n")
	tests := []struct {
		name      string
		files     map[string][]byte
		lim       seed.Limits
		wantField string // "" for no problem, "other" for none of size or nesting
		wantText  string
	}{
		{"a dossier over its cap", map[string][]byte{"a.yaml": dossier}, seed.Limits{MaxDossierBytes: 40},
			"(file size)", "a dossier of at most 40 bytes (40 bytes); split it into several files, or raise --max-dossier-bytes"},
		{"a JSON dossier over the dossier cap", map[string][]byte{"a.json": []byte(`{"sources": []}`)}, seed.Limits{MaxDossierBytes: 10},
			"(file size)", "--max-dossier-bytes"},
		{"a CSV file over its cap", map[string][]byte{"s.csv": csvFile}, seed.Limits{MaxCSVBytes: 40},
			"(file size)", "a bulk CSV file of at most 40 bytes"},
		{"the dossier cap does not apply to CSV", map[string][]byte{"s.csv": csvFile}, seed.Limits{MaxDossierBytes: 40}, "", ""},
		{"the CSV cap does not apply to dossiers", map[string][]byte{"a.yaml": dossier}, seed.Limits{MaxCSVBytes: 40}, "", ""},
		{"a file at its cap", map[string][]byte{"a.yaml": dossier}, seed.Limits{MaxDossierBytes: int64(len(dossier))}, "", ""},
		{"a lower depth limit", map[string][]byte{"a.yaml": deep}, seed.Limits{MaxDepth: 3},
			"(nesting)", "at most 3 levels"},
		{"a higher depth limit", map[string][]byte{"a.yaml": deep}, seed.Limits{MaxDepth: 5}, "other", ""},
		{"zero takes the defaults", map[string][]byte{"a.yaml": dossier, "s.csv": csvFile}, seed.Limits{}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			batch, _, err := seed.ParseWithin(tt.files, tt.lim)
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("ParseWithin: %v, want no problem", err)
				}
				return
			}
			if batch != nil {
				t.Errorf("ParseWithin returned a batch with its problems")
			}
			ps := problems(t, err)
			for _, p := range ps {
				if p.Field == "(nesting)" || p.Field == "(file size)" {
					if p.Field != tt.wantField || !strings.Contains(p.Expected, tt.wantText) {
						t.Errorf("got problem %v, want %s expecting %q", p, tt.wantField, tt.wantText)
					}
					return
				}
			}
			if tt.wantField != "other" {
				t.Errorf("got problems %v, want a %s problem", ps, tt.wantField)
			}
		})
	}
}

// Load refuses a file over its cap without reading it whole, or a dossier
// nested too deep, and writes nothing of the other files.
func TestLoadRefusesFilesOverTheirLimitsAndWritesNothing(t *testing.T) {
	tests := []struct {
		name, file string
		data       []byte
		want       string
	}{
		{"a CSV file over its cap", "big.csv", bytes.Repeat([]byte("x"), 4096), "big.csv (file size): 4 KiB (4096 bytes)"},
		{"a dossier nested too deep", "deep.json", nested("[", "]", 9_990), "deep.json (nesting): collections nested more than 32 deep"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := newStore(t)
			fsys := fstest.MapFS{tt.file: &fstest.MapFile{Data: tt.data}}
			for name, data := range base() {
				fsys[name] = &fstest.MapFile{Data: []byte(data)}
			}
			_, err := seed.Load(context.Background(), st, fsys, []string{"."}, seed.Options{Limits: seed.Limits{MaxCSVBytes: 1024}})
			ps := problems(t, err)
			if len(ps) != 1 || ps[0].File+" "+ps[0].Field+": "+ps[0].Found != tt.want {
				t.Errorf("got problems %v, want one: %s", ps, tt.want)
			}
			notWritten(t, st)
		})
	}
}

// Where the byte scan counts less than there is (a list at its key's
// indentation), the walk of the parsed tree still refuses the dossier.
func TestParseRefusesWhatTheByteScanUndercounts(t *testing.T) {
	data := []byte("a:\n- [[x]]\n") // a mapping, a list, two flow lists: 4 deep
	if line := seed.DeepLine(data, 3); line != 0 {
		t.Fatalf("DeepLine(limit 3) refused line %d; this test needs a document the scan undercounts", line)
	}
	_, _, err := seed.ParseWithin(map[string][]byte{"a.yaml": data}, seed.Limits{MaxDepth: 3})
	ps := problems(t, err)
	if len(ps) != 1 || ps[0].Field != "(nesting)" || ps[0].Line != 2 {
		t.Fatalf("got problems %v, want one (nesting) problem on line 2", ps)
	}
}
