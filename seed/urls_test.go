package seed_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/seed"
)

// A source's addresses are a list in both seed formats, and the older
// " ; "-joined url still reads as the same list.
func TestSourcesHaveSeveralURLs(t *testing.T) {
	const csvHeader = "id,title,title_zh,publisher,author,date,url,file,description\n"
	files := map[string][]byte{
		"dossier.yaml": []byte(`sources:
  - {id: joined, title: Joined, url: "http://a.example/1 ; https://b.example/2"}
  - id: listed
    title: Listed
    urls: [http://c.example/3, "https://d.example/4?x=1;y=2"]
  - {id: single, title: Single, url: "https://e.example/5"}
`),
		"sources.csv": []byte(csvHeader +
			"csv-joined,CSV joined,,,,,http://f.example/6 ; http://g.example/7,,\n" +
			"csv-spaced,CSV spaced,,,,,http://h.example/8 http://i.example/9,,\n"),
	}
	b, _, err := seed.Parse(files)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	got := map[string][]string{}
	for _, n := range b.Nodes {
		if s, ok := n.(*domain.Source); ok {
			got[s.ID] = s.URLs
		}
	}
	want := map[string][]string{
		"joined":     {"http://a.example/1", "https://b.example/2"},
		"listed":     {"http://c.example/3", "https://d.example/4?x=1;y=2"},
		"single":     {"https://e.example/5"},
		"csv-joined": {"http://f.example/6", "http://g.example/7"},
		"csv-spaced": {"http://h.example/8", "http://i.example/9"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("urls: got %v, want %v", got, want)
	}
}

func TestASourceURLMustBeHTTP(t *testing.T) {
	files := map[string][]byte{"dossier.yaml": []byte(`sources:
  - id: bad
    title: Bad
    urls: [https://ok.example/, ftp://files.example/x]
`)}
	_, _, err := seed.Parse(files)
	if err == nil || !strings.Contains(err.Error()+problemsOf(err), "ftp://files.example/x") {
		t.Errorf("got %v, want a problem naming the ftp address", err)
	}
}

func problemsOf(err error) string {
	var sb strings.Builder
	if e, ok := err.(*domain.Error); ok {
		for _, p := range e.Problems {
			sb.WriteString(p.String() + "\n")
		}
	}
	return sb.String()
}
