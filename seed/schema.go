package seed

import (
	"bytes"
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/citygraph/citygraph/domain"
)

// DossierSchema is the published JSON Schema (draft 2020-12) of a dossier,
// the file editors validate against.
//
//go:embed schema/dossier.schema.json
var DossierSchema []byte

const schemaURL = "https://citygraph.invalid/seed/dossier.schema.json"

var compiled = sync.OnceValues(func() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(DossierSchema))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource(schemaURL, doc); err != nil {
		return nil, err
	}
	return c.Compile(schemaURL)
})

var printer = message.NewPrinter(language.English)

// validateSchema checks a dossier against DossierSchema and returns one
// problem per failed leaf, on the line of the value at fault.
func validateSchema(file string, doc *yamlDoc) []domain.Problem {
	sch, err := compiled()
	if err != nil {
		// The schema is embedded and tested; this is a build defect.
		return []domain.Problem{{File: file, Field: "(schema)", Found: err.Error(), Expected: "a valid embedded schema"}}
	}
	err = sch.Validate(doc.value)
	if err == nil {
		return nil
	}
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return []domain.Problem{{File: file, Field: "(document)", Found: err.Error(), Expected: "a dossier matching the schema"}}
	}
	var ps []domain.Problem
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) > 0 {
			for _, c := range e.Causes {
				walk(c)
			}
			return
		}
		ps = append(ps, schemaProblem(file, doc, e))
	}
	walk(ve)
	// Causes come in schema order; readers want file order.
	slices.SortStableFunc(ps, func(a, b domain.Problem) int { return a.Line - b.Line })
	return slices.Compact(ps)
}

func schemaProblem(file string, doc *yamlDoc, e *jsonschema.ValidationError) domain.Problem {
	loc := e.InstanceLocation
	p := domain.Problem{File: file, Line: doc.line(loc...), Field: fieldName(loc)}
	if p.Field == "" {
		p.Field = "(document)"
	}
	switch k := e.ErrorKind.(type) {
	case *kind.AdditionalProperties:
		// Name the first unknown field: it is the typo a reader looks for.
		sorted := slices.Clone(k.Properties)
		slices.Sort(sorted)
		name := sorted[0]
		for _, n := range k.Properties {
			if l := doc.line(append(clone(loc), n)...); l > 0 && l < doc.line(append(clone(loc), name)...) {
				name = n
			}
		}
		fl := append(clone(loc), name)
		p.Line, p.Field = doc.line(fl...), fieldName(fl)
		p.Found = fmt.Sprintf("unknown field %q", name)
		if len(k.Properties) > 1 {
			p.Found = fmt.Sprintf("unknown fields %s", quoteAll(k.Properties))
		}
		p.Expected = "only the fields the schema defines here (check the spelling)"
	case *kind.Required:
		p.Found = "no " + quoteAll(k.Missing)
		p.Expected = "required field(s) " + quoteAll(k.Missing)
	case *kind.Enum:
		p.Found = show(valueAt(doc.value, loc))
		p.Expected = "one of " + show(k.Want)
	default:
		p.Found = show(valueAt(doc.value, loc))
		p.Expected = e.ErrorKind.LocalizedString(printer)
	}
	return p
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

func valueAt(v any, path []string) any {
	for _, p := range path {
		switch t := v.(type) {
		case map[string]any:
			v = t[p]
		case []any:
			var i int
			if _, err := fmt.Sscan(p, &i); err != nil || i < 0 || i >= len(t) {
				return nil
			}
			v = t[i]
		default:
			return nil
		}
	}
	return v
}

// show renders a value briefly for a message.
func show(v any) string {
	var s string
	switch t := v.(type) {
	case string:
		s = fmt.Sprintf("%q", t)
	case map[string]any:
		s = "a mapping"
	case []any:
		s = fmt.Sprintf("a list of %d", len(t))
	case nil:
		s = "nothing"
	default:
		s = fmt.Sprint(t)
	}
	if r := []rune(s); len(r) > 80 {
		s = string(r[:80]) + "…"
	}
	return s
}
