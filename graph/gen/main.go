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

	"github.com/99designs/gqlgen/api"
	"github.com/99designs/gqlgen/codegen"
	"github.com/99designs/gqlgen/codegen/config"
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
	cfg, err := config.LoadConfigFromDefaultLocations()
	if err != nil {
		return fmt.Errorf("loading gqlgen.yml: %w", err)
	}
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
