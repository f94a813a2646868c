package graph

import "github.com/99designs/gqlgen/graphql"

// EncodeResponse exposes encodeResponse to the external tests.
var EncodeResponse = encodeResponse

// AuthorizeExtension exposes the role check, for tests that serve a
// schema double with it.
func AuthorizeExtension(a Access) graphql.HandlerExtension { return authorize{access: a} }

// OperationFields and WalkOperationFields expose the remembered and the
// freshly walked projection of an operation.
var (
	OperationFields     = operationFields
	WalkOperationFields = walkOperationFields
)
