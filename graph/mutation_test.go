package graph_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/client"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/graph"
	"github.com/citygraph/citygraph/graph/mutation"
)

// testSource is a source of the project data that test writes cite.
const testSource = "article-2015"

// extraFields are values a kind needs beyond its input type's required
// fields, for rules the type cannot state.
var extraFields = map[domain.Kind]string{domain.KindSource: `publisher: "Sample Press"`}

// writes drives the mutations through the real handler on one store.
type writes struct {
	t      *testing.T
	c      *client.Client
	schema *ast.Schema
	codes  int // the next private-use country code
}

func newWrites(t *testing.T) *writes {
	t.Helper()
	return &writes{t: t, c: client.New(asAdmin(graph.NewHandler(projectStore(t), quietLog(), graph.DefaultLimits, graph.DefaultExposure))), schema: graph.NewExecutableSchema(graph.Config{}).Schema()}
}

// do runs a mutation or query that must succeed.
func (w *writes) do(q string) map[string]any {
	w.t.Helper()
	return query(w.t, w.c, q)
}

// fail runs q, which must fail with one error of code want, and returns
// the error's message.
func (w *writes) fail(q string, want domain.Code) string {
	w.t.Helper()
	resp, err := w.c.RawPost(q)
	if err != nil {
		w.t.Fatalf("post %s: %v", q, err)
	}
	es := errorsOf(w.t, resp.Errors)
	if len(es) != 1 {
		w.t.Fatalf("%s: got errors %v, want one", q, es)
	}
	if got := es[0].Extensions["code"]; got != string(want) {
		w.t.Fatalf("%s: got code %v (%s), want %s", q, got, es[0].Message, want)
	}
	return es[0].Message
}

// changeSets counts the change log's sets.
func (w *writes) changeSets() int {
	w.t.Helper()
	return len(w.do(`{ changes(first: 1000) { seq } }`)["changes"].([]any))
}

// slug returns a fresh slug for a node of kind k.
func (w *writes) slug(k domain.Kind, name string) string {
	if k == domain.KindCountry {
		w.codes++
		return "Q" + string(rune('L'+w.codes)) // ISO 3166 private use: QM to QZ
	}
	return "t-" + strings.ToLower(name)
}

// required writes the input fields of inputType that must be given, but
// those the test gives itself, with sample values.
func (w *writes) required(inputType string, given ...string) string {
	var out []string
	for _, f := range w.schema.Types[inputType].Fields {
		if f.Type.NonNull && f.DefaultValue == nil && !slices.Contains(given, f.Name) {
			out = append(out, f.Name+": "+w.sample(f.Type))
		}
	}
	return strings.Join(out, ", ")
}

// sample is a valid literal of type t.
func (w *writes) sample(t *ast.Type) string {
	if t.Elem != nil {
		return "[" + w.sample(t.Elem) + "]"
	}
	def := w.schema.Types[t.Name()]
	switch {
	case def.Kind == ast.Enum:
		return def.EnumValues[0].Name
	case def.Kind == ast.InputObject:
		return "{" + w.required(def.Name) + "}"
	}
	return map[string]string{"String": `"Sample"`, "Int": "3", "Float": "1.5", "Boolean": "true",
		"Date": `"2015-09-19"`, "Decimal": `"1000"`, "Currency": `"USD"`}[t.Name()]
}

// cite is the sources input of a write about kind k (a source cites none).
func cite(k domain.Kind) string {
	if k == domain.KindSource {
		return ""
	}
	return fmt.Sprintf("sources: [%q]", testSource)
}

// create makes a node of kind k through createK and returns its slug.
func (w *writes) create(k domain.Kind, name string) string {
	w.t.Helper()
	slug := w.slug(k, name)
	w.do(fmt.Sprintf(`mutation { create%s(input: {slug: %q, %s, %s %s}) { changeSeq } }`,
		k, slug, w.required("Create"+string(k)+"Input", "slug"), extraFields[k], cite(k)))
	return slug
}

func field(name string) string { return strings.ToLower(name[:1]) + name[1:] }

