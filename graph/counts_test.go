package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/graph"
)

// requiredArgs are the values given for a field's required arguments, so
// that only the count argument under test can be wrong.
var requiredArgs = map[string]string{
	"Query.neighbourhood":     `id: "City:nanning"`,
	"Query.paths":             `from: "nanning", to: "beijing"`,
	"Query.cityRanking":       `by: PARTNERS`,
	"Query.suggestedPartners": `city: "nanning"`,
	"Query.near":              `city: "nanning", withinKm: 500`,
	"Query.search":            `text: "Nanning"`,
}

// positions are Int arguments that say where to start, not how many.
var positions = map[string]bool{"Query.changes(after)": true}

// documentedRange finds "1 to 100" in an argument's description.
var documentedRange = regexp.MustCompile(`\b1 to (\d+)\b`)

// countField is a field with an Int argument, reached by a query.
type countField struct {
	name    string // Type.field(arg)
	arg     string
	max     int
	queryOf func(argValue string) string
}

// countFields walks the schema for every field with an Int argument and
// builds a query that reaches it: from Query, or through node(id:) on a
// node of the field's type from the store.
func countFields(t *testing.T, st domain.Store) []countField {
	t.Helper()
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	var names []string
	for name, def := range schema.Types {
		// Subscriptions are not served over POST; their sequence numbers are no counts.
		if def.Kind == ast.Object && !strings.HasPrefix(name, "__") && def != schema.Subscription {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	var out []countField
	for _, typ := range names {
		def := schema.Types[typ]
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			for _, a := range f.Arguments {
				if a.Type.Name() != "Int" || positions[typ+"."+f.Name+"("+a.Name+")"] {
					continue
				}
				name := fmt.Sprintf("%s.%s(%s)", typ, f.Name, a.Name)
				m := documentedRange.FindStringSubmatch(a.Description)
				if m == nil {
					t.Errorf("%s: the description %q documents no range (1 to N)", name, a.Description)
					continue
				}
				max, _ := strconv.Atoi(m[1])
				fixed := requiredArgs[typ+"."+f.Name]
				for _, other := range f.Arguments {
					if other.Type.NonNull && other.DefaultValue == nil && fixed == "" {
						t.Fatalf("%s: required argument %s needs a value in requiredArgs", name, other.Name)
					}
				}
				sel := ""
				if ft := schema.Types[f.Type.Name()]; ft != nil && ft.Kind != ast.Scalar && ft.Kind != ast.Enum {
					sel = " { __typename }"
				}
				field := func(v string) string {
					args := fixed
					if v != "" {
						args = strings.TrimPrefix(args+", "+a.Name+": "+v, ", ")
					}
					if args != "" {
						args = "(" + args + ")"
					}
					return f.Name + args + sel
				}
				cf := countField{name: name, arg: a.Name, max: max}
				switch {
				case typ == "Query":
					cf.queryOf = func(v string) string { return "{ " + field(v) + " }" }
				case slices.Contains(def.Interfaces, "Node"):
					p, err := st.ListNodes(context.Background(), domain.NodeQuery{Kind: domain.Kind(typ), Page: domain.Page{First: 1}})
					if err != nil || len(p.Items) == 0 {
						t.Fatalf("%s: no %s in the project data to reach it through (%v)", name, typ, err)
					}
					id := p.Items[0].Key().String()
					cf.queryOf = func(v string) string {
						return fmt.Sprintf(`{ node(id: %q) { ... on %s { %s } } }`, id, typ, field(v))
					}
				default:
					t.Errorf("%s: no way to reach a %s in this test; add one", name, typ)
					continue
				}
				out = append(out, cf)
			}
		}
	}
	return out
}

// gqlError is one error of a response.
type gqlError struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

func errorsOf(t *testing.T, raw json.RawMessage) []gqlError {
	t.Helper()
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var es []gqlError
	if err := json.Unmarshal(raw, &es); err != nil {
		t.Fatalf("errors %s: %v", raw, err)
	}
	return es
}

// An explicit count out of its documented range (0, negative, past the
// maximum) is INVALID_ARGUMENT naming the argument, the value and the
// range, on every field that takes one; omitted or null, it takes its
// default, and the maximum itself is accepted.
func TestCountArgumentsOutOfRangeAreInvalid(t *testing.T) {
	st := projectStore(t)
	c := newClient(st)
	fields := countFields(t, st)
	if len(fields) < 30 {
		t.Fatalf("found %d fields with count arguments, want the 30 or more the schema has", len(fields))
	}
	for _, f := range fields {
		t.Run(f.name, func(t *testing.T) {
			for _, v := range []string{"", "null", "1", strconv.Itoa(f.max)} {
				q := f.queryOf(v)
				resp, err := c.RawPost(q)
				if err != nil {
					t.Fatalf("post %s: %v", q, err)
				}
				if es := errorsOf(t, resp.Errors); len(es) > 0 {
					t.Errorf("%s: got errors %v, want none", q, es)
				}
			}
			for _, v := range []int{0, -1, f.max + 1} {
				q := f.queryOf(strconv.Itoa(v))
				resp, err := c.RawPost(q)
				if err != nil {
					t.Fatalf("post %s: %v", q, err)
				}
				es := errorsOf(t, resp.Errors)
				if len(es) != 1 {
					t.Fatalf("%s: got errors %v, want one", q, es)
				}
				if code := es[0].Extensions["code"]; code != string(domain.EINVALID) {
					t.Errorf("%s: got code %v, want %s", q, code, domain.EINVALID)
				}
				want := fmt.Sprintf("%s must be between 1 and %d, got %d", f.arg, f.max, v)
				if !strings.Contains(es[0].Message, want) {
					t.Errorf("%s: got message %q, want it to contain %q", q, es[0].Message, want)
				}
			}
		})
	}
}
