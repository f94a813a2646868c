//go:build tools

// Package main pins build-time tools (gqlgen's generator) in go.mod so that
// `go generate ./...` uses the same version on every machine.
package main

import (
	_ "github.com/99designs/gqlgen"
	_ "github.com/neo4j/neo4j-go-driver/v5/neo4j"
	_ "github.com/santhosh-tekuri/jsonschema/v6"
	_ "go.etcd.io/bbolt"
	_ "gopkg.in/yaml.v3"
)
