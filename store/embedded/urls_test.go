package embedded

import (
	"reflect"
	"testing"

	"github.com/citygraph/citygraph/domain"
)

// Sources written before they held a list kept their addresses in URL,
// joined by " ; "; they read back as the list, and a source written now
// reads back as written.
func TestSourceURLsReadFromOldAndNewRecords(t *testing.T) {
	now, err := encodeNode(&domain.Source{Meta: domain.Meta{ID: "now"}, URLs: []string{"https://a.example/", "http://b.example/x;y"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		stored string
		want   []string
	}{
		{"joined, as stored before", `{"ID":"old","Name":"Old","URL":"http://a.example/1 ; https://b.example/2"}`, []string{"http://a.example/1", "https://b.example/2"}},
		{"one address, as stored before", `{"ID":"old","URL":"https://c.example/"}`, []string{"https://c.example/"}},
		{"none", `{"ID":"old","Publisher":"Xinhua"}`, nil},
		{"a list, as stored now", string(now), []string{"https://a.example/", "http://b.example/x;y"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, err := decodeNode(domain.KindSource, []byte(tc.stored))
			if err != nil {
				t.Fatal(err)
			}
			if got := n.(*domain.Source).URLs; !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
