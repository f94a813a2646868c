// Command gen runs gqlgen for graph/ (go generate ./graph) with one change
// to the executor it writes: below the root, fields and list elements are
// resolved in order on the request's goroutine instead of one goroutine
// each. Resolvers read the plan's answers from memory (planrun.go), so the
// goroutines bought no parallelism and cost most of a request's CPU (stack
// growth, scheduling); the root's fields still run concurrently.
package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/99designs/gqlgen/api"
	"github.com/99designs/gqlgen/codegen"
	"github.com/99designs/gqlgen/codegen/config"
	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/graph/mutation"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// The schema file of the mutations, written from graph/mutation's table
// and the base schema's types before gqlgen reads the schema.
const (
	baseSchema     = "schema.graphqls"
	mutationSchema = "schema/mutation.graphqls"
	modelPackage   = "github.com/citygraph/citygraph/graph/model."
)

// sequentialFields turns off gqlgen's per-field goroutines on every object
// but the operation roots.
type sequentialFields struct{}

func (sequentialFields) Name() string { return "sequentialFields" }

func (sequentialFields) GenerateCode(data *codegen.Data) error {
	for _, o := range data.Objects {
		if !o.Root {
			o.DisableConcurrency = true
		}
	}
	return nil
}

// Lists of objects are marshalled with one goroutine per element by a
// gqlgen template no option reaches; the executor calls marshalSliceInOrder
// (graph/inorder.go) instead, which keeps the element's field context and
// panic recovery.
var (
	concurrentSlice = []byte("graphql.MarshalSliceConcurrently(")
	inOrderSlice    = []byte("marshalSliceInOrder(")
)

// An object resolved in order never defers a field (only gqlgen's
// concurrent path does), yet its executor builds a deferred group for
// each value, computing the value's whole path: the commonest allocation
// of a request. Those objects get an empty group instead.
var (
	deferredGroup = []byte("graphql.NewDeferredGroup(ctx)")
	emptyGroup    = []byte("graphql.DeferredGroup{}")
	concurrently  = []byte("Concurrently(")
	funcStart     = []byte("\nfunc ")
)

func main() {
	if err := generate(); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func generate() error {
	if err := toModuleRoot(); err != nil {
		return err
	}
	if err := writeMutationSchema(); err != nil {
		return err
	}
	cfg, err := config.LoadConfigFromDefaultLocations()
	if err != nil {
		return fmt.Errorf("loading gqlgen.yml: %w", err)
	}
	bindMutations(cfg)
	if err := api.Generate(cfg, api.AddPlugin(sequentialFields{})); err != nil {
		return err
	}
	exec := cfg.Exec.Filename
	src, err := os.ReadFile(exec)
	if err != nil {
		return err
	}
	if !bytes.Contains(src, concurrentSlice) {
		return fmt.Errorf("%s calls no %s: gqlgen's executor changed; update graph/gen", exec, concurrentSlice)
	}
	src = bytes.ReplaceAll(src, concurrentSlice, inOrderSlice)
	funcs := bytes.Split(src, funcStart)
	for i, f := range funcs {
		if !bytes.Contains(f, concurrently) {
			funcs[i] = bytes.ReplaceAll(f, deferredGroup, emptyGroup)
		}
	}
	return os.WriteFile(exec, bytes.Join(funcs, funcStart), 0o644)
}

// toModuleRoot changes to the directory of gqlgen.yml, where gqlgen reads
// the schema's paths from; go generate runs in graph/.
func toModuleRoot() error {
	for {
		if _, err := os.Stat("gqlgen.yml"); err == nil {
			return nil
		}
		wd, _ := os.Getwd()
		if filepath.Dir(wd) == wd {
			return fmt.Errorf("no gqlgen.yml in this directory or above")
		}
		if err := os.Chdir(".."); err != nil {
			return err
		}
	}
}

// writeMutationSchema writes the Mutation type from the table.
func writeMutationSchema() error {
	src, err := os.ReadFile(baseSchema)
	if err != nil {
		return err
	}
	doc, perr := parser.ParseSchema(&ast.Source{Name: baseSchema, Input: string(src)})
	if perr != nil {
		return fmt.Errorf("parsing %s: %w", baseSchema, perr)
	}
	sdl, err := mutation.SDL(doc)
	if err != nil {
		return fmt.Errorf("writing %s: %w", mutationSchema, err)
	}
	return os.WriteFile(mutationSchema, []byte(sdl), 0o644)
}

// bindMutations binds the table's types, as gqlgen.yml binds the others:
// every input to a map, so that a field given as null (cleared) differs
// from one not given (kept), and the payloads to two Go types.
func bindMutations(cfg *config.Config) {
	inputs := func(names ...string) {
		for _, n := range names {
			cfg.Models[n] = config.TypeMapEntry{Model: config.StringList{"map[string]interface{}"}}
		}
	}
	inputs("MoneyInput", "NewSourceInput")
	for _, k := range domain.Kinds {
		n := string(k)
		inputs("Create"+n+"Input", "Update"+n+"Input", "Delete"+n+"Input")
		cfg.Models[n+"Payload"] = config.TypeMapEntry{Model: config.StringList{modelPackage + "NodePayload"},
			Fields: map[string]config.TypeMapField{lowerFirst(n): {Resolver: true}}}
	}
	for _, r := range mutation.Relations {
		inputs("Add"+r.Name+"Input", "Update"+r.Name+"Input", "End"+r.Name+"Input", "Delete"+r.Name+"Input")
		cfg.Models[r.Name+"Payload"] = config.TypeMapEntry{Model: config.StringList{modelPackage + "RelationPayload"},
			Fields: map[string]config.TypeMapField{lowerFirst(r.Name): {FieldName: "Relation"}}}
	}
}

func lowerFirst(s string) string { return string(bytes.ToLower([]byte(s[:1]))) + s[1:] }
