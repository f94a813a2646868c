//go:build tools

// Package main pins build-time tools (gqlgen's generator) in go.mod so that
// `go generate ./...` uses the same version on every machine.
package main

import (
	_ "github.com/99designs/gqlgen"
)
