package domain_test

import (
	"reflect"
	"testing"

	"github.com/citygraph/citygraph/domain"
)

func TestSplitURLs(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"https://a.example/", []string{"https://a.example/"}},
		{"http://a.example/ ; https://b.example/q?x=1;y=2", []string{"http://a.example/", "https://b.example/q?x=1;y=2"}},
		{"  http://a.example/\thttp://b.example/  ", []string{"http://a.example/", "http://b.example/"}},
	} {
		if got := domain.SplitURLs(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("SplitURLs(%q): got %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSourceURLsAreChecked(t *testing.T) {
	for _, tc := range []struct {
		name string
		src  domain.Source
		want []string // the fields with problems
	}{
		{"two good addresses", domain.Source{Meta: domain.Meta{ID: "s", Name: "S"}, URLs: []string{"https://a.example/", "http://b.example/"}}, nil},
		{"the second is not http", domain.Source{Meta: domain.Meta{ID: "s", Name: "S"}, URLs: []string{"https://a.example/", "mailto:x@example.org"}}, []string{"urls[1]"}},
		{"nothing tells where it is", domain.Source{Meta: domain.Meta{ID: "s", Name: "S"}}, []string{"urls"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, p := range domain.ValidateNode(&tc.src) {
				got = append(got, p.Field)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("problems in %v, want %v", got, tc.want)
			}
		})
	}
}
