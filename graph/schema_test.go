package graph_test

import (
	"strings"
	"testing"

	"github.com/citygraph/citygraph/store/embedded"
)

// TestSchemaIsDescribed checks through introspection that every type,
// field, argument, input field and enum value of the API has a description.
func TestSchemaIsDescribed(t *testing.T) {
	st, err := embedded.Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	d := query(t, newClient(st), `{ __schema { types {
		name description
		fields { name description args { name description } }
		inputFields { name description }
		enumValues { name description } } } }`)
	builtin := map[string]bool{"String": true, "Int": true, "Float": true, "Boolean": true, "ID": true}
	var missing []string
	for _, ty := range at(t, d, "__schema", "types").([]any) {
		tm := ty.(map[string]any)
		name := tm["name"].(string)
		if strings.HasPrefix(name, "__") || builtin[name] {
			continue
		}
		if tm["description"] == nil || tm["description"] == "" {
			missing = append(missing, name)
		}
		check := func(list any, what string) {
			items, _ := list.([]any)
			for _, it := range items {
				m := it.(map[string]any)
				if m["description"] == nil || m["description"] == "" {
					missing = append(missing, name+"."+m["name"].(string)+" ("+what+")")
				}
				check2, _ := m["args"].([]any)
				for _, a := range check2 {
					am := a.(map[string]any)
					if am["description"] == nil || am["description"] == "" {
						missing = append(missing, name+"."+m["name"].(string)+"("+am["name"].(string)+")")
					}
				}
			}
		}
		check(tm["fields"], "field")
		check(tm["inputFields"], "input field")
		check(tm["enumValues"], "enum value")
	}
	if len(missing) > 0 {
		t.Errorf("%d schema elements have no description:\n%s", len(missing), strings.Join(missing, "\n"))
	}
}
