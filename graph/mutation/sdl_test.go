package mutation_test

import (
	"os"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/citygraph/citygraph/graph/mutation"
)

// The committed schema/mutation.graphqls is what the table and the node
// types give, so a change to either shows up only after go generate.
func TestCommittedMutationSchemaIsGenerated(t *testing.T) {
	src, err := os.ReadFile("../../schema.graphqls")
	if err != nil {
		t.Fatal(err)
	}
	doc, perr := parser.ParseSchema(&ast.Source{Name: "schema.graphqls", Input: string(src)})
	if perr != nil {
		t.Fatal(perr)
	}
	got, err := mutation.SDL(doc)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("../../schema/mutation.graphqls")
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("schema/mutation.graphqls differs from what graph/mutation writes (%d bytes, want %d); run go generate ./graph/...", len(want), len(got))
	}
}
