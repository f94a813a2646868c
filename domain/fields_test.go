package domain_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"

	"github.com/citygraph/citygraph/domain"
)

// Field names are the schema's: a change set and a clear list speak the
// API's language.
func TestFieldNamesAreTheSchemas(t *testing.T) {
	for _, c := range []struct {
		kind domain.Kind
		want []string
	}{
		{domain.KindCity, []string{"name", "nameZh", "aliases", "description", "sources", "division", "region", "regionZh",
			"location", "population", "populationYear", "isCapital"}},
		{domain.KindOrganization, []string{"name", "nameZh", "aliases", "description", "sources", "kind"}},
		{domain.KindFundingBody, []string{"name", "nameZh", "aliases", "description", "sources", "acronym", "founded", "capital", "capitalNote"}},
	} {
		if got := domain.NodeFieldNames(c.kind); !slices.Equal(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.kind, got, c.want)
		}
	}
	want := []string{"since", "role", "kind", "status", "through", "delegationSize", "level", "position", "request", "requestZh",
		"amount", "instrument", "note", "sources", "until"}
	if got := domain.EdgeFieldNames(); !slices.Equal(got, want) {
		t.Errorf("relations: got %v, want %v", got, want)
	}
}

// Fields hold what encoding/json decodes, so a change set reads back
// from a store equal to the one written.
func TestFieldsSurviveJSON(t *testing.T) {
	through := domain.NodeKey{Kind: domain.KindAgreement, ID: "nanning-consensus"}
	for name, f := range map[string]domain.Fields{
		"city": domain.NodeFields(&domain.City{Meta: domain.Meta{ID: "nanning", Name: "Nanning", Aliases: []string{"邕"}, Version: 3},
			Location: &domain.GeoPoint{Lat: 22.8, Lon: 108}, Population: 8_741_584, IsCapital: true}),
		"funding body": domain.NodeFields(&domain.FundingBody{Meta: domain.Meta{ID: "aiib", Name: "AIIB"},
			Capital: &domain.Money{Amount: 10_000_000_050, Currency: "USD"}}),
		"partnership": domain.EdgeFields(&domain.Edge{Kind: domain.EdgePartnerOf, Since: "2015", Until: "2020", Through: &through, Position: 2}),
	} {
		t.Run(name, func(t *testing.T) {
			data, err := json.Marshal(f)
			if err != nil {
				t.Fatal(err)
			}
			var back domain.Fields
			if err := json.Unmarshal(data, &back); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back, f) {
				t.Errorf("read back\n%#v\nwant\n%#v", back, f)
			}
			if _, ok := f["version"]; ok {
				t.Error("the version is a field; it is the change's, not the value's")
			}
		})
	}
}

func TestMergeNode(t *testing.T) {
	stored := &domain.City{Meta: domain.Meta{ID: "nanning", Name: "Nanning", NameZh: "南宁", Sources: []string{"a"}, Version: 4},
		Division: domain.DivisionCity, Region: "Guangxi", Population: 1}
	cases := []struct {
		name    string
		change  *domain.City
		clear   []string
		want    *domain.City
		problem string
	}{
		{"fields given are set, the rest kept", &domain.City{Meta: domain.Meta{ID: "nanning"}, Population: 2},
			nil, &domain.City{Meta: domain.Meta{ID: "nanning", Name: "Nanning", NameZh: "南宁", Sources: []string{"a"}, Version: 4},
				Division: domain.DivisionCity, Region: "Guangxi", Population: 2}, ""},
		{"sources are added to", &domain.City{Meta: domain.Meta{ID: "nanning", Sources: []string{"b", "a"}}},
			nil, &domain.City{Meta: domain.Meta{ID: "nanning", Name: "Nanning", NameZh: "南宁", Sources: []string{"a", "b"}, Version: 4},
				Division: domain.DivisionCity, Region: "Guangxi", Population: 1}, ""},
		{"clear empties, then the change sets", &domain.City{Meta: domain.Meta{ID: "nanning", Sources: []string{"b"}}},
			[]string{"sources", "region", "nameZh"}, &domain.City{Meta: domain.Meta{ID: "nanning", Name: "Nanning", Sources: []string{"b"}, Version: 4},
				Division: domain.DivisionCity, Population: 1}, ""},
		{"an unknown field to clear is a problem", &domain.City{Meta: domain.Meta{ID: "nanning"}}, []string{"mayor"}, nil, "clear"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ps := domain.MergeNode(stored, c.change, c.clear)
			if c.problem != "" {
				if len(ps) != 1 || ps[0].Field != c.problem {
					t.Errorf("got problems %v, want one about %s", ps, c.problem)
				}
				return
			}
			if len(ps) > 0 || !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %+v (problems %v)\nwant %+v", got, ps, c.want)
			}
			if stored.Population != 1 || stored.Region != "Guangxi" || len(stored.Sources) != 1 {
				t.Errorf("the merge changed the stored value: %+v", stored)
			}
		})
	}
}