// Every node kind is created, changed (the fields not given keep their
// values) and deleted through its own mutations, with versions counted and
// each write one change set.
func TestNodeMutations(t *testing.T) {
	for _, k := range domain.Kinds {
		t.Run(string(k), func(t *testing.T) {
			w := newWrites(t)
			before := w.changeSets()
			slug := w.slug(k, "node")
			f := field(string(k))
			got := w.do(fmt.Sprintf(`mutation { create%s(input: {clientMutationId: "c1", slug: %q, %s, %s %s}) { clientMutationId changeSeq %s { id name version } } }`,
				k, slug, w.required("Create"+string(k)+"Input", "slug"), extraFields[k], cite(k), f))
			p := at(t, got, "create"+string(k)).(map[string]any)
			id := string(k) + ":" + slug
			if p["clientMutationId"] != "c1" || at(t, p, f, "id") != id || at(t, p, f, "version") != 1.0 || at(t, p, f, "name") != "Sample" {
				t.Fatalf("create: got %v, want clientMutationId c1, %s at version 1 named Sample", p, id)
			}
			seq := p["changeSeq"].(float64)

			got = w.do(fmt.Sprintf(`mutation { update%s(input: {slug: %q, description: "Changed", expectedVersion: 1, %s}) { changeSeq %s { name description version } } }`,
				k, slug, cite(k), f))
			p = at(t, got, "update"+string(k)).(map[string]any)
			if at(t, p, f, "description") != "Changed" || at(t, p, f, "name") != "Sample" || at(t, p, f, "version") != 2.0 || p["changeSeq"].(float64) != seq+1 {
				t.Fatalf("update: got %v, want the description changed, the name kept, version 2 and change set %v", p, seq+1)
			}

			got = w.do(fmt.Sprintf(`mutation { delete%s(input: {slug: %q, expectedVersion: 2}) { deletedId %s { id } } }`, k, slug, f))
			p = at(t, got, "delete"+string(k)).(map[string]any)
			if p["deletedId"] != id || p[f] != nil {
				t.Fatalf("delete: got %v, want deletedId %s and no node", p, id)
			}
			w.fail(fmt.Sprintf(`{ node(id: %q) { id } }`, id), domain.ENOTFOUND)
			if n := w.changeSets(); n != before+3 {
				t.Errorf("got %d change sets, want %d: one per write", n, before+3)
			}
		})
	}
}

// Every relation is added, changed, ended where it has a life span, and
// deleted through its own mutations.
func TestRelationMutations(t *testing.T) {
	for _, r := range mutation.Relations {
		t.Run(r.Name, func(t *testing.T) {
			w := newWrites(t)
			rule := domain.EdgeRules[r.Kind]
			from := string(rule.From[0]) + ":" + w.create(rule.From[0], r.Name+"-from")
			to := string(rule.To[0]) + ":" + w.create(rule.To[0], r.Name+"-to")
			f := field(r.Name)
			ends := fmt.Sprintf("from: %q, to: %q", from, to)
			got := w.do(fmt.Sprintf(`mutation { add%s(input: {%s, %s %s}) { %s { kind from to version } } }`,
				r.Name, ends, w.required("Add"+r.Name+"Input", "from", "to"), cite(""), f))
			rel := at(t, got, "add"+r.Name, f).(map[string]any)
			if rel["kind"] != string(r.Kind) || rel["version"] != 1.0 || !slices.Contains([]any{from, to}, rel["from"]) {
				t.Fatalf("add: got %v, want %s from %s to %s at version 1", rel, r.Kind, from, to)
			}

			got = w.do(fmt.Sprintf(`mutation { update%s(input: {%s, note: "Changed", expectedVersion: 1, %s}) { %s { note version } } }`, r.Name, ends, cite(""), f))
			if rel := at(t, got, "update"+r.Name, f); at(t, rel, "note") != "Changed" || at(t, rel, "version") != 2.0 {
				t.Fatalf("update: got %v, want note Changed at version 2", rel)
			}
			if r.LifeSpan {
				got = w.do(fmt.Sprintf(`mutation { end%s(input: {%s, until: "2030-01-01", %s}) { %s { until version } } }`, r.Name, ends, cite(""), f))
				if rel := at(t, got, "end"+r.Name, f); at(t, rel, "until") != "2030-01-01" || at(t, rel, "version") != 3.0 {
					t.Fatalf("end: got %v, want until 2030-01-01 at version 3", rel)
				}
			}
			got = w.do(fmt.Sprintf(`mutation { delete%s(input: {%s}) { changeSeq %s { kind } } }`, r.Name, ends, f))
			if rel := at(t, got, "delete"+r.Name, f); rel != nil {
				t.Fatalf("delete: got %v, want no relation", rel)
			}
			w.fail(fmt.Sprintf(`mutation { update%s(input: {%s, note: "Again", %s}) { changeSeq } }`, r.Name, ends, cite("")), domain.ENOTFOUND)
		})
	}
}

