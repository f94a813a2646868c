package seed_test

import (
	"strings"
	"testing"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/seed"
)

// checkBatch is the fuzz property: Parse never panics, and when it
// returns no error every node and relation passes domain validation.
func checkBatch(t *testing.T, name string, data []byte) {
	t.Helper()
	b, _, err := seed.Parse(map[string][]byte{name: data})
	if err != nil {
		if domain.ErrorCode(err) != domain.EINVALID {
			t.Fatalf("got error code %s (%v), want %s", domain.ErrorCode(err), err, domain.EINVALID)
		}
		return
	}
	for _, n := range b.Nodes {
		if ps := domain.ValidateNode(n); len(ps) > 0 {
			t.Fatalf("node %s in a parsed batch is invalid: %v", n.Key(), ps)
		}
	}
	for i := range b.Edges {
		if ps := domain.ValidateEdge(&b.Edges[i]); len(ps) > 0 {
			t.Fatalf("relation %s in a parsed batch is invalid: %v", b.Edges[i].Key(), ps)
		}
	}
}

func FuzzDossier(f *testing.F) {
	f.Add([]byte("sources:\n  - {id: s, title: T, url: \"https://example.org\"}\ncountries:\n  - {id: CN, name: China, sources: [s]}\n"))
	f.Add([]byte("forum:\n  id: f\n  name: F\n  startDate: 2015-09-19\n  sources: [s]\n  topics:\n    - {id: t, name: T}\n"))
	// Nesting around the depth limit, in each way YAML and JSON nest.
	for _, n := range []int{seed.DefaultLimits.MaxDepth, seed.DefaultLimits.MaxDepth + 1, 300} {
		f.Add([]byte(strings.Repeat("[", n) + strings.Repeat("]", n)))
		f.Add([]byte(strings.Repeat("{a: ", n) + strings.Repeat("}", n)))
		f.Add([]byte(strings.Repeat(`{"a":`, n) + "1" + strings.Repeat("}", n)))
		f.Add([]byte(strings.Repeat("- ", n) + "x\n"))
	}
	f.Add([]byte("a: b\n  'c\nd: " + strings.Repeat("[", 40) + strings.Repeat("]", 40) + "\n"))
	f.Add([]byte("a:\n- " + strings.Repeat("[", 32) + strings.Repeat("]", 32) + "\n"))
	f.Add([]byte("a: \"[[[[\"\nb: |\n  {{{{\n# [[[[\nc: [\"]]\", '[[']\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkBatch(t, "fuzz.yaml", data)
		checkBatch(t, "fuzz.json", data)
	})
}

func FuzzCSV(f *testing.F) {
	f.Add([]byte("city,partner,kind,status,since,through,note,sources\na,b,sister_city,,2001,,,s\n"))
	f.Add([]byte("id,name,name_zh,country,division,region,region_zh,lat,lon,population,population_year,capital,sources\nx,X,,CN,city,,,1,2,,,true,s\n"))
	f.Add([]byte("funding_body,project,amount,currency,instrument,approved,note,sources\naiib,p,1.5,USD,loan,2019,,s\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkBatch(t, "fuzz.csv", data)
	})
}
