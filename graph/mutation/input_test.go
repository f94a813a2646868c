package mutation_test

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/graph/mutation"
)

func TestParse(t *testing.T) {
	tests := []struct {
		field    string
		ok       bool
		mode     domain.WriteMode
		kind     domain.Kind
		relation domain.EdgeKind
	}{
		{"createCity", true, domain.Create, domain.KindCity, ""},
		{"updateFundingBody", true, domain.Update, domain.KindFundingBody, ""},
		{"deleteSource", true, domain.Delete, domain.KindSource, ""},
		{"addPartnership", true, domain.Create, "", domain.EdgePartnerOf},
		{"endPartnership", true, domain.End, "", domain.EdgePartnerOf},
		{"deleteOrganiserRole", true, domain.Delete, "", domain.EdgeOrganised},
		{"endSignature", false, "", "", ""}, // a signature has no life span
		{"createPartnership", false, "", "", ""},
		{"importSeed", false, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			got, ok := mutation.Parse(tt.field)
			if ok != tt.ok {
				t.Fatalf("Parse(%q): got ok %v, want %v", tt.field, ok, tt.ok)
			}
			if !ok {
				return
			}
			var rel domain.EdgeKind
			if got.Relation != nil {
				rel = got.Relation.Kind
			}
			if got.Mode != tt.mode || got.Kind != tt.kind || rel != tt.relation {
				t.Errorf("Parse(%q): got %s %s %s, want %s %s %s", tt.field, got.Mode, got.Kind, rel, tt.mode, tt.kind, tt.relation)
			}
		})
	}
}

// An update sets what it gives and clears what it gives as null or zero;
// inline sources are created in the same write and cited.
func TestBuildUpdate(t *testing.T) {
	pop := int64(0)
	input := map[string]any{"slug": "nanning", "nameZh": "南宁", "population": &pop, "region": (*string)(nil),
		"aliases": []string{"Yong"}, "expectedVersion": 3, "idempotencyKey": "k1", "sources": []string{"a"},
		"newSources": []map[string]any{{"slug": "b", "name": "B", "publisher": "P"}}}
	w, _, err := mutation.Build("updateCity", input)
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Nodes) != 2 || w.Nodes[0].Mode != domain.Create || w.Nodes[0].Node.Key() != (domain.NodeKey{Kind: domain.KindSource, ID: "b"}) {
		t.Fatalf("got nodes %+v, want the inline source created first", w.Nodes)
	}
	c := w.Nodes[1]
	city := c.Node.(*domain.City)
	if c.Mode != domain.Update || city.NameZh != "南宁" || !slices.Equal(city.Aliases, []string{"Yong"}) || !slices.Equal(city.Sources, []string{"a", "b"}) {
		t.Errorf("got %+v, want nameZh, aliases and both sources set", city)
	}
	slices.Sort(c.Clear)
	if !slices.Equal(c.Clear, []string{"population", "region"}) || c.ExpectVersion != 3 || w.IdempotencyKey != "k1" || w.Operation != "updateCity" {
		t.Errorf("got clear %v, version %d, key %q, operation %q; want population and region cleared, 3, k1, updateCity",
			c.Clear, c.ExpectVersion, w.IdempotencyKey, w.Operation)
	}
}

func TestBuildRelation(t *testing.T) {
	w, target, err := mutation.Build("endPartnership", map[string]any{"from": "City:a", "to": "City:b", "until": domain.Date("2020"),
		"sources": []string{"s"}, "expectedVersion": json.Number("2")})
	if err != nil {
		t.Fatal(err)
	}
	e := w.Edges[0]
	if target.Mode != domain.End || e.Edge.Kind != domain.EdgePartnerOf || e.Edge.Until != "2020" || e.ExpectVersion != 2 ||
		e.Edge.From.ID != "a" || e.Edge.To.ID != "b" {
		t.Errorf("got %+v, want the partnership of a and b ended in 2020, expecting version 2", e)
	}
}

func TestBuildRefusesBadValues(t *testing.T) {
	tests := []struct {
		name, field string
		input       map[string]any
		wantField   string
	}{
		{"an end that is no global ID", "addPartnership", map[string]any{"from": "nanning", "to": "City:b"}, "from"},
		{"a through that is no global ID", "updatePartnership", map[string]any{"from": "City:a", "to": "City:b", "through": "x"}, "through"},
		{"a source that is not a string", "updateCity", map[string]any{"slug": "a", "sources": []any{7}}, "sources[0]"},
		{"a version that is not an integer", "updateCity", map[string]any{"slug": "a", "expectedVersion": "two"}, "expectedVersion"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := mutation.Build(tt.field, tt.input)
			var e *domain.Error
			if !errors.As(err, &e) || e.Code != domain.EINVALID || len(e.Problems) == 0 || e.Problems[0].Field != tt.wantField {
				t.Fatalf("got %v, want INVALID_ARGUMENT about %s", err, tt.wantField)
			}
		})
	}
}