// Bad writes get a coded error that says what is wrong, and write nothing.
func TestBadWritesChangeNothing(t *testing.T) {
	w := newWrites(t)
	w.do(fmt.Sprintf(`mutation { createCity(input: {slug: "t-a", name: "A", %s}) { changeSeq } }`, cite("")))
	tests := []struct {
		name, q string
		code    domain.Code
		says    string
	}{
		{"an unknown slug", `mutation { updateCity(input: {slug: "nowhere", population: 5, sources: ["article-2015"]}) { changeSeq } }`,
			domain.ENOTFOUND, "City:nowhere"},
		{"a slug already taken", `mutation { createCity(input: {slug: "t-a", name: "A", sources: ["article-2015"]}) { changeSeq } }`,
			domain.ECONFLICT, "City:t-a"},
		{"a relation whose end does not exist", `mutation { addPartnership(input: {from: "City:t-a", to: "City:nowhere", partnershipKind: SISTER_CITY, sources: ["article-2015"]}) { changeSeq } }`,
			domain.EINVALID, "City:nowhere"},
		{"a city partnered with itself", `mutation { addPartnership(input: {from: "City:t-a", to: "City:t-a", partnershipKind: SISTER_CITY, sources: ["article-2015"]}) { changeSeq } }`,
			domain.EINVALID, "itself"},
		{"a stale version", `mutation { updateCity(input: {slug: "t-a", population: 5, expectedVersion: 7, sources: ["article-2015"]}) { changeSeq } }`,
			domain.ECONFLICT, "1"},
		{"no source", `mutation { createCity(input: {slug: "t-b", name: "B"}) { changeSeq } }`,
			domain.EINVALID, "source"},
		{"an unknown source", `mutation { createCity(input: {slug: "t-b", name: "B", sources: ["no-such-source"]}) { changeSeq } }`,
			domain.EINVALID, "no-such-source"},
		{"an ill-formed global ID", `mutation { addPartnership(input: {from: "t-a", to: "City:nanning", partnershipKind: SISTER_CITY, sources: ["article-2015"]}) { changeSeq } }`,
			domain.EINVALID, "Kind:slug"},
		{"an inline source, when the write fails", `mutation { createCity(input: {slug: "t-a", name: "A", newSources: [{slug: "t-new", name: "New", publisher: "P"}]}) { changeSeq } }`,
			domain.ECONFLICT, "City:t-a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := w.changeSets()
			msg := w.fail(tt.q, tt.code)
			if !strings.Contains(msg, tt.says) {
				t.Errorf("got message %q, want it to name %q", msg, tt.says)
			}
			if n := w.changeSets(); n != before {
				t.Errorf("got %d change sets after the refused write, want %d", n, before)
			}
			got := w.do(`{ city(slug: "t-a") { version population } sources(first: 1000) { totalCount } }`)
			if at(t, got, "city", "version") != 1.0 || at(t, got, "city", "population") != nil {
				t.Errorf("got %v, want City:t-a unchanged at version 1", got["city"])
			}
		})
	}
	w.fail(`{ source(slug: "t-new") { slug } }`, domain.ENOTFOUND)
}

// A retried write with the same idempotency key applies once and answers
// what the first attempt answered.
func TestIdempotentRetry(t *testing.T) {
	w := newWrites(t)
	q := fmt.Sprintf(`mutation { createCity(input: {slug: "t-once", name: "Once", idempotencyKey: "k-1", %s}) { changeSeq city { version } } }`, cite(""))
	first := w.do(q)
	before := w.changeSets()
	again := w.do(q)
	if at(t, again, "createCity", "changeSeq") != at(t, first, "createCity", "changeSeq") {
		t.Errorf("got change set %v on the retry, want %v as the first time", at(t, again, "createCity", "changeSeq"), at(t, first, "createCity", "changeSeq"))
	}
	if n := w.changeSets(); n != before {
		t.Errorf("got %d change sets after the retry, want %d", n, before)
	}
}

// A field given as null is cleared, one not given keeps its value, and
// sources created inline are stored with the write and cited.
func TestUpdateMergesAndClears(t *testing.T) {
	w := newWrites(t)
	w.do(`mutation { createCity(input: {slug: "t-m", name: "M", nameZh: "甲", population: 5, populationYear: 2020,
		newSources: [{slug: "t-src", name: "A new source", publisher: "P"}]}) { changeSeq } }`)
	got := w.do(`mutation { updateCity(input: {slug: "t-m", population: null, populationYear: null, region: "Guangxi", sources: ["article-2015"]}) {
		city { nameZh population region sources { slug } } } }`)
	c := at(t, got, "updateCity", "city")
	var srcs []string
	for _, s := range at(t, c, "sources").([]any) {
		srcs = append(srcs, at(t, s, "slug").(string))
	}
	slices.Sort(srcs)
	if at(t, c, "nameZh") != "甲" || at(t, c, "population") != nil || at(t, c, "region") != "Guangxi" || !slices.Equal(srcs, []string{"article-2015", "t-src"}) {
		t.Errorf("got %v, want nameZh kept, population cleared, region set and both sources cited", c)
	}
}

// A partnership that ends keeps its history: asOf queries before the end
// still see it, later ones do not, and the node's history and the change
// log record each write with its fields before and after.
func TestEndedPartnershipKeepsItsHistory(t *testing.T) {
	w := newWrites(t)
	a, b := w.create(domain.KindCity, "end-a"), w.create(domain.KindCity, "end-b")
	ends := fmt.Sprintf(`from: "City:%s", to: "City:%s"`, a, b)
	w.do(fmt.Sprintf(`mutation { addPartnership(input: {%s, partnershipKind: SISTER_CITY, since: "2010", %s}) { changeSeq } }`, ends, cite("")))
	w.do(fmt.Sprintf(`mutation { endPartnership(input: {%s, until: "2020", %s}) { changeSeq } }`, ends, cite("")))
	for _, tt := range []struct {
		asOf string
		want float64
	}{{"2015", 1}, {"2009", 0}, {"2021", 0}} {
		got := w.do(fmt.Sprintf(`{ city(slug: %q) { partners(asOf: %q) { totalCount } } }`, a, tt.asOf))
		if n := at(t, got, "city", "partners", "totalCount"); n != tt.want {
			t.Errorf("partners asOf %s: got %v, want %v", tt.asOf, n, tt.want)
		}
	}
	got := w.do(fmt.Sprintf(`{ city(slug: %q) { history { operation relations { kind before after } } } }`, a))
	h := at(t, got, "city", "history").([]any)
	if len(h) != 3 || at(t, h[0], "operation") != "endPartnership" || at(t, h[1], "operation") != "addPartnership" || at(t, h[2], "operation") != "createCity" {
		t.Fatalf("got history %v, want endPartnership, addPartnership, createCity, newest first", h)
	}
	if after := at(t, h[0], "relations", 0, "after", "until"); after != "2020" {
		t.Errorf("got the end's after %v, want until 2020", at(t, h[0], "relations", 0, "after"))
	}
}
